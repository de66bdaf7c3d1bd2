// The answer to one request as the response phase sees it, before the response writer
// (pipeline/respond.ts) puts it on the wire. Headers are a flat list of lower-case names, so
// repeated names (Set-Cookie, Vary) survive and writing them is Node's raw-array fast path.
import type { Readable } from 'node:stream';
import type { Data } from './backend-result.js';
import type { GatewayError } from './gateway-error.js';

/** Where an answer comes from: hooks that only apply to what the backends produced (the signer,
 * response validation) look at it. */
export type AnswerOrigin = 'proxy' | 'error' | 'rejection' | 'gateway';

export interface Answer {
  status: number;
  /** [lower-case name, value, ...]; content-type and content-length are set by the writer when
   * absent (content-length always, from the body). */
  headers: string[];
  /** The decoded data of a proxied answer, encoded by the endpoint's renderer after the hooks
   * (a hook may replace it); undefined for every other answer. */
  data: Data | undefined;
  /** The encoded body ('' when none); a stream for a streamed no-op answer. */
  body: string | Buffer | Readable;
  readonly origin: AnswerOrigin;
  /** The backend failure behind an error or partial proxied answer. */
  failure: GatewayError | undefined;
  /** Close the connection after answering. */
  close: boolean;
}

export function answerOf(origin: AnswerOrigin, status: number, headers: string[], body: string | Buffer | Readable, data?: Data): Answer {
  return { status, headers, data, body, origin, failure: undefined, close: false };
}

/** Index of a header in the list, or -1 (names are lower case). */
export function headerIndex(list: readonly string[], name: string): number {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return i;
  return -1;
}

/** Sets a header, replacing every value the answer had under that name (the gateway's policy
 * is final: a security header a backend also sends is the gateway's). */
export function replaceHeader(list: string[], name: string, value: string): void {
  removeHeader(list, name);
  list.push(name, value);
}

/** Removes every value of a header. */
export function removeHeader(list: string[], name: string): void {
  let w = 0;
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === name) continue;
    list[w++] = list[i];
    list[w++] = list[i + 1];
  }
  // Setting length is a runtime call even when nothing changes (the usual case).
  if (w !== list.length) list.length = w;
}

/** Removes every header whose name starts with the prefix. */
export function removeHeadersWithPrefix(list: string[], prefix: string): void {
  let w = 0;
  for (let i = 0; i < list.length; i += 2) {
    if (list[i].startsWith(prefix)) continue;
    list[w++] = list[i];
    list[w++] = list[i + 1];
  }
  if (w !== list.length) list.length = w;
}
