// `redis` (service, KrakenD EE name): named Redis connection pools that Redis-backed limits refer
// to with `connection_name`. Config only: a pool is connected by the first limit that uses it
// (ratelimit-shared/redis-pools.ts). Redis Cluster (`clusters`) is not supported yet and is
// refused as an unknown field. The password is never logged. The checks beyond the schema
// (component.ts) are imported on first use.
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

export const redisComponent: ComponentSpec = {
  namespace: 'redis',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['connection_pools'],
      properties: { connection_pools: { type: 'array', minItems: 1, items: pool } },
    },
  },
  load: () => import('./component.js'),
};
