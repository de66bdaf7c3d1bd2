// A test client that puts on the wire exactly what Go's default http.Client sends, because the
// KrakenD CE expectations record those bytes (README §3). It writes raw HTTP/1.1 over node:net:
//
//   <METHOD> <request-uri> HTTP/1.1
//   Host: <host of the URL, or the spec's Host entry>
//   User-Agent: Go-http-client/1.1          (unless the caller set User-Agent; "" drops it)
//   Content-Length: <n>                     (body present, or POST/PUT/PATCH without body: 0)
//   <caller headers, canonical names, sorted by name>
//   Accept-Encoding: gzip                   (unless the caller set Accept-Encoding or Range, or HEAD)
//
// No Connection header, never chunked. One connection per request (Go would pool it; the gateway
// cannot tell the difference for these single-request exchanges).
//
// Like Go's client it follows redirects (at most 10; 301/302/303 turn into GET without a body
// unless HEAD; 307/308 keep method and body; original headers are carried over, minus
// Authorization/Www-Authenticate/Cookie/Cookie2 across domains; a Referer with the previous URL
// is added) and it gunzips transparently when it added `Accept-Encoding: gzip` itself, dropping
// `Content-Encoding` and `Content-Length` from the response headers.
//
// Response header names are canonicalised (Go's textproto) and every header line is one value,
// in arrival order; nothing is joined.

import { connect, isIP, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { canonicalHeaderKey } from './go-compat.js';

export const GO_USER_AGENT = 'Go-http-client/1.1';
export const MAX_REDIRECTS = 10;

export type ClientErrorCode = 'TIMEOUT' | 'TOO_MANY_REDIRECTS' | 'BAD_URL' | 'BAD_LOCATION' | 'PROTOCOL' | 'UNEXPECTED_EOF' | 'GZIP' | string; // socket error codes such as ECONNREFUSED, ECONNRESET

export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export interface GoClientRequest {
  /** Default GET. Sent as written. */
  method?: string;
  /** Absolute http:// URL, sent as written (path and query are not normalised). */
  url: string;
  /** One value per name; names are canonicalised like Go's Header.Set. */
  header?: Record<string, string>;
  /** Raw body bytes, or null/undefined for none. */
  body?: Buffer | null;
  /** Default true. */
  followRedirects?: boolean;
  /** Deadline for the whole exchange, redirects included. Default 15 s. */
  timeoutMs?: number;
}

export interface GoClientResponse {
  status: number;
  /** Canonical name + value per header line, in arrival order (after the gzip clean-up). */
  headers: Array<[string, string]>;
  /** Body bytes (gunzipped when the client requested gzip itself). */
  body: Buffer;
  /** URL of the request that produced this response. */
  url: string;
  /** Number of redirects followed. */
  redirects: number;
  /** True when the body was transparently gunzipped. */
  uncompressed: boolean;
}

/** All values of a header (case-insensitive name), or undefined when absent. */
export function headerValues(res: { headers: Array<[string, string]> }, name: string): string[] | undefined {
  const key = canonicalHeaderKey(name).toLowerCase();
  const out = res.headers.filter(([k]) => k.toLowerCase() === key).map(([, v]) => v);
  return out.length === 0 ? undefined : out;
}

// ---------------------------------------------------------------------------------------------

interface ParsedUrl {
  href: string;
  scheme: string;
  /** host[:port] as written (the Host header value). */
  authority: string;
  hostname: string;
  port: number;
  /** Path + query as written; "/" when the path is empty. */
  requestUri: string;
}

/** Parses an absolute URL without normalising its path or query (Go's RequestURI keeps them). */
function parseUrl(href: string): ParsedUrl {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(href);
  if (m === null) throw new ClientError('BAD_URL', `unsupported URL ${JSON.stringify(href)}`);
  const scheme = m[1].toLowerCase();
  if (scheme !== 'http') throw new ClientError('BAD_URL', `unsupported protocol scheme ${JSON.stringify(scheme)}`);
  let authority = m[2];
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1); // userinfo is not sent
  const hp = /^(\[[^\]]*\]|[^:]*)(?::([0-9]*))?$/.exec(authority);
  if (hp === null) throw new ClientError('BAD_URL', `invalid host in URL ${JSON.stringify(href)}`);
  const hostname = hp[1].startsWith('[') ? hp[1].slice(1, -1) : hp[1];
  const port = hp[2] !== undefined && hp[2] !== '' ? Number(hp[2]) : 80;
  const path = m[3] === '' ? '/' : m[3];
  return { href, scheme, authority, hostname, port, requestUri: path + (m[4] ?? '') };
}

interface RawResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

function isDomainOrSubdomain(sub: string, parent: string): boolean {
  if (sub === parent) return true;
  if (isIP(sub) !== 0 || isIP(parent) !== 0) return false;
  return sub.endsWith('.' + parent);
}

