// `qos/ratelimit/tiered` as the registry sees it (its schemas, the tier `quota` included); the
// runtime (component.ts, quota.ts: limiters and their Redis client) is imported on first use.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import { defineComponent, type Requirement } from '../../types.js';
import type { LimitCfg } from '../ratelimit-shared/build-limit.js';
import type { QuotaCfg } from './quota.js';
import { CLAIM_NEEDS_VALIDATOR, keyedByClaim } from '../ratelimit-shared/limit-component.js';
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

export interface TierCfg {
  tier_value?: string;
  tier_value_as?: 'literal' | 'policy' | '*';
  ratelimit?: LimitCfg;
  ratelimit_redis?: LimitCfg;
  quota?: QuotaCfg;
}

export interface TieredCfg {
  tier_key?: string;
  tier_claim?: string;
  tiers: TierCfg[];
}

const TIER_CLAIM_NEEDS_VALIDATOR: Requirement = Object.freeze({
  namespace: 'auth/validator',
  why: 'tier_claim reads the claims of a validated token: add "auth/validator" to this endpoint',
});

export const ratelimitTieredComponent = defineComponent<TieredCfg>({
  namespace: 'qos/ratelimit/tiered',
  schemas: { service: schema, endpoint: schema },
  phase: 'admit',
  requires(c, scope) {
    if (scope !== 'endpoint') return [];
    const out: Requirement[] = [];
    if (c.tier_claim !== undefined) out.push(TIER_CLAIM_NEEDS_VALIDATOR);
    if (c.tiers.some((t) => keyedByClaim(t.ratelimit) || keyedByClaim(t.ratelimit_redis))) out.push(CLAIM_NEEDS_VALIDATOR);
    return out;
  },
  load: () => import('./component.js'),
});
