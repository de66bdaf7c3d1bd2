// A backend result (merged, static data applied) as the Answer the response phase sees: data
// to encode, a no-op answer passed through, or an error.
import { createGunzip } from 'node:zlib';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { Answer } from '../core/answer.js';
import type { BackendResult, RawResult } from '../core/backend-result.js';
import { GatewayError } from '../core/gateway-error.js';
import { COMPLETED_HEADER } from '../core/version.js';
import { headerValue } from '../proxy/upstream-exchange.js';
import { MAX_UPSTREAM_BODY } from './compile-backend.js';
import { JSON_TYPE } from './render.js';

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);
const TEXT = 'text/plain; charset=utf-8';

/** What the answer of a proxied result depends on, fixed per endpoint. */
export interface ProxyAnswerPlan {
  readonly returnErrorMsg: boolean;
  /** The gateway added gzip to what the client accepts (see compile-endpoint). */
  readonly addsGzip: boolean;
  readonly flatmap: ((d: Record<string, unknown>) => Record<string, unknown>) | null;
  readonly cacheControl: string | undefined;
}

/** Whether an Accept-Encoding value admits gzip (a `gzip` or `*` coding without q=0). */
export function acceptsGzip(value: string | undefined): boolean {
  if (!value) return false;
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== 'x-gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/** A pass-through that fails once more than `max` bytes went through (bounds inflation). */
function limitBytes(max: number): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) return cb(new Error(`inflated no-op body over ${max} bytes`));
      cb(null, chunk);
    },
  });
}

/** The backend's gzip undone for a client that does not accept it, bounded (issue #14: a
 * 200 KB gzip bomb inflated to 200 MB); errors surface on the returned stream. */
function inflated(body: Buffer | Readable): Readable {
  const limit = limitBytes(MAX_UPSTREAM_BODY);
  const gz = createGunzip();
  const swallow = (): void => undefined; // the writer's pipeline sees the error on `limit`
  if (Buffer.isBuffer(body)) {
    pipeline(gz, limit, swallow);
    gz.end(body);
  } else {
    pipeline(body, gz, limit, swallow);
  }
  return limit;
}

/** A no-op answer: the backend's status, headers (hop-by-hop fields and the gateway's own
 * completion header dropped) and body, streamed. */
export function rawAnswer(plan: ProxyAnswerPlan, r: RawResult, acceptEncoding: string | undefined): Answer {
  const up = r.raw;
  const h = up.headers;
  const out: string[] = [];
  let gunzip = false;
  if (plan.addsGzip) {
    const enc = headerValue(h, 'content-encoding');
    gunzip = enc !== undefined && /^(x-)?gzip$/i.test(enc) && !acceptsGzip(acceptEncoding);
  }
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i];
    if (RESPONSE_HOP_BY_HOP.has(name) || name === COMPLETED_HEADER) continue;
    if (gunzip && (name === 'content-encoding' || name === 'content-length')) continue;
    out.push(name, h[i + 1]);
  }
  out.push(COMPLETED_HEADER, 'false');
  const body = gunzip ? inflated(up.body) : up.body;
  return { status: up.status, headers: out, data: undefined, body, origin: 'proxy', failure: undefined, close: false };
}

export function errorAnswer(plan: ProxyAnswerPlan, err: GatewayError): Answer {
  const headers: string[] = [COMPLETED_HEADER, 'false'];
  let body: string | Buffer = '';
  if (plan.returnErrorMsg || (err.exposeBody && err.body)) {
    body = err.body ?? err.message;
    headers.push('content-type', err.body ? (err.contentType ?? TEXT) : TEXT);
  }
  return { status: err.status, headers, data: undefined, body, origin: 'error', failure: err, close: false };
}

/** The answer of a proxied request. */
export function answerOfResult(plan: ProxyAnswerPlan, r: BackendResult, acceptEncoding: string | undefined): Answer {
  if (r.kind === 'raw') return rawAnswer(plan, r, acceptEncoding);
  if (r.kind === 'error') return errorAnswer(plan, r.error);
  const data = plan.flatmap ? plan.flatmap(r.data) : r.data;
  const complete = r.complete && r.error === undefined;
  const headers = [COMPLETED_HEADER, complete && Object.keys(data).length > 0 ? 'true' : 'false'];
  if (complete && plan.cacheControl) headers.push('cache-control', plan.cacheControl);
  return { status: 200, headers, data, body: '', origin: 'proxy', failure: r.error, close: false };
}

/** The answer of a complete single-backend result already encoded as Go's JSON (the direct JSON
 * path): what answerOfResult and the json renderer make of its data. The bytes are an object's,
 * so more than `{}` means it has keys. */
export function goJsonAnswer(plan: ProxyAnswerPlan, bytes: Buffer): Answer {
  const headers = [COMPLETED_HEADER, bytes.length > 2 ? 'true' : 'false'];
  if (plan.cacheControl) headers.push('cache-control', plan.cacheControl);
  headers.push('content-type', JSON_TYPE);
  return { status: 200, headers, data: undefined, body: bytes, origin: 'proxy', failure: undefined, close: false };
}
