// HTTP/2 requests through the same gateway handler as HTTP/1.1 (node:http2 compatibility API).
// The handler reads rawHeaders and Host like HTTP/1.1, so an HTTP/2 request is presented the same
// way: pseudo-headers (:method, :path, :authority, :scheme) are not headers and never reach a
// backend; :authority becomes Host when the client sent no Host (RFC 9113 §8.3.1); split Cookie
// fields are joined with "; " for the HTTP/1.1 upstream (RFC 9113 §8.2.3). Responses drop the
// connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2), in pipeline/respond.ts.
import type { EndpointMeter } from '../pipeline/metrics-meters.js';
import { Http2ServerRequest, Http2ServerResponse, type Http2ServerRequest as Req } from 'node:http2';
import type { ResponseBookkeeping } from '../pipeline/http-response.js';

export class GatewayHttp2Request extends Http2ServerRequest {
  plainRaw: string[] | undefined;

  constructor(...args: ConstructorParameters<typeof Http2ServerRequest>) {
    super(...args);
    const h = this.headers;
    if (h.host === undefined && typeof h[':authority'] === 'string') h.host = h[':authority'];
  }
}

// Node defines rawHeaders as a getter on the prototype; checked once at load, not assumed.
const baseRawHeaders = (() => {
  const get = Object.getOwnPropertyDescriptor(Http2ServerRequest.prototype, 'rawHeaders')?.get;
  if (get === undefined) throw new Error('invariant: Http2ServerRequest.prototype.rawHeaders is not a getter');
  return get;
})();

/** HTTP/1-style raw headers: no pseudo-headers, Host present, one Cookie field. (Defined on the
 * prototype: Node's typings declare rawHeaders as a plain property.) */
function plainRawHeaders(this: GatewayHttp2Request): string[] {
  if (this.plainRaw) return this.plainRaw;
  const raw = baseRawHeaders.call(this) as string[];
  const out: string[] = [];
  let hasHost = false;
  let cookies: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    const lower = name.toLowerCase();
    if (lower === 'host') hasHost = true;
    if (lower === 'cookie') {
      (cookies ??= []).push(raw[i + 1]);
      continue;
    }
    out.push(name, raw[i + 1]);
  }
  if (cookies) out.push('cookie', cookies.join('; '));
  const authority = this.headers[':authority'];
  if (!hasHost && typeof authority === 'string') out.unshift('host', authority);
  return (this.plainRaw = out);
}
Object.defineProperty(GatewayHttp2Request.prototype, 'rawHeaders', { get: plainRawHeaders, configurable: true, enumerable: true });

/** HTTP/2 answers with the gateway's bookkeeping (connection-specific fields are dropped by the
 * response writer, pipeline/respond.ts). */
export class GatewayHttp2Response extends Http2ServerResponse<Req> implements ResponseBookkeeping {
  accessStart = 0;
  accessPath = '';
  accessIp = '';
  statsMeter: EndpointMeter | undefined = undefined;
  statsStart = 0;
  statsBytes = 0;
  callSignal: { abort(): void } | null = null;
  otel: unknown = undefined;
}
