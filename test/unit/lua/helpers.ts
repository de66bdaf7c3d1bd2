// Shared helpers of the lua-*.test.ts files: compile a script set, run it on plain models.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { compileLuaScripts } from '../../../src/scripting/lua/compile-lua-scripts.js';
import type { CompiledLua, LuaCompileOptions, LuaConfig, LuaRequestModel, LuaResponseModel } from '../../../src/scripting/lua/types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

const open: CompiledLua[] = [];

export async function compile(cfg: LuaConfig, opts: Partial<LuaCompileOptions> = {}): Promise<CompiledLua> {
  const c = await compileLuaScripts(cfg, { baseDir: FIXTURES, pointer: '/extra_config/modifier~1lua-backend', scope: 'backend', ...opts });
  open.push(c);
  return c;
}

export function closeAll(): void {
  for (const c of open.splice(0)) c.close();
}

export function req(over: Partial<LuaRequestModel> = {}): LuaRequestModel {
  return { method: 'GET', url: '', path: '/', query: {}, headers: {}, body: '', params: {}, ...over };
}

export function resp(over: Partial<LuaResponseModel> = {}): LuaResponseModel {
  return { status: 0, headers: {}, body: '', data: {}, isComplete: true, ...over };
}

/** Runs `code` as `pre`; the script reports through `request.load():body(...)`. */
export async function probe(code: string, opts: Partial<LuaCompileOptions> = {}): Promise<string> {
  const c = await compile({ pre: `local __r = request.load(); local function out(v) __r:body(tostring(v)) end\n${code}` }, opts);
  const r = await c.runPre(req());
  assert.ok(r.ok, `script failed: ${JSON.stringify(r)}`);
  return r.model.body;
}
