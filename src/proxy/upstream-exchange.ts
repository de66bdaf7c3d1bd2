// One HTTP exchange with a backend through undici's low-level dispatch API.
//
// undici's request() wraps every response body in a Readable and every signal in an
// EventTarget listener, and the gateway then read the body back out with an async iterator:
// together the largest per-request cost after the socket writes themselves. Backend answers
// are almost always small and read whole, so this handler collects the body chunks itself and
// resolves once with a Buffer. Only a no-op (pass-through) answer that is large or has no
// Content-Length is handed over as a stream, with backpressure and abort wired to undici.
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import undiciUtil from 'undici/lib/core/util.js';
import type { CancelSignal } from '../core/call-signal.js';
import { BodyTooLargeError } from './read-body.js';
import type { ConnTiming } from '../core/conn-timing.js';
import { connectionGot, firstByte } from './connection-timing.js';

/** Response headers as a flat [name, value, ...] list, names in lower case, repeated names
 * (Set-Cookie) kept in order. A list, not an object: a no-op answer's headers are copied to
 * the client as a list, so an object would be built only to be flattened again. */
export type UpstreamHeaders = string[];

/** The first value of a header (name in lower case), or undefined. */
export function headerValue(headers: UpstreamHeaders, name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}

export interface Exchanged {
  status: number;
  headers: UpstreamHeaders;
  /** The whole body, or (stream mode only) a stream of it. */
  body: Buffer | Readable;
}

export interface ExchangeOptions {
  method: string;
  path: string;
  headers: string[];
  body: Dispatcher.DispatchOptions['body'];
  signal: CancelSignal;
  /** Bodies larger than this fail with BodyTooLargeError (buffered mode)... */
  limit: number;
  /** ...unless streaming is allowed: then a body without Content-Length, or with one above
   * `limit`, is returned as a stream instead. */
  streamLarge: boolean;
  /** telemetry's detailed_connection: when this call got its socket and its first byte. */
  timing?: ConnTiming;
}

const EMPTY = Buffer.alloc(0);

function abortReason(signal: CancelSignal): Error {
  const r = signal.reason;
  return r instanceof Error ? r : new Error('request aborted');
}

/**
 * Raw [name, value, ...] buffers → strings. latin1 both ways keeps the bytes as sent. Names go
 * through undici's lookup of well-known names, which hands back one shared constant string per
 * name (as undici's own parser does): Node's writeHead validates and matches every name it
 * writes (a regex test and a switch over special names), and on such strings both are much
 * cheaper than on a fresh string per response (~4% of a proxied request in profiles).
 */
function parseRawHeaders(raw: Buffer[]): UpstreamHeaders {
  const out: string[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i += 2) {
    out[i] = undiciUtil.headerNameToString(raw[i]);
    out[i + 1] = raw[i + 1].toString('latin1');
  }
  return out;
}

/** A streamed response body: reading resumes undici's parser, destroying aborts the exchange. */
class UpstreamStream extends Readable {
  constructor(
    private readonly resumeParser: () => void,
    private readonly handler: ExchangeHandler,
  ) {
    super();
  }
  override _read(): void {
    this.resumeParser();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.handler.cancel(err ?? new Error('response body destroyed'));
    cb(err);
  }
}

