// Public types of the standalone Lua engine (issue #17, item 2). Everything that crosses the
// JS <-> Lua boundary is plain data: it is copied into fresh Lua tables before a call and copied
// back out after it, so no JS object (and no prototype) is ever reachable from a script.

/** Header and query maps are Go-style: name -> list of values. */
export type LuaMultiMap = Record<string, string[]>;

/** JSON-like data a script may read and write (`response:data()`). */
export type LuaJson = null | boolean | number | string | LuaJson[] | { [key: string]: LuaJson };

/**
 * The request a script sees. `url` is the full backend URL at backend level and `""` elsewhere
 * (as in KrakenD, where the load balancer sets it). `params` keys are as lura passes them
 * (first letter upper-cased: `Id`, `Resp0_first.foo`). `host` is only used by `ctx` (lua-endpoint).
 */
export interface LuaRequestModel {
  method: string;
  url: string;
  path: string;
  query: LuaMultiMap;
  headers: LuaMultiMap;
  body: string;
  params: Record<string, string>;
  host?: string;
}

/**
 * The response a `post` script sees. `status` and `body` are what lura exposes for the no-op
 * encoding; for decoded responses the pipeline passes `status: 0` and `body: ""` as KrakenD does.
 * `data` is the decoded JSON object (proxy/backend scope).
 */
export interface LuaResponseModel {
  status: number;
  headers: LuaMultiMap;
  body: string;
  data: { [key: string]: LuaJson };
  isComplete: boolean;
}

/** `custom_error(msg[, status[, content_type]])`: the pipeline answers with exactly this. */
export interface LuaCustomError {
  ok: false;
  kind: 'custom_error';
  status: number;
  body: string;
  /** Only set when the script passed a third argument. */
  contentType?: string;
}

/**
 * The script failed: budget exhausted (`timeout`), memory cap hit (`memory`), or a Lua runtime
 * error (`runtime`). The pipeline answers 500; `message` is for the log only (it can carry
 * script text, never send it to a client).
 */
export interface LuaFailure {
  ok: false;
  kind: 'failure';
  reason: 'timeout' | 'memory' | 'runtime' | 'busy';
  /** 503 for `busy` (every VM in use and the wait queue full or too slow), else 500. */
  status: 500 | 503;
  message: string;
}

/** What a `pre` script may have changed; a field is present only when the script may have
 *  changed it (anything absent is the request as it was given). */
export interface LuaRequestChanges {
  method?: string;
  url?: string;
  path?: string;
  query?: LuaMultiMap;
  /** The whole header map (canonical names): the script read it and may have changed it. */
  headers?: LuaMultiMap;
  /** Headers the script only set (a list) or removed (null), by canonical name, over the
   *  request's own headers (which it never read). */
  headerSet?: Record<string, string[] | null>;
  body?: string;
  params?: Record<string, string>;
  host?: string;
}

/** What a `post` script may have changed (as LuaRequestChanges). */
export interface LuaResponseChanges {
  status?: number;
  headers?: LuaMultiMap;
  headerSet?: Record<string, string[] | null>;
  body?: string;
  isComplete?: boolean;
  /** The data replaced whole. */
  data?: { [key: string]: LuaJson };
  /** Or only top-level keys set and deleted (every other key, and every nested value, is the
   *  response's own). */
  dataSet?: { [key: string]: LuaJson };
  dataDel?: string[];
}

/** `model` is the whole model after the script (built on first read); `changes` only what the
 *  script may have changed, for callers that apply changes to their own request or response. */
export type LuaResult<M, C = unknown> = { ok: true; readonly model: M; changes: C } | LuaCustomError | LuaFailure;

/** Per-call limits. Every call of a compiled script set runs under them. */
export interface LuaBudget {
  /** Wall-clock time of Lua execution per call (HTTP waits excluded; they have their own timeout). */
  timeMs: number;
  /** Lua VM instructions per call (counted in steps of 1000). */
  instructions: number;
  /** Bytes a VM may allocate in total. */
  memoryBytes: number;
}

export interface LuaHttpOptions {
  /** Origins (`http://host:port`) `http_response.new` may call. Empty: the function raises. */
  allowedHosts: string[];
  timeoutMs: number;
  /** Largest response body read; larger answers raise in the script. */
  maxBodyBytes: number;
}

export interface LuaCompileOptions {
  /** Directory `sources` are relative to (KrakenD: the working directory). */
  baseDir: string;
  /** JSON pointer of the namespace object, used in every startup error. */
  pointer: string;
  /** Which of the three namespaces this is (decides `ctx` vs `request`, and whether `post` runs). */
  scope: 'endpoint' | 'proxy' | 'backend';
  budget?: Partial<LuaBudget>;
  http?: Partial<LuaHttpOptions>;
  /**
   * `allow_open_libs: true` cannot mean io/os/debug in Rampart. `refuse` (default) stops startup;
   * `safe-set` accepts it and gives the same safe libraries plus `os.time/clock/date`.
   */
  openLibs?: 'refuse' | 'safe-set';
  /** VMs kept per compiled script set (default 2, at most 16). */
  poolSize?: number;
  /** Calls that may wait for a VM (default 64) and how long (default 1000 ms); beyond either, the
   * call fails with reason `busy` (503) at once. */
  maxWaiters?: number;
  maxWaitMs?: number;
}

/** The KrakenD config of one Lua namespace, as read from `extra_config`. */
export interface LuaConfig {
  sources?: string[];
  pre?: string;
  post?: string;
  live?: boolean;
  md5?: Record<string, string>;
  allow_open_libs?: boolean;
  skip_next?: boolean;
}

/** What the pipeline holds per namespace instance; built once at startup. */
export interface CompiledLua {
  readonly scope: 'endpoint' | 'proxy' | 'backend';
  readonly hasPre: boolean;
  /** False for lua-endpoint (KrakenD ignores `post` there). */
  readonly hasPost: boolean;
  readonly skipNext: boolean;
  /** The models' fields are read only when the script needs them (they may be getters). */
  /** A value when the call ran at once (an idle VM, no http_response), else a promise. */
  runPre(request: LuaRequestModel): LuaResult<LuaRequestModel, LuaRequestChanges> | Promise<LuaResult<LuaRequestModel, LuaRequestChanges>>;
  runPost(
    response: LuaResponseModel,
    request?: LuaRequestModel,
  ): LuaResult<LuaResponseModel, LuaResponseChanges> | Promise<LuaResult<LuaResponseModel, LuaResponseChanges>>;
  close(): void;
}
