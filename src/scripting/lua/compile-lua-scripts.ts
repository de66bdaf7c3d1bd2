// Startup: reads a Lua namespace's config, loads and md5-checks its sources, parses every chunk
// in a first VM (a syntax error stops startup, unlike KrakenD which only fails per request) and
// returns the per-request runners. Every error is a one-line message that starts with the JSON
// pointer of the offending field; nothing here ever reaches a client.
import { createHash } from 'node:crypto';
import { readFileSync } from '../../core/config-files.js';
import { isAbsolute, resolve } from 'node:path';
import { LuaSyntaxError, type LuaChunk, type LuaVm } from './lua-vm.js';
import { LuaPool, LuaPoolBusy } from './lua-pool.js';
import { compileAllowedOrigins, makeHttpPerformer } from './lua-http.js';
import { runLuaCall, type RawOutcome } from './run-lua-call.js';
import { LuaCallModels, requestChanges, requestOut, responseChanges, responseOut } from './lua-models.js';
import type { CompiledLua, LuaBudget, LuaCompileOptions, LuaConfig, LuaRequestChanges, LuaResponseChanges, LuaResult } from './types.js';

export const DEFAULT_BUDGET: LuaBudget = { timeMs: 100, instructions: 50_000_000, memoryBytes: 16 * 1024 * 1024 };

/** A bad Lua config; `message` is `POINTER: reason` (no stack, no file contents). */
export class LuaConfigError extends Error {
  constructor(
    readonly pointer: string,
    readonly reason: string,
  ) {
    super(`${pointer}: ${reason}`);
    this.name = 'LuaConfigError';
  }
}

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function readChunks(cfg: LuaConfig, opts: LuaCompileOptions): { chunks: LuaChunk[]; pointers: string[] } {
  const p = opts.pointer;
  const chunks: LuaChunk[] = [];
  const pointers: string[] = [];
  const sources = cfg.sources ?? [];
  const md5 = cfg.md5 ?? {};
  for (const name of Object.keys(md5)) {
    if (!sources.includes(name)) throw new LuaConfigError(`${p}/md5/${esc(name)}`, `md5 names "${name}", which is not in sources`);
  }
  sources.forEach((file, i) => {
    const path = isAbsolute(file) ? file : resolve(opts.baseDir, file);
    let code: string;
    try {
      code = readFileSync(path, 'utf8');
    } catch {
      throw new LuaConfigError(`${p}/sources/${i}`, `cannot read Lua source "${file}"`);
    }
    // `live: true` never skips this check (KrakenD returns before it, and drops a tampered
    // script silently instead of refusing to start).
    const want = md5[file];
    if (want !== undefined) {
      const got = createHash('md5').update(code).digest('hex');
      if (got !== want.toLowerCase())
        throw new LuaConfigError(`${p}/md5/${esc(file)}`, `md5 of Lua source "${file}" does not match (file changed or tampered with)`);
    }
    chunks.push({ kind: 'source', name: '@' + file, code });
    pointers.push(`${p}/sources/${i}`);
  });
  if (cfg.pre !== undefined) {
    chunks.push({ kind: 'pre', name: '=pre-script', code: cfg.pre });
    pointers.push(`${p}/pre`);
  }
  // lua-endpoint runs only `pre` (router/gin/lua.go); its `post` is still parsed so a typo is seen.
  if (cfg.post !== undefined) {
    chunks.push({ kind: 'post', name: '=post-script', code: cfg.post });
    pointers.push(`${p}/post`);
  }
  return { chunks, pointers };
}

/** A call that ended normally: its changes, and the whole model built only for a caller that reads it. */
class LuaOk<M, C> {
  readonly ok = true;
  private built: M | undefined;
  constructor(
    readonly changes: C,
    private readonly toModel: (c: C) => M,
  ) {}
  get model(): M {
    return (this.built ??= this.toModel(this.changes));
  }
}

