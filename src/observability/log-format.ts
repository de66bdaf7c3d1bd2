// Turns the gateway's log records into the line formats of `telemetry/logging`: application lines
// (pino's JSON records, re-rendered) and access lines (built directly from their few fields).
// Every text format escapes control characters, quotes and backslashes in values, so a logged
// value can never start a new line or forge a field (KrakenD's logstash format does not escape
// its message: a `"` or a newline in it breaks the JSON).
import type { LogSettings } from '../config/normalize-logging.js';
import type { TemplatePart } from '../config/log-template.js';

const LEVEL_NAME: Record<number, string> = { 10: 'DEBUG', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR', 60: 'CRITICAL' };
/** syslog severities (RFC 5424) by pino level. */
export const SYSLOG_SEVERITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };

const UNSAFE = /[\x00-\x1f\x7f"\\]/g;
function escapeChar(c: string): string {
  if (c === '"') return '\\"';
  if (c === '\\') return '\\\\';
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
}
/** A value for a text line: one line, no forged quotes. */
export function escapeText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** KrakenD's (go-logging's) time layout: 2006/01/02 - 15:04:05.000, in UTC. */
export function krakendTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} - ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Apache's %t: [03/Dec/2026:07:36:27 +0000]. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

interface Record_ {
  level: number;
  time: number;
  pid?: number;
  msg?: string;
  [k: string]: unknown;
}

/** The fields of a record beyond the standard ones, as ` key=value` pairs (values JSON-encoded). */
function extras(r: Record_): string {
  let out = '';
  for (const k in r) {
    if (k === 'level' || k === 'time' || k === 'pid' || k === 'msg') continue;
    const v = r[k];
    out += ` ${escapeText(k)}=${typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'null')}`;
  }
  return out;
}

function renderTemplate(parts: TemplatePart[], value: (name: string, mod: string) => string): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : value(p.v, p.mod);
  return out;
}

/** A record's level: a `:.4s`-style modifier truncates, as go-logging's %{level:.4s}. */
function levelWith(level: string, mod: string): string {
  const m = /^\.(\d+)s$/.exec(mod);
  return m ? level.slice(0, Number(m[1])) : level;
}

export type AppFormatter = (jsonLine: string) => { text: string; level: number };

/** Re-renders pino's JSON line (ending in \n) in the configured application format. */
export function appFormatter(s: LogSettings): AppFormatter | undefined {
  if (s.app === 'json') return undefined;
  let id = 0;
  const render = (r: Record_): string => {
    const level = LEVEL_NAME[r.level] ?? 'INFO';
    const msg = escapeText(String(r.msg ?? ''));
    switch (s.app) {
      case 'default':
        return `${s.prefix ? s.prefix + ' ' : ''}${krakendTime(r.time)} ▶ ${level} ${msg}${extras(r)}`;
      case 'logstash': {
        const { level: _l, time, pid, msg: m, ...rest } = r;
        return JSON.stringify({ '@timestamp': new Date(time).toISOString(), '@version': 1, level, message: m ?? '', module: 'RAMPART', pid, ...rest });
      }
      default:
        id++;
        return renderTemplate(s.appTemplate, (v, mod) => {
          switch (v) {
            case 'time':
              return krakendTime(r.time);
            case 'level':
              return levelWith(level, mod);
            case 'message':
              return msg + extras(r);
            case 'module':
              return 'RAMPART';
            case 'pid':
              return String(r.pid ?? process.pid);
            case 'program':
              return 'rampart';
            case 'id':
              return String(id);
            case 'prefix':
              return s.prefix;
            default:
              return ''; // color: lines are not for a terminal
          }
        });
    }
  };
  return (line) => {
    let r: Record_;
    try {
      r = JSON.parse(line) as Record_;
    } catch {
      return { text: escapeText(line.trimEnd()), level: 30 };
    }
    return { text: render(r), level: r.level };
  };
}

/** What an access line knows. No header values but the User-Agent; no query string. */
export interface AccessFields {
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  clientIp: string;
  protocol: string;
  size: number | undefined;
  userAgent: string | undefined;
}

export type AccessFormatter = (f: AccessFields, now: number) => string;

const MAX_UA = 256;

/** Access lines in the configured format; undefined for Rampart's own JSON lines. */
export function accessFormatter(s: LogSettings): AccessFormatter | undefined {
  const marker = s.missingMarker;
  const ua = (f: AccessFields) => (f.userAgent === undefined ? marker : escapeText(f.userAgent.slice(0, MAX_UA)));
  const size = (f: AccessFields) => (f.size === undefined ? marker : String(f.size));
  const latency = (f: AccessFields) => `${Math.round(f.latencyMs * 1000) / 1000}ms`;
  const path = (f: AccessFields) => escapeText(f.path);
  const prefix = s.prefix ? s.prefix + ' ' : '';
  switch (s.access) {
    case 'json-lines':
      return undefined;
    case 'default':
      return (f, now) => `${prefix}${krakendTime(now)} [AccessLog] | ${f.status} | ${latency(f)} | ${f.clientIp} | ${f.method} "${path(f)}"`;
    case 'httpdCommon':
      return (f, now) => `${f.clientIp} - - ${clfTime(now)} "${f.method} ${path(f)} ${f.protocol}" ${f.status} ${size(f)}`;
    case 'httpdCombine':
      // The Referer is logged as "-": it carries other sites' query strings (tokens, codes).
      return (f, now) => `${f.clientIp} - - ${clfTime(now)} "${f.method} ${path(f)} ${f.protocol}" ${f.status} ${size(f)} "-" "${ua(f)}"`;
    case 'json':
      return (f, now) =>
        JSON.stringify({
          time: new Date(now).toISOString(),
          status: f.status,
          latency_ms: Math.round(f.latencyMs * 1000) / 1000,
          client_ip: f.clientIp,
          method: f.method,
          path: f.path,
          protocol: f.protocol,
          size: f.size ?? null,
          user_agent: f.userAgent?.slice(0, MAX_UA) ?? null,
        });
    case 'custom':
      return (f, now) =>
        renderTemplate(s.accessTemplate, (v) => {
          switch (v) {
            case 'prefix':
              return s.prefix;
            case 'time':
              return krakendTime(now);
            case 'statusCode':
              return String(f.status);
            case 'latency':
              return latency(f);
            case 'latencyMs':
              return String(Math.round(f.latencyMs * 1000) / 1000);
            case 'clientIP':
              return f.clientIp;
            case 'method':
              return f.method;
            case 'path':
              return path(f);
            case 'protocol':
              return f.protocol;
            case 'size':
              return size(f);
            default:
              return ua(f);
          }
        });
  }
}
