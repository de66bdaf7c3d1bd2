// JSON Schema of `security/policies` (EE, krakend-schema v2.13 security/policies.json shape).
// Expressions are checked when compiled; `jwt` is refused at backend level by compilePolicies.
import { COMMENT_KEYS } from '../../config/schema.js';

const policies = { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 4096 } } as const;
const error = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'integer', minimum: 100, maximum: 599 },
    body: { type: 'string' },
    content_type: { type: 'string', minLength: 1, pattern: '^[^\\r\\n]*$' },
  },
} as const;
const section = { type: 'object', additionalProperties: false, required: ['policies'], properties: { policies, error } } as const;

export const policiesSchema = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  anyOf: [{ required: ['req'] }, { required: ['resp'] }, { required: ['jwt'] }],
  properties: {
    req: section,
    resp: section,
    jwt: { type: 'object', additionalProperties: false, required: ['policies'], properties: { policies } },
    auto_join_policies: { type: 'boolean' },
    disable_macros: { type: 'boolean' },
    debug: { type: 'boolean' },
  },
} as const;
