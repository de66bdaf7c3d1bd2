// `qos/ratelimit/tiered` as the registry sees it (its schemas, the tier `quota` included); the
// runtime (component.ts, quota.ts: limiters and their Redis client) is imported on first use.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';
import { limitSchema, redisLimitSchema } from '../ratelimit-shared/schema.js';

const quotaSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['max', 'every'],
  properties: {
    max: { type: 'integer', minimum: 1 },
    every: duration,
    strategy: { type: 'string' },
    key: { type: 'string', minLength: 1 },
    max_tracked_clients: { type: 'integer', minimum: 1 },
    connection_name: { type: 'string', minLength: 1 },
    on_failure_allow: { type: 'boolean' },
    on_redis_failure: { type: 'string', enum: ['local', 'allow', 'deny'] },
  },
};

const tierSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    tier_value: { type: 'string' },
    tier_value_as: { type: 'string', enum: ['literal', 'policy', '*'] },
    ratelimit: limitSchema,
    ratelimit_redis: redisLimitSchema,
    quota: quotaSchema,
  },
  anyOf: [{ required: ['ratelimit'] }, { required: ['ratelimit_redis'] }, { required: ['quota'] }],
};

const schema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['tiers'],
  properties: {
    tier_key: { type: 'string', minLength: 1 },
    tier_claim: { type: 'string', minLength: 1 },
    tiers: { type: 'array', minItems: 1, items: tierSchema },
  },
};

export const ratelimitTieredComponent: ComponentSpec = {
  namespace: 'qos/ratelimit/tiered',
  schemas: { service: schema, endpoint: schema },
  phase: 'admit',
  load: () => import('./component.js'),
};
