// `plugin/http-server` (service level): KrakenD EE's bundled server plugins that Rampart
// implements natively: `ip-filter` (§11) and `geoip` (§12). Any other plugin name is refused at
// startup (Go plugins do not exist here), and so is a settings key whose name is not listed in
// `name` (KrakenD would not load it: a silent no-op filter is worse than an error).
// Runs in the edge phase after security/http and before bot detection and CORS.
import { COMMENT_KEYS } from '../../../config/schema.js';
import { compileGeoip } from '../../geoip/compile.js';
import { geoipSchema, type GeoipConfig } from '../../geoip/schema.js';
import { compileIpFilter } from '../../ip-filter/compile.js';
import { ipFilterSchema, type IpFilterConfig } from '../../ip-filter/schema.js';
import type { ComponentSpec, Rejection, Stage } from '../../types.js';

const FORBIDDEN: Rejection = Object.freeze({ status: 403 });
const IMPLEMENTED = ['ip-filter', 'geoip'];

interface HttpServerPluginConfig {
  name: string[];
  'ip-filter'?: IpFilterConfig;
  geoip?: GeoipConfig;
}

export function checkPluginNames(names: readonly string[], settings: Record<string, unknown>, implemented: readonly string[]): void {
  for (const n of names) if (!implemented.includes(n)) throw new Error(`plugin "${n}" is not implemented by Rampart (implemented: ${implemented.join(', ')})`);
  for (const k of implemented) if (settings[k] !== undefined && !names.includes(k)) throw new Error(`"${k}" settings are declared but "${k}" is not listed in "name"`);
  for (const n of names) if (settings[n] === undefined) throw new Error(`plugin "${n}" is listed in "name" but has no "${n}" settings`);
}

function build(c: HttpServerPluginConfig, env: Parameters<NonNullable<ComponentSpec['build']>>[1]): Stage | null {
  checkPluginNames(c.name, c as unknown as Record<string, unknown>, IMPLEMENTED);
  const ipFilter = c['ip-filter'] ? compileIpFilter(c['ip-filter'], env.service.router, env.log, env.pointer) : undefined;
  const geo = c.geoip ? compileGeoip(c.geoip) : undefined;
  if (!ipFilter && !geo) return null;
  return {
    onRequest(ctx) {
      if (ipFilter && ipFilter(ctx)) return FORBIDDEN;
      if (geo && geo(ctx)) return FORBIDDEN;
      return undefined;
    },
  };
}

export const httpServerPluginComponent: ComponentSpec = {
  namespace: 'plugin/http-server',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['name'],
      properties: {
        name: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
        'ip-filter': ipFilterSchema,
        geoip: geoipSchema,
      },
    },
  },
  phase: 'edge',
  build,
};
