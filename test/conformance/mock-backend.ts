// The KrakenD CE integration suite's mock backend, rebuilt in TypeScript.
// Specification: /work/shared/conformance/README.md §5.
//
// It is a raw HTTP/1.1 server on top of node:net rather than node:http, because the bytes matter:
// node:http always adds `Connection: keep-alive` / `Keep-Alive` response headers, lower-cases
// request header names and merges some repeated headers. A Go server does none of that, and the
// echo route reports request headers exactly as a Go server sees them. So this file parses
// requests and writes responses the way Go's net/http server does:
//   - request header names canonicalised (textproto), values trimmed, repeats kept in order;
//   - `Host` and `Transfer-Encoding` consumed, chunked request bodies decoded;
//   - responses: handler headers sorted by name, then `Date`, then `Content-Length` (bodies up to
//     2048 bytes; larger ones are sent chunked), `Connection: close` only when closing;
//   - http.ServeMux routing: subtree patterns, exact patterns, 301 to the trailing-slash form,
//     301 to the cleaned path, `404 page not found\n`.
//
// Deviation from the Go harness: it listens on 127.0.0.1 by default (the Go mock listens on all
// interfaces). The fixture config only ever addresses it as 127.0.0.1. Pass `host` to change it.

import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import {
  GoMap,
  GoStruct,
  type GoJsonValue,
  canonicalHeaderKey,
  goAtoi,
  goCleanPath,
  goEscapePath,
  goHexEscapeNonAscii,
  goHtmlEscape,
  goJsonEncode,
  goParseQuery,
  goStatusText,
  goUnescape,
  isToken,
  isValidHeaderValue,
} from './go-compat.js';
import { mockBackendDataDir } from './paths.js';

export interface MockBackendOptions {
  /** Delay of the `/delayed/` route in milliseconds (Go harness flag `krakend_delay`, 200 ms). */
  delayMs?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Folder holding `user.xml` and `jwk-symmetric.json`. Default: `<shared>/conformance/mock-backend`. */
  dataDir?: string;
}

export interface MockBackend {
  port: number;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Request parsing
// ---------------------------------------------------------------------------------------------

/** A request as the Go handler sees it. Strings are byte strings (latin1, one char per byte). */
interface GoRequest {
  method: string;
  protoMinor: 0 | 1;
  /** Canonical name -> values in arrival order. Host and Transfer-Encoding already removed. */
  header: Map<string, string[]>;
  /** Escaped path as received (r.URL.EscapedPath()). */
  escapedPath: string;
  /** Decoded path bytes (r.URL.Path). */
  path: Buffer;
  rawQuery: string;
  forceQuery: boolean;
  body: Buffer;
  close: boolean;
}

type ParseResult =
  { kind: 'incomplete'; expectContinue: boolean } | { kind: 'error'; response: string } | { kind: 'request'; req: GoRequest; consumed: number };

const MAX_HEADER_BYTES = 1 << 20; // Go's DefaultMaxHeaderBytes
const MAX_BODY_BYTES = 64 << 20; // safety cap; Go has none

const ERROR_HEADERS = '\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n';

function badRequest(detail?: string): ParseResult {
  const publicErr = detail === undefined ? '400 Bad Request' : `400 Bad Request: ${detail}`;
  return { kind: 'error', response: `HTTP/1.1 ${publicErr}${ERROR_HEADERS}${publicErr}` };
}

function findHeadEnd(s: string): { headEnd: number; bodyStart: number } | null {
  const m = /\r?\n\r?\n/.exec(s);
  if (m === null) return null;
  return { headEnd: m.index, bodyStart: m.index + m[0].length };
}

function hasToken(values: string[] | undefined, token: string): boolean {
  if (values === undefined) return false;
  return values.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === token));
}

