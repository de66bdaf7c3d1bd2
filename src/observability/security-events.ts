// The security event log (issue #15): every refusal — authentication, authorization, limits,
// CORS, Host, IP, GeoIP, bots, malformed requests, bodies over the limit — is one structured
// line with its code, component, endpoint, method, client IP, status and a fixed reason. Never a
// token, cookie, key, password or query value: the reason is a constant of the refusing code.
//
// Bounded under attack: each code may write BURST lines at once and RATE lines per second after
// that; what is over is counted and said in one line per code every SUMMARY_MS ("suppressed"),
// so a flood of refusals costs a counter increment per request and cannot fill a disk.
import type { ErrorCode } from '../core/error-codes.js';
import type { Logger } from './logger.js';

const RATE = 10;
const BURST = 50;
// RAMPART_SECURITY_SUMMARY_MS shortens the summary period (tests); the rate and burst are fixed.
const SUMMARY_MS = Number(process.env.RAMPART_SECURITY_SUMMARY_MS) || 10_000;

export interface RefusedRequest {
  readonly method: string;
  readonly path: string;
  readonly clientIp: string;
}

export interface RefusalEvent {
  readonly code: ErrorCode;
  readonly component: string;
  readonly reason?: string;
}

export type SecurityLog = (req: RefusedRequest, endpoint: string | undefined, status: number, event: RefusalEvent) => void;

interface Bucket {
  tokens: number;
  at: number;
  suppressed: number;
}

export function createSecurityLog(log: Logger): SecurityLog {
  const buckets = new Map<string, Bucket>();
  const timer = setInterval(() => {
    for (const [code, b] of buckets) {
      if (b.suppressed === 0) continue;
      log.warn({ security_event: code, suppressed: b.suppressed, window_s: SUMMARY_MS / 1000 }, 'security events suppressed (rate bound)');
      b.suppressed = 0;
    }
  }, SUMMARY_MS);
  timer.unref();
  return (req, endpoint, status, event) => {
    const now = Date.now();
    let b = buckets.get(event.code);
    if (!b) buckets.set(event.code, (b = { tokens: BURST, at: now, suppressed: 0 }));
    else {
      b.tokens = Math.min(BURST, b.tokens + ((now - b.at) / 1000) * RATE);
      b.at = now;
    }
    if (b.tokens < 1) {
      b.suppressed++;
      return;
    }
    b.tokens--;
    log.warn(
      {
        security_event: event.code,
        component: event.component,
        reason: event.reason ?? '',
        status,
        method: req.method,
        // The route pattern once routed; before routing, the path (never the query string).
        endpoint: endpoint ?? req.path,
        client_ip: req.clientIp,
      },
      'request refused',
    );
  };
}
