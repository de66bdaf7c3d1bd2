// `qos/ratelimit/proxy` (backend): limits the rate at which the gateway calls one backend,
// whatever endpoint or client the calls come from. A refused call is a backend failure (as in
// KrakenD: error "rate limit exceded", sic), answered 503 instead of KrakenD's 500 (Rampart: the
// backend is being protected, not broken); multi-backend endpoints return a partial answer.
// Rampart places it outside the circuit breaker, so its own refusals never open the breaker.
// The runtime; schema.ts loads it on first use.
import { GatewayError } from '../../../core/gateway-error.js';
import { createLimiter } from '../../../ratelimit/create-limiter.js';
import { limitMetrics } from '../../../ratelimit/metrics.js';
import { defaultCapacity, ratePolicy } from '../../../ratelimit/policy.js';
import { errorResult, type BackendHandler, type BackendResult } from '../../../core/backend-result.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import { parseEvery, parseRedis, type LimitCfg } from '../ratelimit-shared/build-limit.js';

const LIMITED = new GatewayError('backend.rate_limited', 'rate limit exceded');

function limited(): BackendResult {
  return errorResult(LIMITED);
}

export async function build(cfg: LimitCfg, env: BuildEnv): Promise<Stage> {
  const max = cfg.max_rate ?? 0;
  if (!(max > 0)) throw new Error('max_rate must be above 0 (KrakenD silently disables a 0 limit; Rampart refuses it)');
  // No 1-second minimum here, as in KrakenD's proxy limiter.
  const everyMs = parseEvery(cfg.every, 1, env);
  const redis = await parseRedis(cfg, env);
  const { endpoint: ep, backend: b } = backendEnv(env);
  const index = b.pointer.slice(b.pointer.lastIndexOf('/') + 1);
  const id = `${ep.method} ${ep.path} backend ${index} qos/ratelimit/proxy`;
  const policy = ratePolicy(max, everyMs, cfg.capacity || defaultCapacity(max, everyMs));
  const limiter = createLimiter({ id, policy, maxKeys: 1, sweepMs: 60_000, redis: redis && { ...redis, prefix: `${redis.prefix}${id}:` } }, env.log);
  const refused = limitMetrics.rejectedCell(id);
  return {
    around:
      (next: BackendHandler): BackendHandler =>
      (input) => {
        const r = limiter.take('');
        if (typeof r === 'number') {
          if (r >= 0) return next(input);
          refused.n++;
          return Promise.resolve(limited());
        }
        return r.then((v) => {
          if (v >= 0) return next(input);
          refused.n++;
          return limited();
        });
      },
    close: () => limiter.close(),
  };
}
