// JSON Schema of `auth/basic` (KrakenD EE): an htpasswd file and/or inline users with bcrypt
// hashes, at service level (defaults) and endpoint level ({} inherits the service block).
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
