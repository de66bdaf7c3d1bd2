// input_headers: only declared client headers reach backends. The gateway then sets its own
// X-Forwarded-For (client IP), X-Forwarded-Host and User-Agent, overriding anything the client
// sent, even with "*". Hop-by-hop headers never pass (RFC 9110 §7.6.1).
import { USER_AGENT } from '../core/version.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'host',
  'content-length',
  'expect',
  'http2-settings',
]);
const GATEWAY_SET = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-via']);
/** Forwarding headers a client could forge. "*" never passes them (the gateway's own forwarding
 * headers are the only ones a backend sees); declared by name, they pass as the config says. */
const FORWARDING = new Set([
  'forwarded',
  'x-real-ip',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-server',
  'x-forwarded-ssl',
  'x-client-ip',
  'true-client-ip',
  'x-original-forwarded-for',
]);

export interface HeaderInput {
  rawHeaders: string[];
  clientIp: string;
  host: string;
}

/** Builds the flat [name, value, ...] header list sent upstream (before backend-level filters). */
export type HeaderBuilder = (input: HeaderInput) => string[];

export interface HeaderFilterInfo {
  build: HeaderBuilder;
  /** True when the client's Content-Length passes the filter (then the body is sent with it). */
  forwardsContentLength: boolean;
}

export function compileHeaderFilter(inputHeaders: readonly string[], disableCompression: boolean): HeaderFilterInfo {
  const all = inputHeaders.includes('*');
  // KrakenD quirk kept for compatibility: with no input_headers only Content-Type passes.
  const allowed = new Set(inputHeaders.length === 0 ? ['content-type'] : inputHeaders.map((h) => h.toLowerCase()));
  const forwardsUA = all || allowed.has('user-agent');
  const forwardsAE = all || allowed.has('accept-encoding');
  const forwardsContentLength = !all && allowed.has('content-length');
  const build: HeaderBuilder = ({ rawHeaders, clientIp, host }) => {
    let out: string[] = [];
    let connectionTokens: Set<string> | undefined;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const lower = rawHeaders[i].toLowerCase();
      if (lower === 'connection') {
        // Every Connection header counts (RFC 9110 §7.6.1: the field may be repeated).
        connectionTokens ??= new Set();
        for (const t of rawHeaders[i + 1].toLowerCase().split(',')) connectionTokens.add(t.trim());
      }
      if (HOP_BY_HOP.has(lower) || GATEWAY_SET.has(lower)) continue;
      if (all ? !FORWARDING.has(lower) : allowed.has(lower)) out.push(lower, rawHeaders[i + 1]);
    }
    if (connectionTokens) {
      // A Set and one filtering pass: a token list searched per header, and splice per removal,
      // made 8 000 headers named in one Connection header cost quadratic time (found by the
      // linearity test of issue #14's fuzzing).
      const kept: string[] = [];
      for (let i = 0; i < out.length; i += 2) if (!connectionTokens.has(out[i])) kept.push(out[i], out[i + 1]);
      out = kept;
    }
    if (forwardsUA) out.push('x-forwarded-via', USER_AGENT);
    else out.push('user-agent', USER_AGENT);
    out.push('x-forwarded-for', clientIp, 'x-forwarded-host', host);
    if (!forwardsAE && !disableCompression) out.push('accept-encoding', 'gzip');
    return out;
  };
  return { build, forwardsContentLength };
}

/** Backend-level input_headers: keep only listed names among what the endpoint produced
 * (gateway-set headers included). "*" has no wildcard meaning here, as in lura. */
export function compileBackendHeaderFilter(names: readonly string[] | undefined): ((h: string[]) => string[]) | null {
  if (!names || names.length === 0) return null;
  const set = new Set(names.map((n) => n.toLowerCase()));
  return (h) => {
    const out: string[] = [];
    for (let i = 0; i < h.length; i += 2) if (set.has(h[i])) out.push(h[i], h[i + 1]);
    return out;
  };
}
