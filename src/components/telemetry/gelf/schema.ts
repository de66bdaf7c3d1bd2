// `telemetry/gelf` (service, KrakenD CE krakend-gelf): application log lines also sent to a
// Graylog (GELF 1.1) input over UDP (chunked when large) or TCP (`enable_tcp`). Needs
// telemetry/logging, as in KrakenD. Config only: config/normalize-logging.ts reads it.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const gelfComponent: ComponentSpec = {
  namespace: 'telemetry/gelf',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['address'],
      properties: { address: { type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s/]+):[0-9]{1,5}$' }, enable_tcp: { type: 'boolean' } },
    },
  },
};