/** Parses a chunked body starting at `off`. Returns null if incomplete. */
function parseChunked(buf: Buffer, off: number): { body: Buffer; end: number } | 'error' | null {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = off;
  for (;;) {
    const lineEnd = buf.indexOf('\n', pos);
    if (lineEnd < 0) return null;
    const line = buf.subarray(pos, lineEnd).toString('latin1').replace(/\r$/, '');
    const sizeText = line.split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return 'error';
    const size = parseInt(sizeText, 16);
    pos = lineEnd + 1;
    if (size === 0) {
      // trailer section, terminated by an empty line
      for (;;) {
        const tEnd = buf.indexOf('\n', pos);
        if (tEnd < 0) return null;
        const tLine = buf.subarray(pos, tEnd).toString('latin1').replace(/\r$/, '');
        pos = tEnd + 1;
        if (tLine === '') return { body: Buffer.concat(parts, total), end: pos };
      }
    }
    if (total + size > MAX_BODY_BYTES) return 'error';
    if (buf.length < pos + size + 1) return null;
    parts.push(buf.subarray(pos, pos + size));
    total += size;
    pos += size;
    if (buf[pos] === 0x0d) {
      if (buf.length < pos + 2) return null;
      if (buf[pos + 1] !== 0x0a) return 'error';
      pos += 2;
    } else if (buf[pos] === 0x0a) {
      pos += 1;
    } else {
      return 'error';
    }
  }
}

function parseRequest(buf: Buffer): ParseResult {
  const text = buf.toString('latin1');
  const head = findHeadEnd(text);
  if (head === null) {
    if (buf.length > MAX_HEADER_BYTES) {
      return {
        kind: 'error',
        response: `HTTP/1.1 431 Request Header Fields Too Large${ERROR_HEADERS}431 Request Header Fields Too Large`,
      };
    }
    return { kind: 'incomplete', expectContinue: false };
  }
  const lines = text
    .slice(0, head.headEnd)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const requestLine = lines[0];
  const sp1 = requestLine.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0) return badRequest();
  const method = requestLine.slice(0, sp1);
  const target = requestLine.slice(sp1 + 1, sp2);
  const proto = requestLine.slice(sp2 + 1);
  if (!isToken(method)) return badRequest();
  let protoMinor: 0 | 1;
  if (proto === 'HTTP/1.1') protoMinor = 1;
  else if (proto === 'HTTP/1.0') protoMinor = 0;
  else return badRequest();

  // Headers (textproto.ReadMIMEHeader), with obs-fold continuation lines joined by a space.
  const header = new Map<string, string[]>();
  let last: { key: string; idx: number } | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last === null) return badRequest();
      const vals = header.get(last.key)!;
      vals[last.idx] = (vals[last.idx] + ' ' + line.trim()).trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return badRequest();
    const rawName = line.slice(0, colon);
    if (!isToken(rawName)) return badRequest('invalid header name');
    const key = canonicalHeaderKey(rawName);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!isValidHeaderValue(value)) return badRequest('invalid header value');
    const vals = header.get(key);
    if (vals) vals.push(value);
    else header.set(key, [value]);
    last = { key, idx: header.get(key)!.length - 1 };
  }

  // Request target (url.ParseRequestURI: no fragment splitting).
  let pathAndQuery: string;
  if (target.startsWith('/')) {
    pathAndQuery = target;
  } else if (target === '*') {
    pathAndQuery = '*';
  } else {
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/.exec(target);
    if (m === null) return badRequest();
    pathAndQuery = target.slice(m[0].length);
  }
  if (/[\x00-\x1f\x7f]/.test(pathAndQuery)) return badRequest();
  const qIdx = pathAndQuery.indexOf('?');
  const escapedPath = qIdx >= 0 ? pathAndQuery.slice(0, qIdx) : pathAndQuery;
  const rawQuery = qIdx >= 0 ? pathAndQuery.slice(qIdx + 1) : '';
  const forceQuery = qIdx >= 0 && rawQuery === '';
  const path = goUnescape(escapedPath, 'path');
  if (path === null) return badRequest();

  // Host: required for HTTP/1.1, at most one, then removed from the map.
  const hosts = header.get('Host');
  if (hosts !== undefined && hosts.length > 1) return badRequest();
  if (protoMinor === 1 && method !== 'CONNECT' && (hosts === undefined || hosts.length === 0)) {
    return badRequest('missing required Host header');
  }
  header.delete('Host');

  // Transfer-Encoding / Content-Length (net/http transfer.go).
  let chunked = false;
  const te = header.get('Transfer-Encoding');
  if (te !== undefined) {
    header.delete('Transfer-Encoding');
    if (protoMinor === 1) {
      if (te.length !== 1 || te[0].toLowerCase() !== 'chunked') {
        return {
          kind: 'error',
          response: `HTTP/1.1 501 Not Implemented${ERROR_HEADERS}Unsupported transfer encoding`,
        };
      }
      chunked = true;
    }
  }
  let contentLength = 0;
  const cls = header.get('Content-Length');
  if (cls !== undefined) {
    const first = cls[0].trim();
    if (cls.some((c) => c.trim() !== first)) return badRequest();
    if (!/^[0-9]+$/.test(first)) return badRequest();
    header.set('Content-Length', [first]);
    contentLength = Number(first);
    if (contentLength > MAX_BODY_BYTES) return badRequest();
  }
  if (chunked) header.delete('Content-Length');

  // Pragma: no-cache without Cache-Control (fixPragmaCacheControl).
  const pragma = header.get('Pragma');
  if (pragma !== undefined && pragma[0] === 'no-cache' && !header.has('Cache-Control')) {
    header.set('Cache-Control', ['no-cache']);
  }

  const expectContinue = hasToken(header.get('Expect'), '100-continue');
  let body: Buffer;
  let consumed: number;
  if (chunked) {
    const r = parseChunked(buf, head.bodyStart);
    if (r === 'error') return badRequest();
    if (r === null) return { kind: 'incomplete', expectContinue };
    body = r.body;
    consumed = r.end;
  } else {
    if (buf.length < head.bodyStart + contentLength) {
      return { kind: 'incomplete', expectContinue: expectContinue && contentLength > 0 };
    }
    body = Buffer.from(buf.subarray(head.bodyStart, head.bodyStart + contentLength));
    consumed = head.bodyStart + contentLength;
  }

  const connection = header.get('Connection');
  const close = protoMinor === 1 ? hasToken(connection, 'close') : !hasToken(connection, 'keep-alive');

  return {
    kind: 'request',
    consumed,
    req: { method, protoMinor, header, escapedPath, path, rawQuery, forceQuery, body, close },
  };
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/** What a handler produced. `abort` = the Go handler panicked: the connection is dropped. */
type HandlerResult = { abort: true } | { abort?: false; status: number; header: Map<string, string[]>; body: Buffer; interim?: number };

