// `plugin/http-server` (service level): KrakenD EE's bundled server plugins that Rampart
// implements natively: `ip-filter` (§11) and `geoip` (§12). Any other plugin name is refused at
// startup (Go plugins do not exist here), and so is a settings key whose name is not listed in
// `name` (KrakenD would not load it: a silent no-op filter is worse than an error).
// Runs in the edge phase after security/http and before bot detection and CORS. The runtime;
// schema.ts loads it on first use (geoip brings maxmind).
import { compileGeoip } from '../../geoip/compile.js';
import type { GeoipConfig } from '../../geoip/schema.js';
import { compileIpFilter } from '../../ip-filter/compile.js';
import type { IpFilterConfig } from '../../ip-filter/schema.js';
import type { BuildEnv, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';
import { checkPluginNames } from '../plugin-names.js';

const IP_DENIED: Rejection = refusal('ip.denied', 'ip-filter', 'client IP not allowed');
const GEO_DENIED: Rejection = refusal('geoip.denied', 'geoip', 'client country not allowed');
const IMPLEMENTED = ['ip-filter', 'geoip'];

interface HttpServerPluginConfig {
  name: string[];
  'ip-filter'?: IpFilterConfig;
  geoip?: GeoipConfig;
}

export function build(c: HttpServerPluginConfig, env: BuildEnv): Stage | null {
  checkPluginNames(c.name, c as unknown as Record<string, unknown>, IMPLEMENTED);
  const ipFilter = c['ip-filter'] ? compileIpFilter(c['ip-filter'], env.service.router, env.log, env.pointer) : undefined;
  const geo = c.geoip ? compileGeoip(c.geoip) : undefined;
  if (!ipFilter && !geo) return null;
  return {
    onRequest(ctx) {
      if (ipFilter && ipFilter(ctx)) return IP_DENIED;
      if (geo && geo(ctx)) return GEO_DENIED;
      return undefined;
    },
  };
}
