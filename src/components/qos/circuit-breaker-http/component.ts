// `qos/circuit-breaker/http` (backend, KrakenD EE name): the circuit breaker plus
// `valid_status_codes`: a no-op backend answering any other status counts as a failure (the
// plain breaker never inspects no-op statuses, krakend-ce#895). The runtime; schema.ts loads it
// on first use.
import type { BuildEnv, Stage } from '../../types.js';
import { buildBreaker, type BreakerCfg } from '../circuit-breaker/build.js';

export function build(cfg: BreakerCfg, env: BuildEnv): Stage {
  return buildBreaker(cfg, env, 'qos/circuit-breaker/http');
}
