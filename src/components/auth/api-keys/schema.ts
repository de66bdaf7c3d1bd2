// JSON Schema of `auth/api-keys` (KrakenD EE): keys and defaults at service level, required roles
// at endpoint level. Rampart addition: `allow_plain_keys` (plain keys are refused without it).
// Also the registry's spec: the runtime (component.ts) is imported on first use.
import { defineComponent } from '../../types.js';
import type { FromSchema } from '../../../config/schema-type.js';
import { COMMENT_KEYS } from '../../../config/schema.js';

const headerOrParam = { type: 'string', minLength: 1, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" } as const;

export const apiKeysServiceSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        patternProperties: COMMENT_KEYS,
        required: ['key', 'roles'],
        properties: {
          key: { type: 'string', minLength: 1 },
          roles: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
    strategy: { type: 'string', enum: ['header', 'query_string'] },
    identifier: headerOrParam,
    hash: { type: 'string', enum: ['plain', 'fnv128', 'sha256', 'sha1'] },
    salt: { type: 'string' },
    propagate_role: headerOrParam,
    allow_plain_keys: { type: 'boolean' },
  },
} as const;

export const apiKeysEndpointSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['roles'],
  properties: {
    roles: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    client_max_rate: { type: 'number', exclusiveMinimum: 0 },
    strategy: { type: 'string', enum: ['header', 'query_string'] },
    identifier: headerOrParam,
  },
} as const;

export type ApiKeysServiceConfig = FromSchema<typeof apiKeysServiceSchema>;
export type ApiKeysEndpointConfig = FromSchema<typeof apiKeysEndpointSchema>;
/** Service level: the keys; endpoint level: the roles an endpoint admits. */
export type ApiKeysConfig = ApiKeysServiceConfig | ApiKeysEndpointConfig;

export const apiKeysComponent = defineComponent<ApiKeysConfig>({
  namespace: 'auth/api-keys',
  schemas: { service: apiKeysServiceSchema, endpoint: apiKeysEndpointSchema },
  phase: 'authenticate',
  load: () => import('./component.js'),
});
