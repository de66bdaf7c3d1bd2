// Startup for every Lua namespace: compiles the scripts with the gateway's choices (sources
// relative to the config file, `allow_open_libs` mapped to the safe set, `http_response` only
// to the hosts the config's backends declare) and turns an engine error into a startup problem
// at its own JSON pointer (…/modifier~1lua-backend/md5/x.lua: reason).
import { dirname } from 'node:path';
import { pointedFrom } from '../../../core/config-error.js';
import { compileLuaScripts, LuaConfigError } from '../../../scripting/lua/compile-lua-scripts.js';
import type { CompiledLua, LuaConfig } from '../../../scripting/lua/types.js';
import type { BuildEnv } from '../../types.js';

/** Every backend host of the config, as origins: the only places a script may call. */
function declaredOrigins(raw: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const endpoints = Array.isArray(raw.endpoints) ? raw.endpoints : [];
  for (const e of endpoints) {
    const backends = e && typeof e === 'object' && Array.isArray((e as { backend?: unknown }).backend) ? (e as { backend: unknown[] }).backend : [];
    for (const b of backends) {
      const hosts = b && typeof b === 'object' && Array.isArray((b as { host?: unknown }).host) ? (b as { host: unknown[] }).host : [];
      for (const h of hosts) {
        if (typeof h !== 'string') continue;
        try {
          // Only http(s) hosts are origins http_response may call: a websocket (ws://),
          // broker (amqp://) or pub/sub backend's host is not one (its URL origin is "ws://…" or
          // "null"), and must not fail the Lua block of another endpoint (issue #18).
          const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(h) ? h : `http://${h}`);
          if (u.protocol === 'http:' || u.protocol === 'https:') out.add(u.origin);
        } catch {
          /* the backend's own validation reports it */
        }
      }
    }
  }
  return [...out];
}

export async function buildLua(cfg: LuaConfig, env: BuildEnv, scope: 'endpoint' | 'proxy' | 'backend'): Promise<CompiledLua> {
  const allowedHosts = env.shared.get('lua:declared-origins', () => declaredOrigins(env.service.raw));
  try {
    return await compileLuaScripts(cfg, {
      baseDir: dirname(env.service.file),
      pointer: env.pointer,
      scope,
      openLibs: 'safe-set',
      http: { allowedHosts },
    });
  } catch (err) {
    if (err instanceof LuaConfigError) throw pointedFrom(env.pointer, err.pointer, err.reason);
    throw err;
  }
}
