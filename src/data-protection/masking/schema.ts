// JSON Schema of `modifier/response-body` (EE; krakend-schema v2.13 shape). Patterns are
// checked (RE2) when compiled.
import { COMMENT_KEYS } from '../../config/schema.js';

const field = { type: 'string', minLength: 1 } as const;
const find = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const replace = { type: 'string', maxLength: 4096 } as const;
const op = (properties: Record<string, object>, required: string[]) => ({ type: 'object', additionalProperties: false, required, properties }) as const;

export const responseBodySchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['modifiers'],
  properties: {
    modifiers: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        additionalProperties: false,
        properties: {
          literal: op({ field, find, replace }, ['find']),
          regexp: op({ field, find, replace }, ['find']),
          upper: op({ field }, []),
          lower: op({ field }, []),
          trim: op({ field, find }, ['find']),
        },
      },
    },
  },
} as const;
