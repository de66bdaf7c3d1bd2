// `telemetry/logging` (service, KrakenD CE krakend-gologging; EE access-log fields): where and how
// the gateway logs. Config only: read by config/normalize-logging.ts into ServiceConfig.logging,
// applied by observability/logger.ts when the process starts. The EE backend-level block (request
// and response logging per backend) is not implemented and is refused at that scope.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export const SYSLOG_FACILITIES = ['local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

export const loggingComponent: ComponentSpec = {
  namespace: 'telemetry/logging',
  scopeHints: {
    backend:
      'the KrakenD EE backend log (one line per backend call, custom_format/log_with_level/no_value) is not implemented; remove the block — each backend call is measured by telemetry/metrics (layer.backend) and traced by telemetry/opentelemetry (layers.backend)',
  },
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['level'],
      properties: {
        // KrakenD upper-cases the level; the schema lists upper case. Both cases are read.
        level: { type: 'string', enum: [...LOG_LEVELS, ...LOG_LEVELS.map((l) => l.toLowerCase())] },
        prefix: { type: 'string', maxLength: 256 },
        stdout: { type: 'boolean' },
        syslog: { type: 'boolean' },
        syslog_facility: { type: 'string', enum: SYSLOG_FACILITIES },
        format: { type: 'string', enum: ['default', 'logstash', 'custom'] },
        custom_format: { type: 'string', maxLength: 4096 },
        access_log_format: { type: 'string', enum: ['', 'default', 'httpdCommon', 'httpdCombine', 'json', 'custom'] },
        access_log_custom_format: { type: 'string', maxLength: 4096 },
        access_log_missing_key_marker: { type: 'string', maxLength: 64 },
      },
    },
  },
};
