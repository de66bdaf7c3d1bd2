// `qos/circuit-breaker/http` as the registry sees it; the runtime (component.ts) is imported on
// first use.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';
import { breakerProperties } from '../circuit-breaker/schema.js';

export const circuitBreakerHttpComponent: ComponentSpec = {
  namespace: 'qos/circuit-breaker/http',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['interval', 'timeout', 'max_errors', 'valid_status_codes'],
      properties: {
        ...breakerProperties,
        valid_status_codes: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
      },
    },
  },
  load: () => import('./component.js'),
};
