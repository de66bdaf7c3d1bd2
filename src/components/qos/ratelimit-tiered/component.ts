// `qos/ratelimit/tiered` (service or endpoint, KrakenD EE name and fields): the limits depend on
// the caller's tier (gold/silver/...), read from the header `tier_key` (EE) or, Rampart
// addition, from the validated JWT claim `tier_claim` (endpoint level, needs auth/validator).
// Each tier has `ratelimit` (memory, or Redis with connection_name) or `ratelimit_redis` (EE), and
// optionally a Rampart `quota`: at most `max` requests per `every` per client, in fixed windows
// aligned to the Unix epoch ("24h" resets at 00:00 UTC).
// Tiers are tried in order, the first match applies: `literal` (the exact value), `policy` (an
// expression over `value` on the policy engine, data-protection/policies/tier-policy.ts, loaded
// only when a tier uses it) or the `*` catch-all, which must be last. Choices where EE is silent:
// a request without the header (or claim) matches only `*`; one that matches no tier is refused
// with 403 (never given an unlimited pass).
// The runtime; schema.ts (the schemas) loads it on first use.
import { compileChecks, type Check } from '../../../ratelimit/checks.js';
import { claimText, compilePath, headerText } from '../../../ratelimit/client-key.js';
import type { Limiter } from '../../../ratelimit/limiter.js';
import type { TieredCfg } from './schema.js';
import type { BuildEnv, Guard, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';
import { buildLimit, refuseGatewaySetHeaderAtService } from '../ratelimit-shared/build-limit.js';
import { exemptHealth, limiterScopeId } from '../ratelimit-shared/limit-component.js';
import { buildQuota } from './quota.js';
import { PointedError } from '../../../core/config-error.js';

const NAMESPACE = 'qos/ratelimit/tiered';
const NO_TIER: Rejection = refusal('limit.no_tier', 'qos/ratelimit/tiered', 'no tier matches');

export async function build(cfg: TieredCfg, env: BuildEnv): Promise<Stage> {
  if ((cfg.tier_key === undefined) === (cfg.tier_claim === undefined)) throw new Error('set exactly one of tier_key (a header) or tier_claim (a JWT claim)');
  if (cfg.tier_claim !== undefined) {
    if (env.scope !== 'endpoint')
      throw new Error(
        'tier_claim is not available at service level: service limits run before authentication; propagate the claim to a header or use an endpoint-level tiered limit',
      );
  }
  if (cfg.tier_key !== undefined && env.scope === 'service') refuseGatewaySetHeaderAtService(cfg.tier_key, env, 'tier_key: ');
  const lower = cfg.tier_key?.toLowerCase() ?? '';
  const path = cfg.tier_claim ? compilePath(cfg.tier_claim) : [];
  const tierOf =
    cfg.tier_key !== undefined ? (ctx: Parameters<Guard>[0]) => headerText(ctx, lower) : (ctx: Parameters<Guard>[0]) => claimText(ctx.claims, path);
  const base = limiterScopeId(env, NAMESPACE);
  const byValue = new Map<string, Guard>();
  // In config order, once a policy tier exists (literal ones then keep their place in the order).
  const ordered: { test: (v: string) => boolean; guard: Guard }[] = [];
  let catchAll: Guard | undefined;
  const limiters: Limiter[] = [];
  for (let i = 0; i < cfg.tiers.length; i++) {
    const t = cfg.tiers[i];
    const where = `tiers/${i}: `;
    const as = t.tier_value_as ?? 'literal';
    if (catchAll) throw new Error(`${where}comes after the "*" tier and would never match`);
    const value = t.tier_value ?? '';
    let test: ((v: string) => boolean) | undefined;
    if (as === 'policy') test = await compilePolicyTier(value, i);
    if (as === 'literal' && value === '') throw new Error(`${where}tier_value is required for a literal tier`);
    if (as === 'literal' && byValue.has(value)) throw new Error(`${where}tier_value "${t.tier_value}" is listed twice`);
    if (t.ratelimit && t.ratelimit_redis) throw new Error(`${where}set ratelimit or ratelimit_redis, not both`);
    const label = as === '*' ? '*' : value;
    const limit = t.ratelimit ?? t.ratelimit_redis;
    const checks: Check[] = [];
    if (limit) {
      const built = await buildLimit(
        limit,
        { env, id: `${base} tier ${label}`, sharedName: `tier-${label}`, minEveryMs: 1000 },
        `${where}${t.ratelimit ? 'ratelimit' : 'ratelimit_redis'}: `,
      );
      checks.push(...built.checks);
      limiters.push(...built.limiters);
    }
    if (t.quota) {
      const q = await buildQuota(t.quota, limit, env, `${base} tier ${label} quota`, where);
      checks.push(q.check);
      limiters.push(q.limiter);
    }
    const guard = compileChecks(checks);
    if (as === '*') catchAll = guard;
    else if (test) ordered.push({ test, guard });
    else {
      byValue.set(value, guard);
      ordered.push({ test: (v) => v === value, guard });
    }
  }
  const fallback = catchAll;
  const hasPolicy = ordered.length > byValue.size;
  const guard: Guard = hasPolicy
    ? (ctx) => {
        const v = tierOf(ctx);
        if (v !== undefined) for (const t of ordered) if (t.test(v)) return t.guard(ctx);
        return fallback ? fallback(ctx) : NO_TIER;
      }
    : (ctx) => {
        const v = tierOf(ctx);
        const g = (v !== undefined ? byValue.get(v) : undefined) ?? fallback;
        return g ? g(ctx) : NO_TIER;
      };
  return {
    onRequest: exemptHealth(guard, env),
    close: () => limiters.forEach((l) => l.close()),
  };
}

/** A policy tier's test, compiled on the policy engine (imported only for such tiers). */
async function compilePolicyTier(text: string, i: number): Promise<(v: string) => boolean> {
  const { compileTierPolicy } = await import('../../../data-protection/policies/tier-policy.js');
  const { DataProtectionConfigError } = await import('../../../data-protection/compile-error.js');
  const at = `/tiers/${i}/tier_value`;
  try {
    return compileTierPolicy(text, at);
  } catch (err) {
    if (err instanceof DataProtectionConfigError) throw new PointedError(at, err.reason);
    throw err;
  }
}
