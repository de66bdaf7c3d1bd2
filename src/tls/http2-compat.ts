// HTTP/2 requests through the same gateway handler as HTTP/1.1 (node:http2 compatibility API).
// The handler reads rawHeaders and Host like HTTP/1.1, so an HTTP/2 request is presented the same
// way: pseudo-headers (:method, :path, :authority, :scheme) are not headers and never reach a
// backend; :authority becomes Host when the client sent no Host (RFC 9113 §8.3.1); split Cookie
// fields are joined with "; " for the HTTP/1.1 upstream (RFC 9113 §8.2.3). Responses drop the
// connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2) and merge guard headers like
// server/http-response.ts.
import { Http2ServerRequest, Http2ServerResponse, type Http2ServerRequest as Req } from 'node:http2';
import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import { mergeReplyHeaders } from '../server/http-response.js';

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

type HeaderArg = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

export class GatewayHttp2Response extends Http2ServerResponse<Req> {
  private preset = false;
  corsClaimed = false;

  override setHeader(name: string, value: number | string | readonly string[]): this {
    if (CONNECTION_SPECIFIC.has(name.toLowerCase())) return this;
    this.preset = true;
    super.setHeader(name, value);
    return this;
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    if (CONNECTION_SPECIFIC.has(name.toLowerCase())) return this;
    this.preset = true;
    super.appendHeader(name, value as string | string[]);
    return this;
  }

  override writeHead(statusCode: number, a?: string | HeaderArg, b?: HeaderArg): this {
    const headers = typeof a === 'string' ? b : a;
    if (Array.isArray(headers) && (headers.length === 0 || typeof headers[0] === 'string')) {
      const list = headers as string[];
      if (this.preset) {
        mergeReplyHeaders(this, list, this.corsClaimed, CONNECTION_SPECIFIC);
        return super.writeHead(statusCode);
      }
      let clean: string[] | undefined;
      for (let i = 0; i < list.length; i += 2) {
        if (!CONNECTION_SPECIFIC.has(list[i].toLowerCase())) clean?.push(list[i], list[i + 1]);
        else clean ??= list.slice(0, i);
      }
      return super.writeHead(statusCode, (clean ?? list) as unknown as OutgoingHttpHeaders);
    }
    return super.writeHead(statusCode, headers as OutgoingHttpHeaders | undefined);
  }
}
