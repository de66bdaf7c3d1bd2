// Structured logs with pino. Access lines carry method, path (never the query string), status
// and latency; no header, cookie, token or body is ever logged. The redaction list is a second
// line of defence for anything that might carry a secret by mistake.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization', 'cookie', 'password', 'token', 'apiKey', 'api_key', 'secret',
  '*.authorization', '*.cookie', '*.password', '*.token', '*.secret', 'headers', 'req.headers', '*.headers',
];

export function createLogger(level: string = process.env.RAMPART_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, pino.destination({ dest: 1, sync: false }));
}

export type { Logger };
