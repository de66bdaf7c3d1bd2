// `qos/circuit-breaker` (backend, KrakenD CE): stop calling a failing backend for a while.
// While open, calls fail at once with 503 (KrakenD: 500) and the backend is not contacted.
// One breaker per backend definition per node: under `--workers N` the cluster primary holds it
// and workers mirror it (node-coordinator.ts), so max_errors counts the node's failures (KrakenD:
// one per process, and one process per node). State changes are logged with
// `log_status_change` and always exported through states.ts. The runtime; schema.ts loads it on
// first use.
import type { BuildEnv, Stage } from '../../types.js';
import { buildBreaker, type BreakerCfg } from './build.js';

export function build(cfg: BreakerCfg, env: BuildEnv): Stage {
  return buildBreaker(cfg, env, 'qos/circuit-breaker');
}
