// The four KrakenD limit namespaces that share one shape (router, service, and their EE /redis
// variants) differ only in scope, id and whether a Redis connection is mandatory. Their runtime
// (limit-runtime.ts: limiters, Redis pools) is imported on first use.
import { defineComponent, type BuildEnv, type ComponentSpec, type Guard, type Requirement } from '../../types.js';
import type { LimitCfg } from './build-limit.js';

export function limiterScopeId(env: BuildEnv, namespace: string): string {
  return env.scope === 'service' ? `service ${namespace}` : `${env.endpoint.method} ${env.endpoint.path} ${namespace}`;
}

/**
 * Service-level limits run before routing, on every path: the gateway's own health check is
 * exempt, so an orchestrator never takes a busy but healthy node out of rotation.
 */
export function exemptHealth(guard: Guard, env: BuildEnv): Guard {
  if (env.scope !== 'service' || env.service.router.disableHealth) return guard;
  const health = env.service.router.healthPath;
  return (ctx) => (ctx.path === health ? undefined : guard(ctx));
}

/** A limit keyed by a JWT claim reads what auth/validator verified. */
export const CLAIM_NEEDS_VALIDATOR: Requirement = Object.freeze({
  namespace: 'auth/validator',
  why: 'strategy "claim" reads the claims of a validated token: add "auth/validator" to this endpoint',
});

/** Whether an endpoint-level limit is keyed by a claim (a service-level one is refused at build). */
export function keyedByClaim(c: LimitCfg | undefined): boolean {
  return c?.strategy?.toLowerCase() === 'claim';
}

export function limitComponent(namespace: string, scope: 'service' | 'endpoint', schema: object): ComponentSpec {
  return defineComponent<LimitCfg>({
    namespace,
    schemas: { [scope]: schema },
    phase: 'admit',
    requires: (c, at) => (at === 'endpoint' && keyedByClaim(c) ? [CLAIM_NEEDS_VALIDATOR] : []),
    load: async () => (await import('./limit-runtime.js')).limitRuntime(namespace, scope),
  });
}
