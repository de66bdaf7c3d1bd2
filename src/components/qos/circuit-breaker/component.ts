// `qos/circuit-breaker` (backend, KrakenD CE): stop calling a failing backend for a while.
// While open, calls fail at once with 503 (KrakenD: 500) and the backend is not contacted.
// One breaker per backend definition per process (as KrakenD); state changes are logged with
// `log_status_change` and always exported through states.ts.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';
import { buildBreaker, type BreakerCfg } from './build.js';

export const breakerProperties = {
  interval: { type: 'integer', minimum: 0 },
  timeout: { type: 'integer', minimum: 0 },
  max_errors: { type: 'integer', minimum: 0 },
  name: { type: 'string' },
  log_status_change: { type: 'boolean' },
} as const;

export const circuitBreakerComponent: ComponentSpec = {
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
  build(cfg: BreakerCfg, env) {
    if ('qos/circuit-breaker/http' in env.siblings) throw new Error('use either qos/circuit-breaker or qos/circuit-breaker/http on a backend, not both');
    return buildBreaker(cfg, env, 'qos/circuit-breaker');
  },
};
