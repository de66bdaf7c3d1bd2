// JSON Schema of `auth/client-credentials` (backend level, KrakenD CE; `is_disabled` is read by
// the Go code although the schema omits it).
// Also the registry's spec: the runtime (component.ts, with its token client) is imported on
// first use.
import type { ComponentSpec } from '../../types.js';
import { COMMENT_KEYS } from '../../../config/schema.js';

export const clientCredentialsSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['client_id', 'client_secret', 'token_url'],
  properties: {
    client_id: { type: 'string', minLength: 1 },
    client_secret: { type: 'string', minLength: 1 },
    token_url: { type: 'string', minLength: 1 },
    scopes: { type: 'string' },
    endpoint_params: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    is_disabled: { type: 'boolean' },
  },
} as const;

export const clientCredentialsComponent: ComponentSpec = {
  namespace: 'auth/client-credentials',
  schemas: { backend: clientCredentialsSchema },
  load: () => import('./component.js'),
};
