// Bounded body reading: a backend (or client) cannot make the gateway buffer without limit.
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, inflate as inflateCb } from 'node:zlib';

const gunzip = promisify(gunzipCb);
const inflate = promisify(inflateCb);

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

export async function readBounded(stream: AsyncIterable<Buffer | string>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    size += b.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(b);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/** Undoes gzip/deflate content-encoding, bounded by the same limit (no decompression bombs). */
export async function decodeContent(buf: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  if (!encoding || encoding === 'identity') return buf;
  const e = encoding.toLowerCase();
  try {
    if (e === 'gzip' || e === 'x-gzip') return await gunzip(buf, { maxOutputLength: limit });
    if (e === 'deflate') return await inflate(buf, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError(limit);
    throw err;
  }
  throw new Error(`unsupported content-encoding ${encoding}`);
}

/** Reads an upstream body (whole Buffer or stream) into one Buffer, bounded. */
export function readUpstreamBody(body: Buffer | Readable, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body.length > limit ? Promise.reject(new BodyTooLargeError(limit)) : Promise.resolve(body);
  return readBounded(body, limit);
}

/** Drops an upstream body that will not be used (a stream is destroyed, closing its exchange). */
export function discardBody(body: Buffer | Readable): void {
  if (!Buffer.isBuffer(body)) body.destroy();
}