function shouldCopyHeaderOnRedirect(key: string, prev: ParsedUrl, dest: ParsedUrl): boolean {
  switch (key) {
    case 'Authorization':
    case 'Www-Authenticate':
    case 'Cookie':
    case 'Cookie2':
      return isDomainOrSubdomain(dest.hostname.toLowerCase(), prev.hostname.toLowerCase());
    default:
      return true;
  }
}

function clean(v: string): string {
  // Go's Header.write: newlines become spaces, then the value is trimmed.
  return v.replace(/\r\n|\r|\n/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '');
}

function buildRequestHead(
  method: string,
  u: ParsedUrl,
  host: string,
  header: Map<string, string>,
  body: Buffer | null,
): { head: string; requestedGzip: boolean } {
  let head = `${method} ${u.requestUri} HTTP/1.1\r\nHost: ${host}\r\n`;
  const ua = header.has('User-Agent') ? clean(header.get('User-Agent')!) : GO_USER_AGENT;
  if (ua !== '') head += `User-Agent: ${ua}\r\n`;
  if (body !== null && body.length > 0) head += `Content-Length: ${body.length}\r\n`;
  else if (method === 'POST' || method === 'PUT' || method === 'PATCH') head += 'Content-Length: 0\r\n';
  const excluded = new Set(['Host', 'User-Agent', 'Content-Length', 'Transfer-Encoding', 'Trailer']);
  const keys = [...header.keys()].filter((k) => !excluded.has(k)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) head += `${k}: ${clean(header.get(k)!)}\r\n`;
  const requestedGzip = (header.get('Accept-Encoding') ?? '') === '' && (header.get('Range') ?? '') === '' && method !== 'HEAD';
  if (requestedGzip) head += 'Accept-Encoding: gzip\r\n';
  head += '\r\n';
  return { head, requestedGzip };
}

/** Reads one HTTP/1.x response (skipping 1xx interim responses) from a fresh connection. */
function exchange(u: ParsedUrl, bytes: Buffer, method: string, deadline: number): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    let buf: Buffer = Buffer.alloc(0);
    let ended = false;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      reject(new ClientError('TIMEOUT', `${method} ${u.href}: timeout`));
      return;
    }
    const socket: Socket = connect({ host: u.hostname, port: u.port, autoSelectFamily: true });
    const timer = setTimeout(() => finish(new ClientError('TIMEOUT', `${method} ${u.href}: timeout`)), remaining);
    const finish = (err: Error | null, res?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err !== null) reject(err);
      else resolve(res!);
    };
    socket.on('connect', () => socket.write(bytes));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish(new ClientError(err.code ?? 'NETWORK', `${method} ${u.href}: ${err.message}`));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      tryParse();
    });
    socket.on('end', () => {
      ended = true;
      tryParse();
      if (!settled) finish(new ClientError('UNEXPECTED_EOF', `${method} ${u.href}: unexpected EOF`));
    });

    function tryParse(): void {
      if (settled) return;
      for (;;) {
        const text = buf.toString('latin1');
        const m = /\r?\n\r?\n/.exec(text);
        if (m === null) return;
        const lines = text
          .slice(0, m.index)
          .split('\n')
          .map((l) => l.replace(/\r$/, ''));
        const sl = /^HTTP\/1\.([01]) ([0-9]{3})(?: (.*))?$/.exec(lines[0]);
        if (sl === null) {
          finish(new ClientError('PROTOCOL', `${method} ${u.href}: malformed HTTP response ${JSON.stringify(lines[0])}`));
          return;
        }
        const status = Number(sl[2]);
        const headers: Array<[string, string]> = [];
        for (const line of lines.slice(1)) {
          if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
            const last = headers[headers.length - 1];
            last[1] = (last[1] + ' ' + line.trim()).trim();
            continue;
          }
          const colon = line.indexOf(':');
          if (colon <= 0) {
            finish(new ClientError('PROTOCOL', `${method} ${u.href}: malformed MIME header line ${JSON.stringify(line)}`));
            return;
          }
          headers.push([canonicalHeaderKey(line.slice(0, colon)), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')]);
        }
        const bodyStart = m.index + m[0].length;
        if (status >= 100 && status <= 199 && status !== 101) {
          buf = buf.subarray(bodyStart); // interim response: skip it
          continue;
        }
        const noBody = method === 'HEAD' || status === 204 || status === 304 || status === 101;
        if (noBody) {
          finish(null, { status, headers, body: Buffer.alloc(0) });
          return;
        }
        const te = headers.filter(([k]) => k === 'Transfer-Encoding').map(([, v]) => v.toLowerCase());
        if (te.length > 0 && te[te.length - 1].split(',').pop()!.trim() === 'chunked') {
          const r = decodeChunked(buf, bodyStart);
          if (r === 'error') {
            finish(new ClientError('PROTOCOL', `${method} ${u.href}: malformed chunked encoding`));
          } else if (r !== null) {
            finish(null, { status, headers, body: r });
          }
          return;
        }
        const cl = headers.find(([k]) => k === 'Content-Length');
        if (cl !== undefined) {
          if (!/^[0-9]+$/.test(cl[1])) {
            finish(new ClientError('PROTOCOL', `${method} ${u.href}: bad Content-Length ${JSON.stringify(cl[1])}`));
            return;
          }
          const n = Number(cl[1]);
          if (buf.length >= bodyStart + n) finish(null, { status, headers, body: Buffer.from(buf.subarray(bodyStart, bodyStart + n)) });
          return;
        }
        // Body delimited by connection close.
        if (ended) finish(null, { status, headers, body: Buffer.from(buf.subarray(bodyStart)) });
        return;
      }
    }
  });
}

