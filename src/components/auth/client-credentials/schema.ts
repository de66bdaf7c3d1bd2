// JSON Schema of `auth/client-credentials` (backend level, KrakenD CE; `is_disabled` is read by
// the Go code although the schema omits it).
// Also the registry's spec: the runtime (component.ts, with its token client) is imported on
// first use.
import { defineComponent } from '../../types.js';
import type { FromSchema } from '../../../config/schema-type.js';
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

export type ClientCredentialsConfig = FromSchema<typeof clientCredentialsSchema>;

export const clientCredentialsComponent = defineComponent<ClientCredentialsConfig>({
  namespace: 'auth/client-credentials',
  schemas: { backend: clientCredentialsSchema },
  load: () => import('./component.js'),
});
