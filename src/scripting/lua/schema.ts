// JSON Schemas of the three Lua namespaces (KrakenD v2.13 modifier/lua.json, in Rampart's own
// words) and their legacy names; the components (src/components/modifier/lua-*) register them.
// Light: it imports no engine module, so the registry may import it. `allow_open_libs` is accepted by the schema so the refusal (or the
// safe-set mapping) can explain itself from compileLuaScripts with its pointer.
import { COMMENT_KEYS } from '../../config/schema.js';

export const luaNamespace = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    sources: { type: 'array', items: { type: 'string', minLength: 1 } },
    pre: { type: 'string' },
    post: { type: 'string' },
    live: { type: 'boolean' },
    allow_open_libs: { type: 'boolean' },
    skip_next: { type: 'boolean' },
    md5: {
      type: 'object',
      additionalProperties: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' },
    },
  },
} as const;

/** Where each namespace may appear (KrakenD v2.13 placement). */
export const LUA_NAMESPACES = {
  'modifier/lua-endpoint': { levels: ['service', 'endpoint'], scope: 'endpoint' },
  'modifier/lua-proxy': { levels: ['endpoint'], scope: 'proxy' },
  'modifier/lua-backend': { levels: ['backend'], scope: 'backend' },
} as const;

/** Legacy namespace -> current name (src/config/krakend-namespaces.ts already maps these). */
export const LUA_LEGACY_NAMESPACES = {
  'github.com/devopsfaith/krakend-lua/router': 'modifier/lua-endpoint',
  'github.com/devopsfaith/krakend-lua/proxy': 'modifier/lua-proxy',
  'github.com/devopsfaith/krakend-lua/proxy/backend': 'modifier/lua-backend',
} as const;

export const luaSchemas = {
  'modifier/lua-endpoint': luaNamespace,
  'modifier/lua-proxy': luaNamespace,
  'modifier/lua-backend': luaNamespace,
} as const;
