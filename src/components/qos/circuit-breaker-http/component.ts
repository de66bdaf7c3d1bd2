// `qos/circuit-breaker/http` (backend, KrakenD EE name): the circuit breaker plus
// `valid_status_codes`: a no-op backend answering any other status counts as a failure (the
// plain breaker never inspects no-op statuses, krakend-ce#895).
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';
import { buildBreaker, type BreakerCfg } from '../circuit-breaker/build.js';
import { breakerProperties } from '../circuit-breaker/component.js';

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
  build(cfg: BreakerCfg, env) {
    return buildBreaker(cfg, env, 'qos/circuit-breaker/http');
  },
};
