// `telemetry/logging` (service, KrakenD CE krakend-gologging; EE access-log fields): where and how
// the gateway logs. Config only: read by config/normalize-logging.ts into ServiceConfig.logging,
// applied by observability/logger.ts when the process starts. The EE Backend Log (one line per
// backend call) is not implemented: refused at backend scope, and its service-level default, the
// `backend` field, is read only to be refused by name (config/normalize-logging.ts).
import { COMMENT_KEYS } from '../../../config/schema.js';
import { BACKEND_LOG_REFUSAL } from '../../../config/normalize-logging.js';
import type { ComponentSpec } from '../../types.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export const SYSLOG_FACILITIES = ['local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

export const loggingComponent: ComponentSpec = {
  namespace: 'telemetry/logging',
  scopeHints: { backend: BACKEND_LOG_REFUSAL },
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
        // KrakenD EE: the Backend Log for every backend (backend_log.json). Refused by name.
        backend: {},
      },
    },
  },
};
