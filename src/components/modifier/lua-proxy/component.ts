// `modifier/lua-proxy` (KrakenD CE, endpoint): `pre` wraps the endpoint's merged proxy and changes
// what every backend call starts from (headers, query, params, body); `post` is an endpoint
// response hook on the merged data (data, isComplete, headers, status). `skip_next` answers an
// empty response instead of calling the backends.
import type { LuaConfig } from '../../../scripting/lua/types.js';
import type { BuildEnv, Stage } from '../../types.js';
import { buildLua } from '../lua-shared/build-lua.js';
import { handleProxyPre } from './handle-pre.js';
import { handleProxyPost } from './handle-post.js';

export async function build(cfg: LuaConfig, env: BuildEnv): Promise<Stage | null> {
  if (env.scope !== 'endpoint') throw new Error(`only allowed at endpoint level, not at ${env.scope} level`);
  const lua = await buildLua(cfg, env, 'proxy');
  if (!lua.hasPre && !lua.hasPost && !lua.skipNext) {
    lua.close();
    return null;
  }
  const stage: Stage = { close: () => lua.close() };
  if (lua.hasPre || lua.skipNext) stage.around = handleProxyPre(lua, env.log);
  if (lua.hasPost) stage.onResponse = handleProxyPost(lua, env.log);
  return stage;
}
