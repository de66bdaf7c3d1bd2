// The contracts every layer shares for one request: its context, a guard's refusal, and the
// stage a component builds (request guard, wrapper, response hook). Bottom of the layering
// (README "Architecture as built"): this folder imports nothing of Rampart's above it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Answer } from './answer.js';
import type { BackendHandler, UpstreamRequest, UpstreamRequestHook, UpstreamResponseHook } from './backend-result.js';
import { statusOf, type ErrorCode } from './error-codes.js';

export type Scope = 'service' | 'endpoint' | 'backend';

/**
 * Execution slots, outermost first. Service-level guards run before routing (so CORS pre-flights
 * and host checks see every request); endpoint-level guards run after routing, in this order,
 * `validate` after the request body has been read.
 */
export const PHASES = ['edge', 'authenticate', 'admit', 'validate'] as const;
export type Phase = (typeof PHASES)[number];

/** Everything a guard or hook may read or add for one request. One shape, all fields set up front. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  /** Path parameters of the matched endpoint ({} before routing). */
  params: Record<string, string>;
  clientIp: string;
  /** Extra upstream headers, flat [lower-case name, value, ...]; they replace client headers of
   * the same name (e.g. propagated JWT claims). */
  upstreamHeaders: string[] | undefined;
  /** Claims of a validated token (auth/validator), read by {JWT.x} placeholders and limits. */
  claims: Record<string, unknown> | undefined;
  /** The buffered request body; set before the `validate` phase. */
  body: Buffer | null;
  /** telemetry/opentelemetry: the span the request's next spans hang under (server, then proxy). */
  traceContext: TraceParent | undefined;
  /** Index of the service-level guard that refused the request (Infinity: none did). A stage's
   * response hook runs only on answers to requests that got past its own guard. */
  serviceRefusedAt: number;
  /** The same for the endpoint's guards. */
  endpointRefusedAt: number;
  /** The data-protection facts of this request (components/validation/facts.ts), built once and
   * shared by validation/cel and security/policies. A field, not a WeakMap keyed by the context:
   * a WeakMap entry per request is an ephemeron the GC must trace (issue #20). */
  dataFacts: object | undefined;
}

/** A span as a parent (observability/otel/lean-tracer.ts records the spans): the W3C trace id
 * as four big-endian 32-bit words, the span id as two (numbers, so the request path writes ids
 * without hex strings), the sampled flag and the tracestate to pass on. */
export interface TraceParent {
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  readonly s0: number;
  readonly s1: number;
  readonly sampled: boolean;
  readonly state: string | undefined;
}

/** Why a request was refused, for the security event log (observability/security-events.ts):
 * a code from the closed list (core/error-codes.ts), the component, and a fixed reason (never a
 * token, cookie, key, password or query value). */
export interface SecurityEvent {
  readonly code: ErrorCode;
  readonly component: string;
  readonly reason?: string;
}

/** Builds a frozen event once, where the rejection is built. */
export function securityEvent(code: ErrorCode, component: string, reason?: string): SecurityEvent {
  return Object.freeze(reason === undefined ? { code, component } : { code, component, reason });
}

/** A guard's answer that ends the request. Frozen and built once where possible. */
export interface Rejection {
  /** Set on refusals (not on answers such as an allowed CORS pre-flight). */
  readonly event?: SecurityEvent;
  readonly status: number;
  /** A Buffer or stream for answers that are files (server/static-filesystem). */
  readonly body?: string | Buffer | Readable;
  /** Flat [name, value, ...]. */
  readonly headers?: readonly string[];
  /** Close the connection after answering (e.g. oversized bodies). */
  readonly close?: boolean;
}

export type Guard = (ctx: RequestContext) => Rejection | undefined | Promise<Rejection | undefined>;

/**
 * A response hook: sees every answer to a request that got past its stage's guard (proxied,
 * static, error, rejection by a later guard, 404/405), in the reverse order of the registry.
 * It may change the answer in place or return another one (e.g. turn it into an error).
 */
export type ResponseHook = (ctx: RequestContext, answer: Answer) => Answer | void | Promise<Answer | void>;

export interface Stage {
  /** Service and endpoint scope: check the request, optionally rejecting it. */
  onRequest?: Guard;
  /** Endpoint scope: a guard in phase 'authenticate' whatever the component's own phase, after
   * the authenticators listed before it in the registry (KrakenD's JWT rejecters: CEL `JWT`
   * checks and `jwt` policies run right after the token is verified, before Lua and the rate
   * limits). */
  onAuthenticated?: Guard;
  /** Endpoint scope: wraps the whole merged proxy; backend scope: wraps one backend call. */
  around?: (next: BackendHandler) => BackendHandler;
  /** Backend scope: the HTTP request to the backend, after the URL, headers and query are
   * built, before it is sent; hooks run in registry order. */
  onUpstreamRequest?: UpstreamRequestHook;
  /** Backend scope: a synchronous rewrite of the HTTP request that never fails nor answers
   * (e.g. martian header and query modifiers). Same slot as onUpstreamRequest (set one of the
   * two); a backend whose only hooks are rewrites keeps the direct no-op path, applied there. */
  rewriteUpstream?: (req: UpstreamRequest) => UpstreamRequest;
  /** Backend scope: the backend's HTTP answer, before decoding; reverse registry order. */
  onUpstreamResponse?: UpstreamResponseHook;
  /** Service and endpoint scope: the response phase (see ResponseHook); backend scope: what
   * the backend produced, after decoding (pipeline/backend-hooks.ts). */
  onResponse?: ResponseHook;
  /** The hook reads the body of streamed (no-op) answers too: the endpoint then buffers them,
   * bounded. Without it a streamed answer reaches the hook with a stream as its body. */
  readonly hookNeedsBody?: boolean;
  /** Endpoint scope, beside onResponse: what onResponse does to a complete proxied answer, done
   * on the Go encoding/json bytes of its data (an object) instead of the data; undefined when it
   * cannot tell (onResponse then runs on the decoded data). With it, the direct JSON path stays
   * open to the endpoint (compile-endpoint's `directJson`). */
  readonly rewriteGoJson?: (bytes: Buffer) => Buffer | undefined;
  /** Release timers, sockets, clients. */
  close?(): Promise<void> | void;
}

/** A refusal with its code's status (core/error-codes.ts) unless `extra.status` says otherwise
 * (a status the config chose), frozen: built once where the guard is built. */
export function refusal(
  code: ErrorCode,
  component: string,
  reason?: string,
  extra: { status?: number; headers?: readonly string[]; body?: string; close?: boolean } = {},
): Rejection {
  const r: { -readonly [K in keyof Rejection]: Rejection[K] } = { status: extra.status ?? statusOf(code), event: securityEvent(code, component, reason) };
  if (extra.headers) r.headers = Object.freeze([...extra.headers]);
  if (extra.body !== undefined) r.body = extra.body;
  if (extra.close) r.close = true;
  return Object.freeze(r);
}