function bodyAllowedForStatus(status: number): boolean {
  if (status >= 100 && status <= 199) return false;
  return status !== 204 && status !== 304;
}

function statusLine(protoMinor: 0 | 1, status: number): string {
  const text = goStatusText(status);
  return `HTTP/1.${protoMinor} ${status} ${text === '' ? `status code ${status}` : text}\r\n`;
}

function sortedHeaderLines(header: Map<string, string[]>): string {
  const keys = [...header.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const k of keys) for (const v of header.get(k)!) out += `${k}: ${v}\r\n`;
  return out;
}

/** Serialises a response like Go's net/http server (chunkWriter.writeHeader). */
function serializeResponse(
  req: GoRequest,
  res: { status: number; header: Map<string, string[]>; body: Buffer; interim?: number },
): { bytes: Buffer; close: boolean } {
  const chunks: Buffer[] = [];
  if (res.interim !== undefined) {
    // WriteHeader(1xx): an informational response carrying the current header map.
    const h = new Map(res.header);
    h.delete('Content-Length');
    h.delete('Transfer-Encoding');
    chunks.push(Buffer.from(statusLine(req.protoMinor, res.interim) + sortedHeaderLines(h) + '\r\n', 'latin1'));
  }
  const isHead = req.method === 'HEAD';
  const header = new Map(res.header);
  const body = bodyAllowedForStatus(res.status) ? res.body : Buffer.alloc(0);
  let lenLine = '';
  let teLine = '';
  let close = req.close;
  if (bodyAllowedForStatus(res.status) && !header.has('Content-Length') && !header.has('Transfer-Encoding')) {
    if (body.length <= 2048) {
      if (!isHead || body.length > 0) lenLine = `Content-Length: ${body.length}\r\n`;
    } else if (!isHead) {
      if (req.protoMinor === 1) teLine = 'Transfer-Encoding: chunked\r\n';
      else close = true;
    }
  }
  let connLine = '';
  if (close) {
    header.delete('Connection');
    if (req.protoMinor === 1) connLine = 'Connection: close\r\n';
  } else if (req.protoMinor === 0) {
    connLine = 'Connection: keep-alive\r\n';
  }
  let head = statusLine(req.protoMinor, res.status);
  head += sortedHeaderLines(header);
  head += `Date: ${new Date().toUTCString()}\r\n`;
  head += lenLine;
  head += connLine;
  head += teLine;
  head += '\r\n';
  chunks.push(Buffer.from(head, 'latin1'));
  if (!isHead) {
    if (teLine !== '') {
      chunks.push(Buffer.from(body.length.toString(16) + '\r\n', 'latin1'), body, Buffer.from('\r\n0\r\n\r\n', 'latin1'));
    } else {
      chunks.push(body);
    }
  }
  return { bytes: Buffer.concat(chunks), close };
}

