// A component owns one extra_config namespace: where it may appear, the schema of its value, and
// what it builds. Components are listed once, in components/registry.ts; a namespace nobody
// claims is a config error (never silently ignored: an ignored security namespace is an open
// door). Phases are fixed slots, so a config can never reorder security checks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context as OtelContext } from '@opentelemetry/api';
import type { BackendConfig, EndpointConfig, ServiceConfig } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { BackendHandler } from '../pipeline/types.js';

export type Scope = 'service' | 'endpoint' | 'backend';

/**
 * Execution slots, outermost first. Service-level guards run before routing (so CORS pre-flights
 * and host checks see every request); endpoint-level guards run after routing, in this order,
 * `validate` after the request body has been read.
 */
export const PHASES = ['edge', 'authenticate', 'admit', 'validate'] as const;
export type Phase = (typeof PHASES)[number];

/** Everything a guard may read or add for one request. One shape, all fields set up front. */
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
  /** telemetry/opentelemetry: the server span's context, parent of proxy and backend spans. */
  traceContext: OtelContext | undefined;
  /** Free slots for components that cooperate (e.g. a role set by auth/api-keys). */
  readonly locals: Map<string, unknown>;
}

/** Why a request was refused, for the security event log (observability/security-events.ts):
 * a code from the closed list in README "Security event log", the component, and a fixed reason
 * (never a token, cookie, key, password or query value). */
export interface SecurityEvent {
  readonly code: string;
  readonly component: string;
  readonly reason?: string;
}

/** Builds a frozen event once, where the rejection is built. */
export function securityEvent(code: string, component: string, reason?: string): SecurityEvent {
  return Object.freeze(reason === undefined ? { code, component } : { code, component, reason });
}

/** A guard's answer that ends the request. Frozen and built once where possible. */
export interface Rejection {
  /** Set on refusals (not on answers such as an allowed CORS pre-flight). */
  readonly event?: SecurityEvent;
  readonly status: number;
  readonly body?: string;
  /** Flat [name, value, ...]. */
  readonly headers?: readonly string[];
  /** Close the connection after answering (e.g. oversized bodies). */
  readonly close?: boolean;
}

export type Guard = (ctx: RequestContext) => Rejection | undefined | Promise<Rejection | undefined>;

export interface Stage {
  /** Service and endpoint scope: check the request, optionally rejecting it. */
  onRequest?: Guard;
  /** Endpoint scope: wraps the whole merged proxy; backend scope: wraps one backend call. */
  around?: (next: BackendHandler) => BackendHandler;
  /** Release timers, sockets, clients. */
  close?(): Promise<void> | void;
}

/** Shared, process-wide resources (JWKS caches, Redis clients), created once by key. */
export interface SharedResources {
  get<T>(key: string, create: () => T): T;
  onClose(fn: () => Promise<void> | void): void;
}

export interface BuildEnv {
  readonly scope: Scope;
  readonly pointer: string;
  readonly service: ServiceConfig;
  readonly endpoint?: EndpointConfig;
  readonly backend?: BackendConfig;
  readonly log: Logger;
  readonly shared: SharedResources;
  /** `rampart check`: build and validate everything, but open no listener and connect to
   * nothing external (Redis, admin ports). */
  readonly dryRun: boolean;
  /** Raw extra_config of the same object, for components that cooperate (read-only). */
  readonly siblings: Readonly<Record<string, unknown>>;
}

/** The runtime part of a component, as `ComponentSpec.load` resolves it (usually its module). */
export interface ComponentRuntime {
  /** Builds the stage (null: nothing runs per request). May throw a ConfigError-style message
   * (string) to refuse the config: reported with its pointer. */
  build(config: any, env: BuildEnv): Stage | null | Promise<Stage | null>;
}

export interface ComponentSpec {
  readonly namespace: string;
  /** JSON Schema of the namespace value, per scope where it may appear. */
  readonly schemas: Partial<Record<Scope, object>>;
  /** Slot of its guard; default 'edge'. */
  readonly phase?: Phase;
  /** Loads the runtime part (usually `() => import('./component.js')`, a module exporting
   * `build`) the first time a config uses the namespace; absent for config-only namespaces
   * (router, proxy). A dynamic import because the registry is loaded by every start and every
   * `check`: the runtimes' dependencies (jose, ioredis, bcryptjs, maxmind...) would otherwise
   * cost each start hundreds of milliseconds, used or not. */
  load?(): Promise<ComponentRuntime>;
  /** Cross-field checks beyond the schema: returns messages, reported at the namespace pointer. */
  check?(config: any, scope: Scope, root: Record<string, any>): string[];
}
