// The answers of a refused request: status, Retry-After (RFC 9110 §10.2.3) and the RateLimit
// fields of draft-ietf-httpapi-ratelimit-headers (-08 and later: `RateLimit-Policy:
// "name";q=<units>;w=<seconds>` and `RateLimit: "name";r=0;t=<seconds>`). Rejections are
// frozen and memoised by the retry time in seconds, so a flood of refused requests allocates
// nothing.
import { securityEvent, type Rejection } from '../core/request.js';
import type { ErrorCode } from '../core/error-codes.js';
import { policyQuota, type Policy } from './policy.js';

const CACHE_SECONDS = 3600;

export type RejectFor = (retryMs: number) => Rejection;

/** The code of a limit by its name: every tier is `limit.tier` (its label is in the reason). */
function codeOf(name: string): ErrorCode {
  if (name.startsWith('tier-')) return 'limit.tier';
  switch (name) {
    case 'client':
      return 'limit.client';
    case 'endpoint':
      return 'limit.endpoint';
    case 'service':
      return 'limit.service';
    case 'quota':
      return 'limit.quota';
    default:
      throw new Error(`no error code for the "${name}" limit`);
  }
}

export function compileRejection(status: number, name: string, policy: Policy | undefined): RejectFor {
  const cache: Rejection[] = [];
  const quota = policy ? policyQuota(policy) : undefined;
  const policyHeader = quota ? `"${name}";q=${quota.q};w=${quota.w}` : undefined;
  const event = securityEvent(codeOf(name), 'qos/ratelimit', `${name} limit exceeded`);
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
