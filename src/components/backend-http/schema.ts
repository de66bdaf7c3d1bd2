import { COMMENT_KEYS } from '../../config/schema.js';
import type { ComponentSpec } from '../types.js';

// `extra_config["backend/http"]`: how a failing backend is reported. Both options are opt-in
// leaks of upstream detail; the default hides it.
export const backendHttpComponent: ComponentSpec = {
  namespace: 'backend/http',
  schemas: {
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        return_error_details: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9_.-]+$' },
        return_error_code: { type: 'boolean' },
      },
    },
  },
};