function mapOutcome<M, C>(o: RawOutcome, toChanges: (v: unknown) => C, toModel: (c: C) => M): LuaResult<M, C> {
  if (o.failure) return { ok: false, kind: 'failure', status: o.failure.reason === 'busy' ? 503 : 500, ...o.failure };
  const v = o.value ?? {};
  if (v.ok === true) return new LuaOk(toChanges(v.model), toModel);
  if (v.kind === 'custom_error') {
    const s = typeof v.status === 'number' && Number.isInteger(v.status) && v.status >= 100 && v.status <= 999 ? v.status : 500;
    const out: LuaResult<M, C> = { ok: false, kind: 'custom_error', status: s, body: typeof v.body === 'string' ? v.body : '' };
    if (typeof v.ct === 'string') out.contentType = v.ct;
    return out;
  }
  return { ok: false, kind: 'failure', reason: 'runtime', status: 500, message: typeof v.message === 'string' ? v.message : 'Lua error' };
}

export async function compileLuaScripts(cfg: LuaConfig, opts: LuaCompileOptions): Promise<CompiledLua> {
  const p = opts.pointer;
  if (cfg.allow_open_libs === true && (opts.openLibs ?? 'refuse') === 'refuse') {
    throw new LuaConfigError(
      `${p}/allow_open_libs`,
      'allow_open_libs is refused: Rampart never gives scripts io, os, debug or package (string, table and math are always available)',
    );
  }
  const budget: LuaBudget = { ...DEFAULT_BUDGET, ...opts.budget };
  let allowed: Set<string>;
  try {
    allowed = compileAllowedOrigins(opts.http?.allowedHosts ?? []);
  } catch (err) {
    throw new LuaConfigError(p, (err as Error).message);
  }
  const http = makeHttpPerformer(allowed, { allowedHosts: [], timeoutMs: opts.http?.timeoutMs ?? 2000, maxBodyBytes: opts.http?.maxBodyBytes ?? 1024 * 1024 });
  const { chunks, pointers } = readChunks(cfg, opts);
  const size = Math.min(Math.max(opts.poolSize ?? 2, 1), 16);
  const pool = new LuaPool(size, budget, cfg.allow_open_libs === true, chunks, opts.maxWaiters ?? 64, opts.maxWaitMs ?? 1000);
  try {
    await pool.check();
  } catch (err) {
    if (err instanceof LuaSyntaxError) throw new LuaConfigError(pointers[err.chunk] ?? p, `Lua syntax error: ${err.message}`);
    throw new LuaConfigError(p, `Lua engine failed to start: ${(err as Error).message}`);
  }
  const run = (vm: LuaVm, phase: 'pre' | 'post', models: LuaCallModels): RawOutcome | Promise<RawOutcome> => {
    let out: RawOutcome | Promise<RawOutcome>;
    try {
      out = runLuaCall(vm, budget, phase, models, http);
    } catch (err) {
      pool.release(vm);
      throw err;
    }
    if (out instanceof Promise) return out.finally(() => pool.release(vm));
    pool.release(vm);
    return out;
  };
  // An idle VM runs the call at once (synchronously unless the script calls http_response);
  // otherwise the call waits for one (bounded, see LuaPool).
  const call = (phase: 'pre' | 'post', models: LuaCallModels): RawOutcome | Promise<RawOutcome> => {
    const vm = pool.tryAcquire();
    if (vm) return run(vm, phase, models);
    return pool.acquire().then(
      (v) => run(v, phase, models),
      (err: unknown): RawOutcome => {
        if (err instanceof LuaPoolBusy) return { failure: { reason: 'busy', message: err.message } };
        throw err;
      },
    );
  };
  const hasPre = cfg.pre !== undefined;
  const hasPost = cfg.post !== undefined && opts.scope !== 'endpoint';
  return {
    scope: opts.scope,
    hasPre,
    hasPost,
    skipNext: cfg.skip_next === true,
    runPre(request) {
      const o = call('pre', new LuaCallModels(request, undefined));
      const done = (x: RawOutcome) => mapOutcome(x, requestChanges, (c: LuaRequestChanges) => requestOut(request, c));
      return o instanceof Promise ? o.then(done) : done(o);
    },
    runPost(response, request) {
      const o = call('post', new LuaCallModels(request, response));
      const done = (x: RawOutcome) => mapOutcome(x, responseChanges, (c: LuaResponseChanges) => responseOut(response, c));
      return o instanceof Promise ? o.then(done) : done(o);
    },
    close() {
      pool.close();
    },
  };
}
