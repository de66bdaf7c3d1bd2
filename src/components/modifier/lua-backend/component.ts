// `modifier/lua-backend` (KrakenD CE): `pre` runs on the HTTP request about to reach this backend
// (full URL, headers, query, body; Stage.onUpstreamRequest, so after the circuit breaker and the
// proxy rate limit, and a failure counts for the breaker), `post` on what the backend produced
// (backend-level onResponse). `skip_next` answers an empty response instead of calling the
// backend. A script may change the URL only to one of this backend's own hosts.
import type { LuaConfig } from '../../../scripting/lua/types.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import { buildLua } from '../lua-shared/build-lua.js';
import { handlePre } from './handle-pre.js';
import { handlePost } from './handle-post.js';

export async function build(cfg: LuaConfig, env: BuildEnv): Promise<Stage | null> {
  const benv = backendEnv(env);
  const lua = await buildLua(cfg, env, 'backend');
  if (!lua.hasPre && !lua.hasPost && !lua.skipNext) {
    lua.close();
    return null;
  }
  const origins = new Set(benv.backend.hosts.map((h) => new URL(h).origin));
  const propagated = propagatedParams(benv.endpoint.extra);
  const stage: Stage = { close: () => lua.close() };
  if (lua.hasPre || lua.skipNext) stage.onUpstreamRequest = handlePre(lua, { origins, propagated, log: env.log });
  if (lua.hasPost) stage.onResponse = handlePost(lua, env.log);
  return stage;
}

/** The endpoint's `proxy.sequential_propagated_params` (e.g. `resp0_first.foo`, `resp0`). */
function propagatedParams(extra: Record<string, unknown>): string[] {
  const proxy = extra.proxy as { sequential?: boolean; sequential_propagated_params?: unknown } | undefined;
  if (!proxy?.sequential || !Array.isArray(proxy.sequential_propagated_params)) return [];
  return proxy.sequential_propagated_params.filter((x): x is string => typeof x === 'string');
}
