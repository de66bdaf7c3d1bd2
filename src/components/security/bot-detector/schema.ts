// `security/bot-detector` (service and endpoint level), KrakenD CE fields (§7).
// Also the registry's spec: the runtime (component.ts, with its LRU cache) is imported on
// first use.
import type { ComponentSpec } from '../../types.js';
import { COMMENT_KEYS } from '../../../config/schema.js';

const strings = { type: 'array', items: { type: 'string' } } as const;

export const botDetectorSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    allow: strings,
    deny: strings,
    patterns: { type: 'array', items: { type: 'string', minLength: 1 } },
    cache_size: { type: 'integer', minimum: 0 },
    empty_user_agent_is_bot: { type: 'boolean' },
  },
} as const;

export const botDetectorComponent: ComponentSpec = {
  namespace: 'security/bot-detector',
  schemas: { service: botDetectorSchema, endpoint: botDetectorSchema },
  phase: 'edge',
  load: () => import('./component.js'),
};
