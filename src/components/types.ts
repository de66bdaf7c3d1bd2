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

interface BuildEnvBase {
  readonly pointer: string;
  readonly service: ServiceConfig;
  readonly log: Logger;
  readonly shared: SharedResources;
  /** `rampart check`: build and validate everything, but open no listener and connect to
   * nothing external (Redis, admin ports). */
  readonly dryRun: boolean;
}

export interface ServiceBuildEnv extends BuildEnvBase {
  readonly scope: 'service';
}

export interface EndpointBuildEnv extends BuildEnvBase {
  readonly scope: 'endpoint';
  readonly endpoint: EndpointConfig;
}

export interface BackendBuildEnv extends BuildEnvBase {
  readonly scope: 'backend';
  readonly endpoint: EndpointConfig;
  readonly backend: BackendConfig;
}

/** What a component's build sees, narrowed by its scope (`env.scope === 'backend'` gives the
 * backend and its endpoint). */
export type BuildEnv = ServiceBuildEnv | EndpointBuildEnv | BackendBuildEnv;

/** A backend-only component's environment (its schema admits no other scope). */
export function backendEnv(env: BuildEnv): BackendBuildEnv {
  if (env.scope !== 'backend') throw new Error(`only allowed at backend level, not at ${env.scope} level`);
  return env;
}

/** The runtime part of a component, as `ComponentSpec.load` resolves it (usually its module). */
export interface ComponentRuntime<C> {
  /** Builds the stage (null: nothing runs per request). May throw an Error whose message
   * refuses the config: reported with its pointer. `config` has passed the schema. */
  build(config: C, env: BuildEnv): Stage | null | Promise<Stage | null>;
}

/** Another namespace this one needs beside it (same config object), with why. */
export interface Requirement {
  readonly namespace: string;
  readonly why: string;
}

/** A component: its namespace, schemas and slot, and how to load its runtime. `C` is the type
 * of its config value (declared beside the schema); the registry holds them erased. */
export interface ComponentSpec<C = unknown> {
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
  load?(): Promise<ComponentRuntime<C>>;
  /** Namespaces this config needs beside it (e.g. a limit keyed by a claim needs auth/validator):
   * declared here, checked by the pipeline before build, instead of a component peeking at its
   * siblings. */
  requires?(config: C, scope: Scope): readonly Requirement[];
  /** Namespaces that may not appear beside this one, with why. */
  readonly excludes?: readonly Requirement[];
  /** Why the namespace is refused at a scope KrakenD allows it at, and what to write instead. */
  readonly scopeHints?: Partial<Record<Scope, string>>;
}

/** A spec as the registry holds it: the config type erased (the schema has checked the value
 * before any build sees it; this is the one place the two meet). */
export function defineComponent<C>(spec: ComponentSpec<C>): ComponentSpec {
  return spec as ComponentSpec;
}
