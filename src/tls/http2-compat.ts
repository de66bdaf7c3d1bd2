// HTTP/2 requests through the same gateway handler as HTTP/1.1 (node:http2 compatibility API).
// The handler reads rawHeaders and Host like HTTP/1.1, so an HTTP/2 request is presented the same
// way: pseudo-headers (:method, :path, :authority, :scheme) are not headers and never reach a
// backend; :authority becomes Host when the client sent no Host (RFC 9113 §8.3.1); split Cookie
// fields are joined with "; " for the HTTP/1.1 upstream (RFC 9113 §8.2.3). Responses drop the
// connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2) and merge guard headers like
// server/http-response.ts.
import type { EndpointMeter } from '../pipeline/metrics-meters.js';
import { Http2ServerRequest, Http2ServerResponse, type Http2ServerRequest as Req } from 'node:http2';
import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import { flatHeaders, withGuardHeaders, type GuardHeaderState, type ResponseBookkeeping } from '../server/http-response.js';

const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export class GatewayHttp2Request extends Http2ServerRequest {
  plainRaw: string[] | undefined;

  constructor(...args: ConstructorParameters<typeof Http2ServerRequest>) {
    super(...args);
    const h = this.headers;
    if (h.host === undefined && typeof h[':authority'] === 'string') h.host = h[':authority'];
  }
}

const baseRawHeaders = Object.getOwnPropertyDescriptor(Http2ServerRequest.prototype, 'rawHeaders')!.get!;

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

export class GatewayHttp2Response extends Http2ServerResponse<Req> implements GuardHeaderState, ResponseBookkeeping {
  guardHeaders: string[] | null = null;
  corsClaimed = false;
  accessStart = 0;
  accessPath = '';
  accessIp = '';
  statsMeter: EndpointMeter | undefined = undefined;
  statsStart = 0;
  statsBytes = 0;
  callSignal: { abort(): void } | null = null;

  override setHeader(name: string, value: number | string | readonly string[]): this {
    if (CONNECTION_SPECIFIC.has(name.toLowerCase())) return this;
    super.setHeader(name, value);
    return this;
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    if (CONNECTION_SPECIFIC.has(name.toLowerCase())) return this;
    super.appendHeader(name, value as string | string[]);
    return this;
  }

  // Node's HTTP/2 writeHead keeps repeated names of the list but lets it replace headers set with
  // setHeader; the list is rewritten so the gateway's rule holds (and HTTP/2-forbidden fields go).
  override writeHead(statusCode: number, a?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], b?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    const headers = typeof a === 'string' ? b : a;
    const list = withGuardHeaders(flatHeaders(headers), this.guardHeaders, this.corsClaimed, CONNECTION_SPECIFIC);
    // A name set with setHeader before the reply stays the gateway's (same rule as HTTP/1.1).
    const out: string[] = [];
    for (let i = 0; i < list.length; i += 2) {
      const lower = list[i].toLowerCase();
      if (lower === 'vary' || !this.hasHeader(lower)) out.push(list[i], list[i + 1]);
    }
    // Node drops a set Vary when the list has one: carry its values over.
    const vary = this.getHeader('vary');
    if (vary !== undefined && out.some((x, i) => i % 2 === 0 && x.toLowerCase() === 'vary')) {
      for (const v of Array.isArray(vary) ? vary : [String(vary)]) out.unshift('vary', v);
    }
    return super.writeHead(statusCode, out as unknown as OutgoingHttpHeaders);
  }
}
