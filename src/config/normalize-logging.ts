// `telemetry/logging` into LogSettings (see components/telemetry/logging/schema.ts). Absent: the
// gateway's own JSON lines (pino) on stdout at info, as before.
import type { Problems } from '../core/config-error.js';
import { ACCESS_VARS, APP_VARS, parseTemplate, type TemplatePart } from './log-template.js';

export type AppFormat = 'json' | 'default' | 'logstash' | 'custom';
export type AccessFormat = 'json-lines' | 'default' | 'httpdCommon' | 'httpdCombine' | 'json' | 'custom';

export interface LogSettings {
  /** pino level name. */
  level: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  prefix: string;
  stdout: boolean;
  syslog: boolean;
  /** 16 (local0) … 23 (local7). */
  facility: number;
  app: AppFormat;
  appTemplate: TemplatePart[];
  access: AccessFormat;
  accessTemplate: TemplatePart[];
  missingMarker: string;
  /** telemetry/gelf: a Graylog input for the application lines. */
  gelf: { host: string; port: number; tcp: boolean } | undefined;
}

/** Why the EE Backend Log is refused, at either place KrakenD EE reads it (the service-level
 * `backend` field here, the backend-scope block in components/telemetry/logging/schema.ts). */
export const BACKEND_LOG_REFUSAL =
  'the KrakenD EE backend log (one line per backend call, custom_format/log_with_level/no_value) is not implemented; remove the block — each backend call is measured by telemetry/metrics (layer.backend) and traced by telemetry/opentelemetry (layers.backend)';

const LEVEL = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error', CRITICAL: 'fatal' } as const;
const AT = '/extra_config/telemetry~1logging';

type Raw = {
  level: string;
  prefix?: string;
  stdout?: boolean;
  syslog?: boolean;
  syslog_facility?: string;
  format?: 'default' | 'logstash' | 'custom';
  custom_format?: string;
  access_log_format?: '' | 'default' | 'httpdCommon' | 'httpdCombine' | 'json' | 'custom';
  access_log_custom_format?: string;
  access_log_missing_key_marker?: string;
  backend?: unknown;
};

export function normalizeLogging(raw: unknown, problems: Problems, warnings: string[], extra: Record<string, unknown> = {}): LogSettings {
  const gelfRaw = extra['telemetry/gelf'] as { address: string; enable_tcp?: boolean } | undefined;
  const logstash = (extra['telemetry/logstash'] as { enabled?: boolean } | undefined)?.enabled !== false && extra['telemetry/logstash'] !== undefined;
  if (raw === undefined && (gelfRaw || logstash)) {
    problems.add(
      gelfRaw ? '/extra_config/telemetry~1gelf' : '/extra_config/telemetry~1logstash',
      'needs telemetry/logging (as in KrakenD): declare it with a level',
    );
  }
  // RAMPART_LOG_LEVEL (pino names) overrides the config, for debugging a deployed config.
  const envLevel = (process.env.RAMPART_LOG_LEVEL || undefined) as LogSettings['level'] | undefined;
  if (raw === undefined) {
    return {
      level: envLevel ?? 'info',
      prefix: '',
      stdout: true,
      syslog: false,
      facility: 19,
      app: 'json',
      appTemplate: [],
      access: 'json-lines',
      accessTemplate: [],
      missingMarker: '-',
      gelf: undefined,
    };
  }
  const r = raw as Raw;
  if (r.backend !== undefined) problems.add(`${AT}/backend`, `field "backend" is not supported: ${BACKEND_LOG_REFUSAL}`);
  if (logstash && r.format !== undefined && r.format !== 'logstash')
    problems.add(
      '/extra_config/telemetry~1logstash',
      `telemetry/logging's format is "${r.format}": with telemetry/logstash it must be "logstash" (or left out)`,
    );
  const app = logstash ? 'logstash' : (r.format ?? 'default');
  let gelf: LogSettings['gelf'];
  if (gelfRaw) {
    const i = gelfRaw.address.lastIndexOf(':');
    const port = Number(gelfRaw.address.slice(i + 1));
    if (port < 1 || port > 65535) problems.add('/extra_config/telemetry~1gelf/address', `port ${port} is out of range`);
    gelf = { host: gelfRaw.address.slice(0, i).replace(/^\[|\]$/g, ''), port, tcp: gelfRaw.enable_tcp === true };
  }
  let appTemplate: TemplatePart[] = [];
  if (app === 'custom') {
    if (!r.custom_format) problems.add(`${AT}/custom_format`, 'format "custom" needs a custom_format');
    else {
      const t = parseTemplate(r.custom_format, APP_VARS);
      if ('error' in t) problems.add(`${AT}/custom_format`, t.error);
      else appTemplate = t.parts;
    }
  } else if (r.custom_format !== undefined) problems.add(`${AT}/custom_format`, `custom_format is only read with "format": "custom" (format is "${app}")`);
  const access = r.access_log_format || 'default';
  let accessTemplate: TemplatePart[] = [];
  if (access === 'custom') {
    if (!r.access_log_custom_format) problems.add(`${AT}/access_log_custom_format`, 'access_log_format "custom" needs an access_log_custom_format');
    else {
      const t = parseTemplate(r.access_log_custom_format, ACCESS_VARS);
      if ('error' in t) problems.add(`${AT}/access_log_custom_format`, t.error);
      else accessTemplate = t.parts;
    }
  } else if (r.access_log_custom_format !== undefined) {
    problems.add(`${AT}/access_log_custom_format`, `access_log_custom_format is only read with "access_log_format": "custom"`);
  }
  const stdout = r.stdout === true;
  const syslog = r.syslog === true;
  if (!stdout && !syslog && !gelfRaw)
    warnings.push(`${AT}: stdout and syslog are both false: application logs are discarded (as KrakenD); access lines still go to stdout`);
  // As KrakenD, logstash and custom application lines carry no prefix (custom may use %{prefix}).
  const prefix = r.prefix ?? '';
  return {
    level: envLevel ?? LEVEL[r.level.toUpperCase() as keyof typeof LEVEL],
    prefix,
    stdout,
    syslog,
    facility: 16 + Number((r.syslog_facility ?? 'local3').slice(5)),
    app,
    appTemplate,
    access,
    accessTemplate,
    missingMarker: r.access_log_missing_key_marker ?? '-',
    gelf,
  };
}
