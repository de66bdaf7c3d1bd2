// JSON Schema of `auth/basic` (KrakenD EE): an htpasswd file and/or inline users with bcrypt
// hashes, at service level (defaults) and endpoint level ({} inherits the service block).
// Also the registry's spec: the runtime (component.ts, with bcryptjs) is imported on first use.
import { defineComponent } from '../../types.js';
import type { FromSchema } from '../../../config/schema-type.js';
import { COMMENT_KEYS } from '../../../config/schema.js';

export const basicSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  properties: {
    htpasswd_path: { type: 'string', minLength: 1 },
    users: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
  },
} as const;

export type BasicConfig = FromSchema<typeof basicSchema>;

export const basicComponent = defineComponent<BasicConfig>({
  namespace: 'auth/basic',
  schemas: { service: basicSchema, endpoint: basicSchema },
  phase: 'authenticate',
  load: () => import('./component.js'),
});
