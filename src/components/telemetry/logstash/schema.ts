// `telemetry/logstash` (service, KrakenD CE krakend-logstash): application lines as Logstash JSON
// (with telemetry/logging; its `format` may say "logstash" or be left out). Config only.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const logstashComponent: ComponentSpec = {
  namespace: 'telemetry/logstash',
  schemas: {
    service: { type: 'object', additionalProperties: false, patternProperties: COMMENT_KEYS, properties: { enabled: { type: 'boolean' } } },
  },
};
