// `modifier/lua-endpoint` (service, endpoint; legacy github.com/devopsfaith/krakend-lua/router) as
// the registry sees it: a guard in phase 'admit' (KrakenD: after JWT validation, before the
// router rate limit). The runtime (component.ts, the wasmoon engine) is imported on first use.
import type { ComponentSpec } from '../../types.js';
import { defineComponent } from '../../types.js';
import { luaNamespaceSchema, type LuaConfig } from '../lua-shared/lua-schema.js';

export const luaEndpointComponent: ComponentSpec = defineComponent<LuaConfig>({
  namespace: 'modifier/lua-endpoint',
  schemas: { service: luaNamespaceSchema, endpoint: luaNamespaceSchema },
  phase: 'admit',
  load: () => import('./component.js'),
});
