// `plugin/http-server` as the registry sees it; the runtime (component.ts) is imported on first use.
import { COMMENT_KEYS } from '../../../config/schema.js';
import { geoipSchema } from '../../geoip/schema.js';
import { ipFilterSchema } from '../../ip-filter/schema.js';
import type { ComponentSpec } from '../../types.js';

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
  load: () => import('./component.js'),
};
