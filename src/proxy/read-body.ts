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

/** A client's request body into one Buffer, bounded, read with listeners: an async iterator (as
 * readBounded uses) costs several promises per request. On an error or a close before the end
 * the stream is destroyed; over the limit it is left to the 413 (see stop). Both reject. */
export function readRequestBody(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err?: Error): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', stop);
      stream.off('close', onClose);
      if (!err) return;
      // Over the limit the caller answers 413 with Connection: close on this socket, so it stays
      // up; the rest of the body still flows and is dropped (nobody listens), never buffered.
      if (!(err instanceof BodyTooLargeError)) stream.destroy();
      reject(err);
    };
    const onData = (c: Buffer | string): void => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > limit) return stop(new BodyTooLargeError(limit));
      chunks.push(b);
    };
    const onEnd = (): void => {
      stop();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onClose = (): void => stop(new Error('the request was closed before its body ended'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', stop);
    stream.on('close', onClose);
  });
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
