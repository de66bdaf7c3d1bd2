// The answers of a refused request: status, Retry-After (RFC 9110 §10.2.3) and the RateLimit
// fields of draft-ietf-httpapi-ratelimit-headers (-08 and later: `RateLimit-Policy:
// "name";q=<units>;w=<seconds>` and `RateLimit: "name";r=0;t=<seconds>`). Rejections are
// frozen and memoised by the retry time in seconds, so a flood of refused requests allocates
// nothing.
import { securityEvent, type Rejection } from '../components/types.js';
import { policyQuota, type Policy } from './policy.js';

const CACHE_SECONDS = 3600;

export type RejectFor = (retryMs: number) => Rejection;

export function compileRejection(status: number, name: string, policy: Policy | undefined): RejectFor {
  const cache: Rejection[] = [];
  const quota = policy ? policyQuota(policy) : undefined;
  const policyHeader = quota ? `"${name}";q=${quota.q};w=${quota.w}` : undefined;
  // Codes stay a closed list: every tier is `limit.tier` (its label is in the reason).
  const event = securityEvent(name.startsWith('tier-') ? 'limit.tier' : `limit.${name}`, 'qos/ratelimit', `${name} limit exceeded`);
  const build = (s: number): Rejection => {
    const headers = ['retry-after', String(s)];
    if (policyHeader) headers.push('ratelimit-policy', policyHeader, 'ratelimit', `"${name}";r=0;t=${s}`);
    return Object.freeze({ status, headers: Object.freeze(headers), event });
  };
  return (retryMs) => {
    const s = Math.max(1, Math.ceil(retryMs / 1000));
    if (s > CACHE_SECONDS) return build(s);
    return (cache[s] ??= build(s));
  };
}
