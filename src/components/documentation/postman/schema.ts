// `documentation/postman` (KrakenD EE, service and endpoint level): metadata for a Postman
// collection export. Validated (typos stop the start with their pointer); no runtime effect.
// Rampart writes no Postman collection: `rampart openapi` is the export (Postman imports it).
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const postmanComponent: ComponentSpec = {
  namespace: 'documentation/postman',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        name: { type: 'string' },
        description: { type: 'string' },
        version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
        folder: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: { type: 'string' }, description: { type: 'string' } },
          },
        },
      },
    },
    endpoint: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: { name: { type: 'string' }, description: { type: 'string' }, folder: { type: 'string' } },
    },
  },
};
