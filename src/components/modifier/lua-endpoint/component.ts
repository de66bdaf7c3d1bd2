// `modifier/lua-endpoint` (KrakenD CE, service and endpoint): `pre` only, with `ctx` (the HTTP
// request as the router has it). Runs as a guard in phase 'admit'. custom_error refuses the
// request with the script's status and body; a failure answers 500.
import type { LuaConfig } from '../../../scripting/lua/types.js';
import type { BuildEnv, Stage } from '../../types.js';
import { buildLua } from '../lua-shared/build-lua.js';
import { handleCtx } from './handle-ctx.js';

export async function build(cfg: LuaConfig, env: BuildEnv): Promise<Stage | null> {
  const lua = await buildLua(cfg, env, 'endpoint');
  if (!lua.hasPre) {
    lua.close();
    return null;
  }
  return { onRequest: handleCtx(lua, env.log), close: () => lua.close() };
}