function hdr(entries: Array<[string, string]>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of entries) {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  }
  return m;
}

/** http.Error(w, msg, code): text/plain, nosniff, msg + "\n". */
function httpError(msg: string, status: number): HandlerResult {
  return {
    status,
    header: hdr([
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['X-Content-Type-Options', 'nosniff'],
    ]),
    body: Buffer.from(msg + '\n', 'latin1'),
  };
}

/** http.Redirect(w, r, url, code) for a rooted relative URL. */
function httpRedirect(req: GoRequest, url: string, status: number): HandlerResult {
  let query = '';
  const q = url.indexOf('?');
  if (q >= 0) {
    query = url.slice(q);
    url = url.slice(0, q);
  }
  const trailing = url.endsWith('/');
  url = goCleanPath(url);
  if (trailing && !url.endsWith('/')) url += '/';
  url += query;
  const header = hdr([['Location', goHexEscapeNonAscii(url)]]);
  if (req.method === 'GET' || req.method === 'HEAD') header.set('Content-Type', ['text/html; charset=utf-8']);
  let body = Buffer.alloc(0);
  if (req.method === 'GET') {
    // fmt.Fprintln adds a second newline after the ".\n" of the body text.
    body = Buffer.from(`<a href="${goHtmlEscape(url)}">${goStatusText(status)}</a>.\n\n`, 'latin1');
  }
  return { status, header, body };
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/** The X-Forwarded-For guard: the first value must be one bare loopback IP address. */
export function isLoopbackForwardedFor(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value.includes('%')) return false; // no zone
  if (isIPv4(value)) return value.startsWith('127.');
  if (!isIPv6(value)) return false;
  let host: string;
  try {
    host = new URL(`http://[${value}]/`).hostname; // canonical, lower-case, compressed form
  } catch {
    return false;
  }
  if (host === '[::1]') return true;
  // IPv4-mapped ::ffff:127.x.y.z is serialised as [::ffff:7fxx:yyzz]
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}

function xffGuard(req: GoRequest): HandlerResult | null {
  const xff = req.header.get('X-Forwarded-For');
  if (!isLoopbackForwardedFor(xff?.[0])) return httpError('invalid X-Forwarded-For', 400);
  req.header.delete('X-Forwarded-For');
  return null;
}

function queryToJson(rawQuery: string): GoMap {
  const q = goParseQuery(rawQuery);
  return new GoMap([...q.entries()].map(([k, vs]) => [Buffer.from(k, 'latin1'), vs] as const));
}

/**
 * Rampart adaptation (documented in README "Mock deviations"): Rampart's upstream client
 * (undici, mandated for upstream HTTP) always writes the hop-by-hop header `Connection:
 * keep-alive`, which Go's client never sends. It describes the gateway→mock connection, not the
 * forwarded request (RFC 9110 §7.6.1), so the echo leaves out exactly that value. Any other
 * Connection value (e.g. a client's header leaking through the gateway) is still echoed.
 */
