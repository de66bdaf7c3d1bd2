// `plugin/req-resp-modifier` as the registry sees it; the runtime (component.ts) is imported on
// first use.
import { COMMENT_KEYS } from '../../../config/schema.js';
import { ipFilterSchema } from '../../ip-filter/schema.js';
import type { ComponentSpec } from '../../types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['name'],
  properties: {
    name: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
    'ip-filter': ipFilterSchema,
  },
} as const;

export const reqRespPluginComponent: ComponentSpec = {
  namespace: 'plugin/req-resp-modifier',
  // KrakenD's schema allows it at backend level too (issue #18): same plugins, same settings.
  schemas: { endpoint: schema, backend: schema },
  phase: 'edge',
  load: () => import('./component.js'),
};
