// JSON Schema of `auth/revoker` (service level): KrakenD's fields, plus two Rampart objects —
// `admin` (the revocation API listener) and `redis` (sharing revocations between nodes).
// Also the registry's spec: the runtime (component.ts, with the ioredis feed) is imported on
// first use.
import { defineComponent } from '../../types.js';
import type { FromSchema } from '../../../config/schema-type.js';
import { COMMENT_KEYS } from '../../../config/schema.js';

export const revokerSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['N', 'P', 'hash_name', 'TTL', 'token_keys'],
  properties: {
    N: { type: 'integer', minimum: 1 },
    P: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    hash_name: { type: 'string', enum: ['optimal', 'default'] },
    TTL: { type: 'integer', minimum: 1 },
    // KrakenD's Go-RPC port. Rampart does not open it (see README); accepted so KrakenD configs load.
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    token_keys: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    revoke_server_ping_url: { type: 'string' },
    revoke_server_ping_interval: { type: 'string' },
    revoke_server_api_key: { type: 'string' },
    revoke_server_max_retries: { type: 'integer' },
    revoke_server_max_workers: { type: 'integer' },
    // Rampart: the revocation API (off when absent).
    admin: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['port', 'key_sha256'],
      properties: {
        address: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        key_sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
      },
    },
    // Rampart: share revocations with every node using the same Redis.
    redis: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      // Exactly one of url and connection_name (checked by component.ts).
      properties: {
        url: { type: 'string', pattern: '^rediss?://' },
        // A `redis` connection pool or cluster (Redis Cluster) of the service, by name.
        connection_name: { type: 'string', minLength: 1 },
        key_prefix: { type: 'string', minLength: 1 },
        connect_timeout: { type: 'string' },
      },
    },
  },
} as const;

export type RevokerConfig = FromSchema<typeof revokerSchema>;

export const revokerComponent = defineComponent<RevokerConfig>({
  namespace: 'auth/revoker',
  schemas: { service: revokerSchema },
  load: () => import('./component.js'),
});
