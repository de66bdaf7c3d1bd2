// `security/cors` (service level), KrakenD CE field names (docs/reference/traffic-and-http-security.md §5).
// Also the registry's spec: the runtime (component.ts) is imported on first use.
import type { ComponentSpec } from '../../types.js';
import { COMMENT_KEYS, duration } from '../../../config/schema.js';

const strings = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

export const corsSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    allow_origins: strings,
    allow_methods: strings,
    allow_headers: strings,
    expose_headers: strings,
    allow_credentials: { type: 'boolean' },
    max_age: duration,
    options_passthrough: { type: 'boolean' },
    options_success_status: { type: 'integer', minimum: 200, maximum: 299 },
    allow_private_network: { type: 'boolean' },
    debug: { type: 'boolean' },
  },
} as const;

export const corsComponent: ComponentSpec = {
  namespace: 'security/cors',
  schemas: { service: corsSchema },
  phase: 'edge',
  load: () => import('./component.js'),
};
