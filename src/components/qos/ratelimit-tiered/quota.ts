// The Rampart `quota` of a tier: at most `max` requests per `every` per client, in fixed windows
// aligned to the Unix epoch ("24h" resets at 00:00 UTC). The client is identified by the quota's
// own strategy/key, or its tier limit's; it follows the tier limit's Redis pool unless it names
// its own. Refusals: 429 with Retry-After = the end of the window. (Its schema: schema.ts.)
import { parseDuration } from '../../../config/duration.js';
import type { Check } from '../../../ratelimit/checks.js';
import { compileClientKey } from '../../../ratelimit/client-key.js';
import { createLimiter } from '../../../ratelimit/create-limiter.js';
import type { Limiter } from '../../../ratelimit/limiter.js';
import { limitMetrics } from '../../../ratelimit/metrics.js';
import { windowPolicy } from '../../../ratelimit/policy.js';
import { compileRejection } from '../../../ratelimit/rejection.js';
import type { BuildEnv } from '../../types.js';
import { DEFAULT_MAX_TRACKED, MISSING_IDENTITY, parseRedis, parseStrategy, type LimitCfg } from '../ratelimit-shared/build-limit.js';

export interface QuotaCfg extends LimitCfg {
  max: number;
  every: string;
}

export async function buildQuota(
  q: QuotaCfg,
  limit: LimitCfg | undefined,
  env: BuildEnv,
  id: string,
  where: string,
): Promise<{ check: Check; limiter: Limiter }> {
  // The quota counts per client: its own strategy/key, or the tier limit's.
  const key = q.key ?? (q.strategy === undefined ? limit?.key : undefined);
  const strategy = parseStrategy(q.strategy ?? limit?.strategy, key, env, `${where}quota: `);
  const periodMs = parseDuration(q.every);
  if (!periodMs || periodMs < 1000) throw new Error(`${where}quota: every must be at least 1s`);
  // A quota follows its tier's Redis pool unless it names its own.
  const redis = await parseRedis({ ...q, connection_name: q.connection_name ?? limit?.connection_name ?? limit?.connection_pool }, env, `${where}quota: `);
  const policy = windowPolicy(q.max, periodMs);
  const limiter = createLimiter(
    { id, policy, maxKeys: q.max_tracked_clients ?? DEFAULT_MAX_TRACKED, sweepMs: 60_000, redis: redis && { ...redis, prefix: `${redis.prefix}${id}:` } },
    env.log,
  );
  const keyOf = compileClientKey(strategy, key, env.service.router.trustedProxies);
  return {
    limiter,
    check: { limiter, keyOf, reject: compileRejection(429, 'quota', policy), missing: MISSING_IDENTITY, refused: limitMetrics.rejectedCell(id) },
  };
}
