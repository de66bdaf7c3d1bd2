// The runtime of the shared-shape limit namespaces (limit-component.ts loads it on first use).
import { compileChecks } from '../../../ratelimit/checks.js';
import type { ComponentRuntime, Stage } from '../../types.js';
import { buildLimit, type LimitCfg } from './build-limit.js';
import { exemptHealth, limiterScopeId } from './limit-component.js';

export function limitRuntime(namespace: string, scope: 'service' | 'endpoint'): ComponentRuntime<LimitCfg> {
  return {
    async build(cfg, env): Promise<Stage> {
      const built = await buildLimit(cfg, { env, id: limiterScopeId(env, namespace), sharedName: scope, minEveryMs: 1000 });
      return {
        onRequest: exemptHealth(compileChecks(built.checks), env),
        close: () => built.limiters.forEach((l) => l.close()),
      };
    },
  };
}
