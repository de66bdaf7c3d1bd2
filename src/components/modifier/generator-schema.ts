// The schema the three body generators share (KrakenD EE modifier/body-generator.json's fields):
// an inline base64 template or a file read once at startup. The template itself is parsed by
// the engine at build, where a syntax error stops startup with the pointer of template/path.
import { COMMENT_KEYS } from '../../config/schema.js';

export const GENERATOR_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  patternProperties: COMMENT_KEYS,
  oneOf: [{ required: ['template'] }, { required: ['path'] }],
  properties: {
    template: { type: 'string' },
    path: { type: 'string', minLength: 1 },
    content_type: { type: 'string', minLength: 1 },
    debug: { type: 'boolean' },
    variables: { type: 'object' },
  },
} as const;
