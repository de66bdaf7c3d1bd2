// `qos/circuit-breaker` as the registry sees it; the runtime (component.ts, build.ts) is imported
// on first use.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const breakerProperties = {
  interval: { type: 'integer', minimum: 0 },
  timeout: { type: 'integer', minimum: 0 },
  max_errors: { type: 'integer', minimum: 0 },
  name: { type: 'string' },
  log_status_change: { type: 'boolean' },
} as const;

export const circuitBreakerComponent: ComponentSpec = {
  excludes: [{ namespace: 'qos/circuit-breaker/http', why: 'use either qos/circuit-breaker or qos/circuit-breaker/http on a backend, not both' }],
  namespace: 'qos/circuit-breaker',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['interval', 'timeout', 'max_errors'],
      properties: breakerProperties,
    },
  },
  load: () => import('./component.js'),
};
