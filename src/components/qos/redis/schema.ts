// `redis` (service, KrakenD EE name): named Redis connection pools that Redis-backed limits refer
// to with `connection_name`. Config only: a pool is connected by the first limit that uses it
// (ratelimit-shared/redis-pools.ts), and `clusters`: Redis Cluster deployments (KrakenD's
// `addresses`, the seed nodes), reached through ioredis' Cluster client; limits and
// `auth/revoker` name either with `connection_name`. The password is never logged. The checks
// beyond the schema (component.ts) are imported on first use.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

const pool = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['name', 'address'],
  properties: {
    name: { type: 'string', minLength: 1 },
    address: { type: 'string', minLength: 3 },
    db: { type: 'integer', minimum: 0 },
    username: { type: 'string' },
    password: { type: 'string' },
    client_name: { type: 'string' },
    dial_timeout: duration,
    read_timeout: duration,
  },
};

const cluster = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['name', 'addresses'],
  properties: {
    name: { type: 'string', minLength: 1 },
    addresses: { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 } },
    username: { type: 'string' },
    // KrakenD's spelling for clusters.
    user_name: { type: 'string' },
    password: { type: 'string' },
    client_name: { type: 'string' },
    dial_timeout: duration,
    read_timeout: duration,
    max_redirects: { type: 'integer', minimum: 0, maximum: 100 },
  },
};

export const redisComponent: ComponentSpec = {
  namespace: 'redis',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      anyOf: [{ required: ['connection_pools'] }, { required: ['clusters'] }],
      properties: {
        connection_pools: { type: 'array', minItems: 1, items: pool },
        clusters: { type: 'array', minItems: 1, items: cluster },
      },
    },
  },
  load: () => import('./component.js'),
};
