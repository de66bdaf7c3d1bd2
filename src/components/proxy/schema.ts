import { COMMENT_KEYS } from '../../config/schema.js';
import type { ComponentSpec } from '../types.js';

const flatmapFilter = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    patternProperties: COMMENT_KEYS,
    required: ['type', 'args'],
    properties: {
      type: { type: 'string', enum: ['move', 'del', 'append'] },
      args: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    },
  },
};

// `extra_config.proxy`: endpoint level (sequential calls, static data, flatmap after merge, body
// limit) and backend level (flatmap, shadow).
export const proxyComponent: ComponentSpec = {
  namespace: 'proxy',
  schemas: {
    endpoint: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        sequential: { type: 'boolean' },
        sequential_propagated_params: { type: 'array', items: { type: 'string' } },
        static: {
          type: 'object',
          additionalProperties: false,
          patternProperties: COMMENT_KEYS,
          required: ['data'],
          properties: {
            strategy: { type: 'string', enum: ['always', 'success', 'errored', 'complete', 'incomplete'] },
            data: { type: 'object' },
          },
        },
        flatmap_filter: flatmapFilter,
        // Rampart: request body limit for this endpoint (bytes), as KrakenD EE's max_payload.
        max_payload: { type: 'integer', minimum: 1 },
      },
    },
    backend: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        flatmap_filter: flatmapFilter,
        shadow: { type: 'boolean' },
      },
    },
  },
};
