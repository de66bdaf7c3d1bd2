// The JSON Schema shared by the three Lua namespaces (KrakenD v2.13 modifier/lua.json). A copy
// of src/scripting/lua/schema.ts's object, kept here because schema files may not import an
// engine folder (the registry is on every start's import path); a unit test keeps both equal.
import { COMMENT_KEYS } from '../../../config/schema.js';

export const luaNamespaceSchema = {
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

/** The config value of any Lua namespace (the engine's own type). */
export type { LuaConfig } from '../../../scripting/lua/types.js';