function echoedHeaders(req: GoRequest): [string, string[]][] {
  return [...req.header.entries()].filter(([k, vs]) => !(k === 'Connection' && vs.length === 1 && vs[0] === 'keep-alive'));
}

function echo(req: GoRequest): HandlerResult {
  const headers = new GoMap(echoedHeaders(req).map(([k, vs]) => [Buffer.from(k, 'latin1'), vs.map((v) => Buffer.from(v, 'latin1'))] as const));
  const data: { [key: string]: GoJsonValue } = {
    foo: 42,
    headers,
    path: req.path,
    query: queryToJson(req.rawQuery),
  };
  const dump = goParseQuery(req.rawQuery).get('dump_body');
  if (dump !== undefined && dump[0].toString('latin1') === '1') data.body = req.body;
  return {
    status: 200,
    header: hdr([
      ['Content-Type', 'application/json'],
      ['Set-Cookie', 'test1=test1'],
      ['Set-Cookie', 'test2=test2'],
    ]),
    body: Buffer.from(goJsonEncode(data), 'utf8'),
  };
}

function collection(req: GoRequest): HandlerResult {
  const items: GoJsonValue[] = [];
  for (let i = 0; i < 10; i++)
    items.push(
      new GoStruct([
        ['i', i],
        ['path', req.path],
      ]),
    );
  return {
    status: 200,
    header: hdr([['Content-Type', 'application/json']]),
    body: Buffer.from(goJsonEncode(items), 'utf8'),
  };
}

function redirect(req: GoRequest): HandlerResult {
  const status = goParseQuery(req.rawQuery).get('status');
  if (status === undefined) return { abort: true }; // Go handler panics (index out of range)
  const parsed = goAtoi(status[0].toString('latin1'));
  if ('error' in parsed) return httpError(parsed.error, 400);
  const code = parsed.value;
  if (code < 100 || code > 999) return { abort: true }; // WriteHeader panics: invalid code
  let target = '/param_forwarding/';
  if (req.forceQuery || req.rawQuery !== '') target += '?' + req.rawQuery;
  const res = httpRedirect(req, target, code);
  if (code >= 100 && code <= 199 && code !== 101 && res.abort !== true) {
    // Go writes a 1xx as an informational response; the body write then sends a 200.
    return { ...res, interim: code, status: 200 };
  }
  return res;
}

interface Route {
  pattern: string;
  /** literal segments of the pattern */
  segments: string[];
  subtree: boolean;
  handle(req: GoRequest): Promise<HandlerResult> | HandlerResult;
}

function makeRoutes(opts: { delayMs: number; xml: Buffer; jwk: Buffer }): Route[] {
  const guarded =
    (h: (req: GoRequest) => Promise<HandlerResult> | HandlerResult) =>
    (req: GoRequest): Promise<HandlerResult> | HandlerResult =>
      xffGuard(req) ?? h(req);
  const route = (pattern: string, handle: Route['handle']): Route => {
    const subtree = pattern.endsWith('/');
    const segments = pattern.split('/').filter((s) => s !== '');
    return { pattern, segments, subtree, handle };
  };
  return [
    route('/param_forwarding/', guarded(echo)),
    route(
      '/delayed/',
      guarded(async (req) => {
        await new Promise((r) => setTimeout(r, opts.delayMs));
        return echo(req);
      }),
    ),
    route('/collection/', guarded(collection)),
    route('/redirect/', guarded(redirect)),
    route(
      '/xml',
      guarded(() => ({ status: 200, header: hdr([['Content-Type', 'application/xml; charset=utf-8']]), body: opts.xml })),
    ),
    route('/jwk/symmetric', () => ({ status: 200, header: hdr([['Content-Type', 'application/json']]), body: opts.jwk })),
  ];
}

