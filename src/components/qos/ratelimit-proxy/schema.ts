// `qos/ratelimit/proxy` as the registry sees it; the runtime (component.ts, with the limiters and
// their Redis client) is imported on first use.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const ratelimitProxyComponent: ComponentSpec = {
  namespace: 'qos/ratelimit/proxy',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['max_rate'],
      properties: {
        max_rate: { type: 'number', minimum: 0 },
        capacity: { type: 'integer', minimum: 0 },
        every: duration,
        connection_name: { type: 'string', minLength: 1 },
        connection_pool: { type: 'string', minLength: 1 },
        on_failure_allow: { type: 'boolean' },
        on_redis_failure: { type: 'string', enum: ['local', 'allow', 'deny'] },
      },
    },
  },
  load: () => import('./component.js'),
};
