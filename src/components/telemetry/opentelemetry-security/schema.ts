// `telemetry/opentelemetry-security` (service, EE): headers sent with each OTLP exporter's
// requests (an API key for a SaaS backend), by exporter name. Config only: normalize-otel.ts
// attaches them to telemetry/opentelemetry's otlp exporters; the values are never logged, and an
// exporter name that telemetry/opentelemetry does not declare is a startup error.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const opentelemetrySecurityComponent: ComponentSpec = {
  namespace: 'telemetry/opentelemetry-security',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['otlp'],
      properties: {
        otlp: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            patternProperties: COMMENT_KEYS,
            required: ['name', 'headers'],
            properties: {
              name: { type: 'string', minLength: 1 },
              headers: {
                type: 'object',
                minProperties: 1,
                propertyNames: { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
                additionalProperties: { type: 'string', pattern: '^[^\\r\\n\\u0000]*$' },
              },
            },
          },
        },
      },
    },
  },
};
