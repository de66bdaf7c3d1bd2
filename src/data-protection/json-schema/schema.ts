// JSON Schemas of the two namespaces, for the config validator (the main engineer registers
// them with the components when wiring the engines into the pipeline).
import { COMMENT_KEYS } from '../../config/schema.js';

/** `validation/json-schema`: the value is itself a JSON Schema (object or boolean). What it may
 * contain (draft, formats, refs, patterns) is checked when it is compiled. */
export const requestJsonSchemaSchema = { type: ['object', 'boolean'] } as const;

/** `validation/response-json-schema` (EE), endpoint and backend level. */
export const responseJsonSchemaSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  required: ['schema'],
  properties: {
    schema: { type: ['object', 'boolean'] },
    error: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'integer', minimum: 100, maximum: 599 },
        body: { type: 'string' },
        content_type: { type: 'string', minLength: 1, pattern: '^[^\\r\\n]*$' },
      },
    },
  },
} as const;
