// The four KrakenD limit namespaces that share one shape (router, service, and their EE /redis
// variants) differ only in scope, id and whether a Redis connection is mandatory. Their runtime
// (limit-runtime.ts: limiters, Redis pools) is imported on first use.
import type { BuildEnv, ComponentSpec, Guard } from '../../types.js';

export function limiterScopeId(env: BuildEnv, namespace: string): string {
  return env.scope === 'service' ? `service ${namespace}` : `${env.endpoint!.method} ${env.endpoint!.path} ${namespace}`;
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

export function limitComponent(namespace: string, scope: 'service' | 'endpoint', schema: object): ComponentSpec {
  return {
    namespace,
    schemas: { [scope]: schema },
    phase: 'admit',
    load: async () => (await import('./limit-runtime.js')).limitRuntime(namespace, scope),
  };
}
