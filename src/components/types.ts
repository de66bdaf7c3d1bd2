// A component owns one extra_config namespace: where it may appear, the schema of its value, and
// what it builds. Components are listed once, in components/registry.ts; a namespace nobody
// claims is a config error (never silently ignored: an ignored security namespace is an open
// door). Phases are fixed slots, so a config can never reorder security checks.
import type { BackendConfig, EndpointConfig, ServiceConfig } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { Scope, Phase, Stage } from '../core/request.js';

export type { Scope, Phase, Stage, Guard, RequestContext, Rejection, SecurityEvent, ResponseHook } from '../core/request.js';
export { PHASES, refusal, securityEvent } from '../core/request.js';

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
