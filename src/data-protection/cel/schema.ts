// JSON Schema of `validation/cel` (KrakenD v2.13: a list of {check_expr}; mod_expr refused).
// The expressions themselves are checked when compiled.
import { COMMENT_KEYS } from '../../config/schema.js';

export const celSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 64,
  items: {
    type: 'object',
    additionalProperties: false,
    patternProperties: COMMENT_KEYS,
    required: ['check_expr'],
    properties: { check_expr: { type: 'string', minLength: 1, maxLength: 4096 } },
  },
} as const;
