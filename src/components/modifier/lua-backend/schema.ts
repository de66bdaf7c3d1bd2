// `modifier/lua-backend` (backend; legacy github.com/devopsfaith/krakend-lua/proxy/backend) as the
// registry sees it; the runtime (component.ts, the wasmoon engine) is imported on first use.
import type { ComponentSpec } from '../../types.js';
import { defineComponent } from '../../types.js';
import { luaNamespaceSchema, type LuaConfig } from '../lua-shared/lua-schema.js';

export const luaBackendComponent: ComponentSpec = defineComponent<LuaConfig>({
  namespace: 'modifier/lua-backend',
  schemas: { backend: luaNamespaceSchema },
  load: () => import('./component.js'),
});
