// Roles and scopes (docs/reference/auth-and-tls.md §1.4 steps 9-10): a pure function of the claims, so the verified-token
// cache keeps its answer. Claims must be an array of strings or one space-separated string;
// anything else (including a non-string element, which panics KrakenD into a 500) is forbidden.
import { compilePath, readPath } from '../common/claim-path.js';

export interface AuthorizeRules {
  roles?: string[];
  rolesKey: string;
  rolesKeyIsNested: boolean;
  scopes?: string[];
  scopesKey?: string;
  scopesMatcher: 'any' | 'all';
}

/** undefined = nothing to check; otherwise true when the claims grant access. */
export type Authorizer = ((claims: Record<string, unknown>) => boolean) | undefined;

function asList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return v.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

export function compileAuthorizer(r: AuthorizeRules): Authorizer {
  const checks: ((c: Record<string, unknown>) => boolean)[] = [];
  if (r.roles && r.roles.length > 0) {
    const wanted = r.roles;
    const path = compilePath(r.rolesKey, r.rolesKeyIsNested);
    checks.push((c) => {
      const have = asList(readPath(c, path));
      return !!have && wanted.some((x) => have.includes(x));
    });
  }
  if (r.scopes && r.scopes.length > 0 && r.scopesKey) {
    const wanted = r.scopes;
    // Scope keys are always paths (krakend-jose), except URL-like names.
    const path = compilePath(r.scopesKey, true);
    const all = r.scopesMatcher === 'all';
    checks.push((c) => {
      const have = asList(readPath(c, path));
      if (!have || have.length === 0) return false;
      return all ? wanted.every((x) => have.includes(x)) : wanted.some((x) => have.includes(x));
    });
  }
  if (checks.length === 0) return undefined;
  return (c) => checks.every((f) => f(c));
}
