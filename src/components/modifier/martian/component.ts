// `modifier/martian` runtime: krakend-martian's HTTPRequestExecutor as a backend's HTTP-level
// hooks. The request hook sees the backend request after the URL, header and query filtering
// (martian is innermost in KrakenD: it wraps the HTTP client), so a client value reaches
// upstream only where the config both forwards it and names it (header.Copy `from`).
// skip.RoundTrip answers 200 with an empty body without calling the backend; the response
// modifiers still run on that answer (how KrakenD configs mock a backend). Errors at request
// time fail this backend with 500 (backend.modifier), as in KrakenD where they are backend errors.
import {
  compileMartian,
  runMartianRequest,
  runMartianResponse,
  skippedResponse,
  toMutableRequest,
  toMutableResponse,
  type CompiledModifier,
  type MutableRequest,
  type MutableResponse,
} from '../../../modifiers/martian/index.js';
import { configErrorAsMessage } from '../config-error-message.js';
import { GatewayError } from '../../../core/gateway-error.js';
import { errorResult, type BackendResult, type UpstreamRequest, type UpstreamResponse } from '../../../core/backend-result.js';
import { readUpstreamBody } from '../../../proxy/read-body.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import { compileFlatRewrite } from './flat-rewrite.js';

/** The bound of a buffered backend answer (pipeline/compile-backend's MAX_UPSTREAM_BODY). */
const MAX_UPSTREAM_BODY = 32 * 1024 * 1024;

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function flatten(h: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [k, vs] of h) for (const v of vs) out.push(k, v);
  return out;
}

function failed(message: string): BackendResult {
  return errorResult(new GatewayError('backend.modifier', `martian: ${message}`));
}

export function build(config: unknown, env: BuildEnv): Stage {
  const { backend } = backendEnv(env);
  // A MartianConfigError becomes a startup problem at its own pointer
  // ("…/modifier~1martian/fifo.Group/modifiers/1/header.Modifier/name: reason"), never a stack trace.
  const m: CompiledModifier = configErrorAsMessage(() => compileMartian(config, ''));
  // Request header/query edits only (the common case): one synchronous rewrite of the flat
  // request, which keeps the direct path (flat-rewrite.ts).
  const flat = m.request && !m.response ? compileFlatRewrite(config) : null;
  if (flat) return { rewriteUpstream: flat };
  // Where a modifier may send the request: the backend's declared hosts only (their pools are
  // the only connections the gateway opens; an undeclared target would be an SSRF door).
  const declared = new Set(backend.hosts.map((h) => new URL(h).origin));
  // The martian request of each exchange, for the response modifiers (Go's res.Request).
  const sent = new WeakMap<object, MutableRequest>();

  function toUpstream(up: UpstreamRequest, mr: MutableRequest, originalHost: string): UpstreamRequest | BackendResult {
    const u = mr.url;
    let origin = up.origin;
    if (u.host !== originalHost || !up.origin.startsWith(`${u.scheme}://`)) {
      try {
        origin = new URL(`${u.scheme}://${u.host}`).origin;
      } catch {
        return failed('invalid URL host');
      }
      if (!declared.has(origin)) return failed('modified URL points outside the backend hosts');
    }
    const headers = flatten(mr.headers);
    // Go's client sends Request.Host: the original host unless a Host header modifier changed it
    // (a url.Modifier changing the URL's host keeps the Host header, as KrakenD does).
    const host = mr.host !== '' ? mr.host : u.host;
    if (host !== u.host) headers.push('host', host);
    const out: UpstreamRequest = { ...up, method: mr.method, origin, path: u.path + (u.query !== '' ? '?' + u.query : ''), headers, body: mr.body };
    sent.set(out, mr);
    return out;
  }

  return {
    onUpstreamRequest: m.request
      ? (up) => {
          const mr = toMutableRequest(up.method, up.origin + up.path, pairs(up.headers), up.body);
          const originalHost = mr.url.host;
          const err = runMartianRequest(m, mr);
          if (err !== undefined) return failed(err);
          if (mr.skipRoundTrip) {
            const s = skippedResponse();
            const res: UpstreamResponse = { status: s.status, headers: [], body: Buffer.alloc(0), url: up.origin + up.path };
            sent.set(res, mr);
            return res;
          }
          return toUpstream(up, mr, originalHost);
        }
      : undefined,
    onUpstreamResponse: m.response
      ? async (res, req): Promise<UpstreamResponse | BackendResult> => {
          const mr = sent.get(res) ?? sent.get(req) ?? toMutableRequest(req.method, req.origin + req.path, pairs(req.headers), req.body);
          // Response modifiers may read or replace the body: read it whole, bounded (a streamed
          // no-op answer is buffered on a route with martian response modifiers).
          const body = await readUpstreamBody(res.body, MAX_UPSTREAM_BODY);
          const mres: MutableResponse = toMutableResponse(res.status, pairs(res.headers), body);
          const err = runMartianResponse(m, mres, mr);
          if (err !== undefined) return failed(err);
          return { status: mres.status, headers: flatten(mres.headers), body: mres.body ?? Buffer.alloc(0), url: res.url };
        }
      : undefined,
  };
}
