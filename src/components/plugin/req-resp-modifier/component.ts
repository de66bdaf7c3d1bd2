// `plugin/req-resp-modifier` (endpoint level): only the EE `ip-filter` modifier is implemented.
// Deviation: a blocked client gets 403, as at service level (EE answers 500 here unless the
// backend uses return_error_code), and the backend is never called.
import { COMMENT_KEYS } from '../../../config/schema.js';
import { compileIpFilter } from '../../ip-filter/compile.js';
import { ipFilterSchema, type IpFilterConfig } from '../../ip-filter/schema.js';
import type { ComponentSpec, Rejection, Stage } from '../../types.js';
import { checkPluginNames } from '../http-server/component.js';

const FORBIDDEN: Rejection = Object.freeze({ status: 403 });

interface ReqRespPluginConfig {
  name: string[];
  'ip-filter'?: IpFilterConfig;
}

function build(c: ReqRespPluginConfig, env: Parameters<NonNullable<ComponentSpec['build']>>[1]): Stage | null {
  checkPluginNames(c.name, c as unknown as Record<string, unknown>, ['ip-filter']);
  const ipFilter = compileIpFilter(c['ip-filter']!, env.service.router, env.log, env.pointer);
  return { onRequest: (ctx) => (ipFilter(ctx) ? FORBIDDEN : undefined) };
}

export const reqRespPluginComponent: ComponentSpec = {
  namespace: 'plugin/req-resp-modifier',
  schemas: {
    endpoint: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['name'],
      properties: {
        name: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
        'ip-filter': ipFilterSchema,
      },
    },
  },
  phase: 'edge',
  build,
};
