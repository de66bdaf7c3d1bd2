// `plugin/req-resp-modifier` (endpoint level): only the EE `ip-filter` modifier is implemented.
// Deviation: a blocked client gets 403, as at service level (EE answers 500 here unless the
// backend uses return_error_code), and the backend is never called. The runtime; schema.ts loads
// it on first use.
import { compileIpFilter } from '../../ip-filter/compile.js';
import type { IpFilterConfig } from '../../ip-filter/schema.js';
import type { BuildEnv, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';
import { checkPluginNames } from '../plugin-names.js';

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
  return { onRequest: (ctx) => (ipFilter(ctx) ? FORBIDDEN : undefined) };
}