class ExchangeHandler implements Dispatcher.DispatchHandler {
  private abortFn: ((err: Error) => void) | null = null;
  private status = 0;
  private headers: UpstreamHeaders | null = null;
  private chunks: Buffer[] = [];
  private size = 0;
  private stream: UpstreamStream | null = null;
  /** The stream has been resolved to the caller (after its first chunk). */
  private handedOver = false;
  private done = false;
  /** The one retry of a replayable request has been made (see mayRetry). */
  private retried = false;
  private readonly onSignal = (): void => this.cancel(abortReason(this.o.signal));

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly o: ExchangeOptions,
    private readonly resolve: (r: Exchanged) => void,
    private readonly reject: (e: Error) => void,
  ) {
    o.signal.addEventListener('abort', this.onSignal, { once: true });
  }

  dispatch(): void {
    const o = this.o;
    try {
      this.dispatcher.dispatch({ method: o.method as Dispatcher.HttpMethod, path: o.path, headers: o.headers, body: o.body }, this);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  cancel(err: Error): void {
    if (this.done) return;
    if (this.abortFn !== null) this.abortFn(err);
    else this.finishWithError(err); // not connected yet: fail now, onConnect aborts the dispatch
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.done || this.o.signal.aborted) {
      abort(this.o.signal.aborted ? abortReason(this.o.signal) : new Error('request aborted'));
      return;
    }
    this.abortFn = abort;
    if (this.o.timing !== undefined) connectionGot(this.o.timing);
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.o.timing !== undefined) firstByte(this.o.timing);
    if (status < 200) return true; // 1xx informational: the real answer follows
    this.status = status;
    const headers = (this.headers = parseRawHeaders(rawHeaders));
    if (this.o.streamLarge) {
      const cl = headerValue(headers, 'content-length');
      const len = cl !== undefined ? Number(cl) : NaN;
      // The stream is handed over with its first chunk, not with the headers: until a byte
      // of the body has arrived nothing is sent to the client, so a backend whose body fails at
      // once (invalid chunked framing, a reset) still gets a clean error answer (issue #14).
      if (this.o.method !== 'HEAD' && status !== 204 && status !== 304 && !(len <= this.o.limit)) this.stream = new UpstreamStream(resume, this);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.stream !== null) {
      const more = this.stream.push(chunk);
      if (!this.handedOver) {
        this.handedOver = true;
        // undici calls onHeaders (which set the headers and made the stream) before any onData.
        this.resolve({ status: this.status, headers: this.headers ?? [], body: this.stream });
      }
      return more;
    }
    this.size += chunk.length;
    if (this.size > this.o.limit) {
      this.cancel(new BodyTooLargeError(this.o.limit));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    this.o.signal.removeEventListener('abort', this.onSignal);
    if (this.stream !== null && this.handedOver) return void this.stream.push(null);
    const c = this.chunks;
    const body = c.length === 0 ? EMPTY : c.length === 1 ? c[0] : Buffer.concat(c, this.size);
    // undici calls onHeaders before onComplete: `[]` only if it ever did not (as status stays 0).
    this.resolve({ status: this.status, headers: this.headers ?? [], body });
  }

  onError(err: Error): void {
    if (this.mayRetry(err)) {
      this.retried = true;
      this.abortFn = null;
      // A new turn: undici is still closing the dead socket's client when it reports the error.
      queueMicrotask(() => (this.o.signal.aborted ? this.finishWithError(abortReason(this.o.signal)) : this.dispatch()));
      return;
    }
    this.finishWithError(err);
  }

  /**
   * A backend may close an idle keep-alive connection just as the gateway writes the next request
   * on it; the request then fails with no answer at all although the backend is healthy (seen as
   * ~5% of 500s with a backend that closes idle sockets after 250 ms, requests 250 ms apart). Go's
   * transport, KrakenD's, sends such a request again on a new connection when it is replayable;
   * so does this, once: no byte of an answer arrived, the connection was closed or reset (not
   * refused, not timed out, not aborted), and the request is one Go replays — GET, HEAD, OPTIONS,
   * TRACE, or any method with an Idempotency-Key or X-Idempotency-Key header — with a body that
   * can be sent again (none, a buffer, the one-chunk array; not a stream).
   */
  private mayRetry(err: Error): boolean {
    if (this.retried || this.done || this.status !== 0 || this.headers !== null || this.size !== 0 || this.o.signal.aborted) return false;
    const code = (err as { code?: unknown }).code;
    if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET' && code !== 'EPIPE') return false;
    const body = this.o.body;
    if (!(body === undefined || body === null || typeof body === 'string' || Buffer.isBuffer(body) || Array.isArray(body))) return false;
    return isReplayable(this.o.method, this.o.headers);
  }

  private finishWithError(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.o.signal.removeEventListener('abort', this.onSignal);
    if (this.stream !== null && this.handedOver) this.stream.destroy(err);
    else this.reject(err);
  }
}

const REPLAYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Go's Request.isReplayable, less its body test (mayRetry's). */
function isReplayable(method: string, headers: readonly string[]): boolean {
  if (REPLAYABLE_METHODS.has(method)) return true;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i].toLowerCase();
    if (name === 'idempotency-key' || name === 'x-idempotency-key') return true;
  }
  return false;
}

/** Sends one request on `dispatcher` (a pool) and resolves with the backend's answer. */
export function exchange(dispatcher: Dispatcher, o: ExchangeOptions): Promise<Exchanged> {
  return new Promise((resolve, reject) => startExchange(dispatcher, o, resolve, reject));
}

/** exchange() without the promise: exactly one of `resolve` and `reject` is called, later from
 * undici's socket callbacks, or at once (signal already aborted, request refused by undici). The
 * hot path of a plain no-op endpoint uses it to answer the client straight from the backend's
 * callbacks, without three promise hops in between. */
export function startExchange(dispatcher: Dispatcher, o: ExchangeOptions, resolve: (r: Exchanged) => void, reject: (e: Error) => void): void {
  if (o.signal.aborted) return reject(abortReason(o.signal));
  new ExchangeHandler(dispatcher, o, resolve, reject).dispatch();
}