function decodeChunked(buf: Buffer, off: number): Buffer | 'error' | null {
  const parts: Buffer[] = [];
  let pos = off;
  for (;;) {
    const lineEnd = buf.indexOf('\n', pos);
    if (lineEnd < 0) return null;
    const sizeText = buf.subarray(pos, lineEnd).toString('latin1').replace(/\r$/, '').split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return 'error';
    const size = parseInt(sizeText, 16);
    pos = lineEnd + 1;
    if (size === 0) {
      for (;;) {
        const tEnd = buf.indexOf('\n', pos);
        if (tEnd < 0) return null;
        const line = buf.subarray(pos, tEnd).toString('latin1').replace(/\r$/, '');
        pos = tEnd + 1;
        if (line === '') return Buffer.concat(parts);
      }
    }
    if (buf.length < pos + size + 2) return null;
    parts.push(buf.subarray(pos, pos + size));
    pos += size;
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
    else if (buf[pos] === 0x0a) pos += 1;
    else return 'error';
  }
}

/** Sends a request the way Go's http.DefaultClient does and returns the final response. */
export async function goRequest(req: GoClientRequest): Promise<GoClientResponse> {
  const deadline = Date.now() + (req.timeoutMs ?? 15_000);
  const follow = req.followRedirects ?? true;
  const initialHeader = new Map<string, string>();
  let customHost: string | undefined;
  for (const [k, v] of Object.entries(req.header ?? {})) {
    const key = canonicalHeaderKey(k);
    if (key === 'Host') customHost = v;
    else initialHeader.set(key, v);
  }
  const initialBody = req.body ?? null;

  let method = req.method === undefined || req.method === '' ? 'GET' : req.method;
  let u = parseUrl(req.url);
  let host = customHost ?? u.authority;
  let header = new Map(initialHeader);
  let body = initialBody;
  const via: ParsedUrl[] = [];

  for (;;) {
    const { head, requestedGzip } = buildRequestHead(method, u, host, header, body);
    const bytes = body !== null && body.length > 0 ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
    const raw = await exchange(u, bytes, method, deadline);
    via.push(u);

    let headers = raw.headers;
    let resBody = raw.body;
    let uncompressed = false;
    const ce = headers.find(([k]) => k === 'Content-Encoding');
    if (requestedGzip && ce !== undefined && ce[1].toLowerCase() === 'gzip') {
      if (resBody.length > 0) {
        try {
          resBody = gunzipSync(resBody);
        } catch (err) {
          throw new ClientError('GZIP', `${method} ${u.href}: gzip: ${(err as Error).message}`);
        }
      }
      headers = headers.filter(([k]) => k !== 'Content-Encoding' && k !== 'Content-Length');
      uncompressed = true;
    }
    const res: GoClientResponse = { status: raw.status, headers, body: resBody, url: u.href, redirects: via.length - 1, uncompressed };

    if (!follow) return res;
    let redirectMethod = method;
    let includeBody: boolean;
    if (raw.status === 301 || raw.status === 302 || raw.status === 303) {
      includeBody = false;
      if (method !== 'GET' && method !== 'HEAD') redirectMethod = 'GET';
    } else if (raw.status === 307 || raw.status === 308) {
      includeBody = true;
    } else {
      return res;
    }
    const loc = headerValues(raw, 'Location')?.[0] ?? '';
    if (loc === '') return res;
    let next: ParsedUrl;
    try {
      next = parseUrl(new URL(loc, u.href).href);
    } catch (err) {
      throw new ClientError('BAD_LOCATION', `failed to parse Location header ${JSON.stringify(loc)}: ${(err as Error).message}`);
    }
    // The previous request's URL becomes the Referer, unless the caller set one.
    const prev = u;
    const nextHeader = new Map<string, string>();
    for (const [k, v] of initialHeader) if (shouldCopyHeaderOnRedirect(k, prev, next)) nextHeader.set(k, v);
    if ((nextHeader.get('Referer') ?? '') === '') nextHeader.set('Referer', prev.href.replace(/^(http:\/\/)[^/@?#]*@/, '$1'));
    if (via.length >= MAX_REDIRECTS) {
      throw new ClientError('TOO_MANY_REDIRECTS', `${redirectMethod} ${JSON.stringify(loc)}: stopped after ${MAX_REDIRECTS} redirects`);
    }
    // A custom Host survives only a relative redirect (Go issue 22233).
    const relative = !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(loc);
    host = host !== prev.authority && relative ? host : next.authority;
    method = redirectMethod;
    body = includeBody ? initialBody : null;
    header = nextHeader;
    u = next;
  }
}
