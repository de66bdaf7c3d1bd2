// `plugin/req-resp-modifier` (endpoint and backend level): only the EE `ip-filter` modifier is
// implemented. Deviation: a blocked client gets 403, as at service level (EE answers 500 here
// unless the backend uses return_error_code), and the backend is never called. At backend level
// the same rule fails that backend alone (403 `ip.denied`, never called), so an endpoint with
// other backends answers partially, as for any failing backend. The runtime; schema.ts loads it
// on first use.
import { compileIpFilter } from '../../ip-filter/compile.js';
import type { IpFilterConfig } from '../../ip-filter/schema.js';
import type { BuildEnv, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';
import { checkPluginNames } from '../plugin-names.js';
import { errorResult } from '../../../core/backend-result.js';
import { GatewayError } from '../../../core/gateway-error.js';

const FORBIDDEN: Rejection = refusal('ip.denied', 'ip-filter', 'client IP not allowed');

interface ReqRespPluginConfig {
  name: string[];
  'ip-filter'?: IpFilterConfig;
}

export function build(c: ReqRespPluginConfig, env: BuildEnv): Stage | null {
  checkPluginNames(c.name, c as unknown as Record<string, unknown>, ['ip-filter']);
  const settings = c['ip-filter'];
  if (!settings) throw new Error('plugin "ip-filter" is listed in "name" but has no "ip-filter" settings');
  const ipFilter = compileIpFilter(settings, env.service.router, env.log, env.pointer);
  if (env.scope === 'backend') {
    return {
      around: (next) => (input) =>
        ipFilter(input.ctx) ? Promise.resolve(errorResult(new GatewayError('ip.denied', 'client IP not allowed', 403))) : next(input),
    };
  }
  return { onRequest: (ctx) => (ipFilter(ctx) ? FORBIDDEN : undefined) };
}