function segmentsOf(escapedPath: string): string[] {
  // "/a/b/" -> ["a", "b", ""]; each segment unescaped (Go 1.22 ServeMux matching).
  return escapedPath
    .split('/')
    .slice(1)
    .map((s) => goUnescape(s, 'path')?.toString('latin1') ?? s);
}

function matches(route: Route, segs: string[]): 'exact' | 'subtree' | null {
  const n = route.segments.length;
  for (let i = 0; i < n; i++) if (segs[i] !== route.segments[i]) return null;
  if (route.subtree) {
    if (segs.length < n + 1) return null;
    return segs.length === n + 1 && segs[n] === '' ? 'exact' : 'subtree';
  }
  return segs.length === n ? 'exact' : null;
}

/** http.ServeMux.ServeHTTP. */
async function serveMux(routes: Route[], req: GoRequest): Promise<HandlerResult> {
  if (req.method === 'CONNECT' || req.escapedPath === '*') {
    return httpError('404 page not found', 404);
  }
  const cleaned = goCleanPath(req.escapedPath);
  const segs = segmentsOf(cleaned);
  let found: Route | null = null;
  let best = -1;
  for (const r of routes) {
    if (matches(r, segs) !== null && r.segments.length > best) {
      found = r;
      best = r.segments.length;
    }
  }
  // Trailing-slash redirect: /tree -> /tree/ when only the subtree pattern exists.
  if (found === null && !cleaned.endsWith('/')) {
    const withSlash = segmentsOf(cleaned + '/');
    if (routes.some((r) => r.subtree && matches(r, withSlash) === 'exact')) {
      let loc = goEscapePath(Buffer.concat([Buffer.from(goCleanPath(req.path.toString('latin1')), 'latin1'), Buffer.from('/')]));
      if (req.rawQuery !== '' || req.forceQuery) loc += '?' + req.rawQuery;
      return httpRedirect(req, loc, 301);
    }
  }
  if (cleaned !== req.escapedPath) {
    let loc = cleaned;
    if (req.rawQuery !== '' || req.forceQuery) loc += '?' + req.rawQuery;
    return httpRedirect(req, loc, 301);
  }
  if (found === null) return httpError('404 page not found', 404);
  return found.handle(req);
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export async function startMockBackend(port: number, opts: MockBackendOptions = {}): Promise<MockBackend> {
  const dataDir = opts.dataDir ?? mockBackendDataDir();
  const xml = readFileSync(join(dataDir, 'user.xml'));
  const jwk = readFileSync(join(dataDir, 'jwk-symmetric.json'));
  const routes = makeRoutes({ delayMs: opts.delayMs ?? 200, xml, jwk });
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf: Buffer = Buffer.alloc(0);
    let busy = false;
    let done = false;
    let continueSent = false;

    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        while (!done && buf.length > 0) {
          const r = parseRequest(buf);
          if (r.kind === 'incomplete') {
            if (r.expectContinue && !continueSent) {
              continueSent = true;
              socket.write('HTTP/1.1 100 Continue\r\n\r\n');
            }
            break;
          }
          if (r.kind === 'error') {
            done = true;
            socket.end(Buffer.from(r.response, 'latin1'));
            break;
          }
          continueSent = false;
          buf = buf.subarray(r.consumed);
          const res = await serveMux(routes, r.req);
          if (socket.destroyed) break;
          if (res.abort === true) {
            done = true;
            socket.destroy();
            break;
          }
          const out = serializeResponse(r.req, res);
          if (out.close) {
            done = true;
            socket.end(out.bytes);
            break;
          }
          socket.write(out.bytes);
        }
      } catch (err) {
        done = true;
        socket.destroy(err instanceof Error ? err : undefined);
      } finally {
        busy = false;
      }
      // Data that arrived while a handler was running is handled by the loop above; if the loop
      // stopped on an incomplete request, the next 'data' event resumes it.
    };

    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      void pump();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: opts.host ?? '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('mock backend: no TCP address');

  let closed: Promise<void> | null = null;
  return {
    port: address.port,
    close(): Promise<void> {
      if (closed === null) {
        closed = new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
      }
      return closed;
    },
  };
}
