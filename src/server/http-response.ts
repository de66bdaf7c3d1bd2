// The gateway's response classes share one rule for headers that guards add before the reply
// exists (security headers, CORS) and the headers the reply itself writes (a no-op backend's):
//   - a name a guard set wins over the same name in the reply (the gateway's policy is final),
//     except Vary, whose values are kept side by side (RFC 9110 §12.5.5);
//   - repeated names in the reply (Set-Cookie) all survive;
//   - once security/cors has claimed the response (claimCors), the reply's Access-Control-*
//     headers are dropped: whether an origin may read the response is the gateway's decision.
// Node's own merge (setHeader, then writeHead with a list) keeps only the last value of each name
// and lets the reply override the gateway. Guards should use addResponseHeader: the pairs are kept
// in a plain array and written with the reply in one list (Node's fast raw-array path);
// setHeader still works (slower merge below).
import type { EndpointMeter } from '../pipeline/metrics-meters.js';
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';

/** Fields both response classes (HTTP/1.1 and HTTP/2) carry. */
export interface GuardHeaderState {
  /** [lower-case name, value, ...] added by guards; null until the first one. */
  guardHeaders: string[] | null;
  corsClaimed: boolean;
}

/** Per-request bookkeeping kept on the response itself, so that the gateway's 'finish' and
 * 'close' listeners can be shared functions (no closure per request) that read it from `this`. */
export interface ResponseBookkeeping {
  /** performance.now() when the request arrived; path for the access line. */
  accessStart: number;
  accessPath: string;
  /** The client address as resolved (trusted proxies applied), for configured access formats. */
  accessIp: string;
  /** telemetry/metrics: the matched route's meter, start time and the socket's bytes so far. */
  statsMeter: EndpointMeter | undefined;
  statsStart: number;
  statsBytes: number;
  /** Aborts the request's backend calls when the client goes away first. */
  callSignal: { abort(): void } | null;
}

type AnyResponse = { setHeader(name: string, value: string): unknown };

/** Adds a response header from a guard (name in lower case). */
export function addResponseHeader(res: AnyResponse, name: string, value: string): void {
  const r = res as Partial<GuardHeaderState>;
  if (r.guardHeaders === undefined) return void res.setHeader(name, value); // not a gateway response
  (r.guardHeaders ??= []).push(name, value);
}

/** Marks a response whose CORS headers the gateway decides (set by security/cors). */
export function claimCors(res: object): void {
  (res as GuardHeaderState).corsClaimed = true;
}

type HeaderArg = OutgoingHttpHeaders | OutgoingHttpHeader[] | readonly string[] | undefined;

/** writeHead's headers argument as a flat [name, value, ...] list. */
export function flatHeaders(h: HeaderArg): string[] {
  if (h === undefined) return [];
  if (Array.isArray(h)) {
    if (h.length === 0 || typeof h[0] === 'string') return h as string[];
    return (h as unknown as [string, string][]).flat(); // [[name, value], ...]
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(h as OutgoingHttpHeaders)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(k, String(x));
    else out.push(k, String(v));
  }
  return out;
}

function hasName(list: readonly string[], lower: string): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i] === lower) return true;
  return false;
}

/** The reply's list with the guard headers applied by the rules above. */
export function withGuardHeaders(list: readonly string[], guard: readonly string[] | null, dropCors: boolean, skip?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const lower = list[i].toLowerCase();
    if (skip !== undefined && skip.has(lower)) continue;
    if (dropCors && lower.startsWith('access-control-')) continue;
    if (guard !== null && lower !== 'vary' && hasName(guard, lower)) continue;
    out.push(list[i], list[i + 1]);
  }
  if (guard !== null) for (const x of guard) out.push(x);
  return out;
}

export interface HeaderTarget {
  hasHeader(name: string): boolean;
  appendHeader(name: string, value: string | readonly string[]): unknown;
}

/** For headers a guard set with setHeader: appends `list` onto them, setHeader's names winning. */
export function mergeOntoSetHeaders(res: HeaderTarget, list: readonly string[]): void {
  for (let i = 0; i < list.length; i += 2) {
    const lower = list[i].toLowerCase();
    if (lower !== 'vary' && res.hasHeader(lower)) continue;
    res.appendHeader(list[i], list[i + 1]);
  }
}

export class GatewayResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> implements GuardHeaderState, ResponseBookkeeping {
  guardHeaders: string[] | null = null;
  corsClaimed = false;
  accessStart = 0;
  accessPath = '';
  accessIp = '';
  statsMeter: EndpointMeter | undefined = undefined;
  statsStart = 0;
  statsBytes = 0;
  callSignal: { abort(): void } | null = null;
  /** Set once a header was set with setHeader/appendHeader before writeHead. */
  private preset = false;

  override setHeader(name: string, value: number | string | readonly string[]): this {
    if (!this.headersSent) this.preset = true;
    return super.setHeader(name, value);
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    if (!this.headersSent) this.preset = true;
    return super.appendHeader(name, value);
  }

  override writeHead(statusCode: number, a?: string | HeaderArg, b?: HeaderArg): this {
    const message = typeof a === 'string' ? a : undefined;
    const headers = typeof a === 'string' ? b : a;
    if (this.guardHeaders === null && !this.corsClaimed && !this.preset) {
      return message === undefined ? super.writeHead(statusCode, headers as OutgoingHttpHeaders) : super.writeHead(statusCode, message, headers as OutgoingHttpHeaders);
    }
    const list = withGuardHeaders(flatHeaders(headers), this.guardHeaders, this.corsClaimed);
    if (this.preset) {
      mergeOntoSetHeaders(this, list);
      return message === undefined ? super.writeHead(statusCode) : super.writeHead(statusCode, message);
    }
    return message === undefined ? super.writeHead(statusCode, list) : super.writeHead(statusCode, message, list);
  }
}
