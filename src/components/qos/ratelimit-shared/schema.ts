// The limit object shared by qos/ratelimit/router, qos/ratelimit/service, their /redis variants
// and each tier of qos/ratelimit/tiered: KrakenD's field names and meanings, plus Rampart fields
// (marked). Cross-field rules that a schema cannot say well are checked in build-limit.ts.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';

export const limitProperties = {
  max_rate: { type: 'number', minimum: 0 },
  capacity: { type: 'integer', minimum: 0 },
  client_max_rate: { type: 'number', minimum: 0 },
  client_capacity: { type: 'integer', minimum: 0 },
  // ip | header | param (KrakenD, case-insensitive) | claim (Rampart): checked at build.
  strategy: { type: 'string' },
  key: { type: 'string', minLength: 1 },
  every: duration,
  // KrakenD's sharded store tuning: accepted for compatibility, not needed by Rampart's store.
  num_shards: { type: 'integer', minimum: 0 },
  cleanup_threads: { type: 'integer', minimum: 0 },
  cleanup_period: duration,
  // Rampart: bound on the per-client buckets kept in memory (default 100 000).
  max_tracked_clients: { type: 'integer', minimum: 1 },
  // Redis (KrakenD EE names): the pool declared in the service `redis` namespace.
  connection_name: { type: 'string', minLength: 1 },
  connection_pool: { type: 'string', minLength: 1 },
  on_failure_allow: { type: 'boolean' },
  // Rampart: what to do while Redis is unreachable (default "local").
  on_redis_failure: { type: 'string', enum: ['local', 'allow', 'deny'] },
} as const;

export const limitSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: limitProperties,
  anyOf: [{ required: ['max_rate'] }, { required: ['client_max_rate'] }],
} as const;

/** The EE `/redis` variants: same object, a connection is mandatory. */
export const redisLimitSchema = {
  ...limitSchema,
  anyOf: [
    { required: ['max_rate', 'connection_name'] },
    { required: ['client_max_rate', 'connection_name'] },
    { required: ['max_rate', 'connection_pool'] },
    { required: ['client_max_rate', 'connection_pool'] },
  ],
} as const;
