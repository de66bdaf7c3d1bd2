// Small re-implementations of Go standard-library behaviour that the KrakenD CE conformance
// harness depends on: textproto header canonicalisation, encoding/json output, net/url query
// parsing, net/http status texts. Used by the mock backend, the Go-like client and the runner.
// Reference: /work/shared/conformance/README.md §3 and §5.

import { STATUS_CODES } from 'node:http';

// ---------------------------------------------------------------------------------------------
// Header names (net/textproto)
// ---------------------------------------------------------------------------------------------

/** RFC 7230 token characters, as Go's httpguts/textproto validHeaderFieldByte. */
export function isTokenChar(c: number): boolean {
  if (c >= 0x30 && c <= 0x39) return true; // 0-9
  if (c >= 0x41 && c <= 0x5a) return true; // A-Z
  if (c >= 0x61 && c <= 0x7a) return true; // a-z
  return "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * textproto.CanonicalMIMEHeaderKey: upper-case the first letter and every letter after '-',
 * lower-case the rest. A name containing a non-token character is returned unchanged.
 */
export function canonicalHeaderKey(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isTokenChar(c)) return name; // includes ' ': Go leaves such names alone
  }
  let out = '';
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    let ch = name[i];
    if (upper && ch >= 'a' && ch <= 'z') ch = ch.toUpperCase();
    else if (!upper && ch >= 'A' && ch <= 'Z') ch = ch.toLowerCase();
    out += ch;
    upper = ch === '-';
  }
  return out;
}

/** httpguts.ValidHeaderFieldValue: no CTLs except HTAB; obs-text allowed. */
export function isValidHeaderValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Status texts (net/http.StatusText)
// ---------------------------------------------------------------------------------------------

const GO_STATUS_TEXT_OVERRIDES: Record<number, string> = {
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  416: 'Requested Range Not Satisfiable',
  422: 'Unprocessable Entity',
  306: '',
};

/** Go's http.StatusText ('' for unknown codes). */
export function goStatusText(code: number): string {
  if (code in GO_STATUS_TEXT_OVERRIDES) return GO_STATUS_TEXT_OVERRIDES[code];
  return STATUS_CODES[code] ?? '';
}

// ---------------------------------------------------------------------------------------------
// UTF-8 as Go sees it
// ---------------------------------------------------------------------------------------------

/**
 * Decodes one rune from `b` at `i` with Go's utf8.DecodeRune rules.
 * Returns [codePoint, size]; an invalid sequence gives [-1, 1] (Go: RuneError, 1).
 */
export function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i];
  if (c0 < 0x80) return [c0, 1];
  const n = b.length - i;
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    if (n < 2) return [-1, 1];
    const c1 = b[i + 1];
    if ((c1 & 0xc0) !== 0x80) return [-1, 1];
    return [((c0 & 0x1f) << 6) | (c1 & 0x3f), 2];
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    if (n < 3) return [-1, 1];
    const c1 = b[i + 1];
    const c2 = b[i + 2];
    const lo = c0 === 0xe0 ? 0xa0 : 0x80;
    const hi = c0 === 0xed ? 0x9f : 0xbf; // no surrogates
    if (c1 < lo || c1 > hi || (c2 & 0xc0) !== 0x80) return [-1, 1];
    return [((c0 & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f), 3];
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    if (n < 4) return [-1, 1];
    const c1 = b[i + 1];
    const c2 = b[i + 2];
    const c3 = b[i + 3];
    const lo = c0 === 0xf0 ? 0x90 : 0x80;
    const hi = c0 === 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) return [-1, 1];
    return [((c0 & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f), 4];
  }
  return [-1, 1];
}

// ---------------------------------------------------------------------------------------------
// encoding/json
// ---------------------------------------------------------------------------------------------

/** A Go struct: fields are encoded in declaration order (Go maps are encoded with sorted keys). */
export class GoStruct {
  constructor(readonly fields: ReadonlyArray<readonly [string, GoJsonValue]>) {}
}

/** A Go map[string]T whose keys are byte strings (Buffers); encoded with keys sorted by bytes. */
export class GoMap {
  constructor(readonly entries: ReadonlyArray<readonly [Buffer, GoJsonValue]>) {}
}

/**
 * Values the encoder understands. A Buffer is a Go `string` holding arbitrary bytes (invalid
 * UTF-8 becomes the escape `\ufffd`, exactly like Go); a JS string is encoded as its UTF-8 text.
 */
export type GoJsonValue = null | boolean | number | string | Buffer | GoStruct | GoMap | GoJsonValue[] | { [key: string]: GoJsonValue };

const HEX = '0123456789abcdef';

function encodeStringBytes(b: Uint8Array): string {
  let out = '"';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26) {
        out += String.fromCharCode(c);
      } else {
        switch (c) {
          case 0x22:
            out += '\\"';
            break;
          case 0x5c:
            out += '\\\\';
            break;
          case 0x08:
            out += '\\b';
            break; // Go >= 1.22
          case 0x0c:
            out += '\\f';
            break; // Go >= 1.22
          case 0x0a:
            out += '\\n';
            break;
          case 0x0d:
            out += '\\r';
            break;
          case 0x09:
            out += '\\t';
            break;
          default:
            // control characters and the HTML-significant <, >, &
            out += '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
        }
      }
      i++;
      continue;
    }
    const [r, size] = decodeRune(b, i);
    if (r === -1) {
      out += '\\ufffd';
      i += 1;
      continue;
    }
    if (r === 0x2028 || r === 0x2029) {
      out += '\\u202' + HEX[r & 0xf];
    } else {
      out += String.fromCodePoint(r);
    }
    i += size;
  }
  return out + '"';
}

function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${n}`);
  if (Object.is(n, -0)) return '-0';
  // Go's float64 encoder switches to exponent form for abs < 1e-6 || abs >= 1e21 like JS,
  // and writes "e-07" as "e-7" like JS. Integers are written without a fraction in both.
  return JSON.stringify(n);
}

/** json.Marshal: compact, map keys sorted by bytes, HTML escaping on, no trailing newline. */
export function goJsonMarshal(v: GoJsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return encodeNumber(v);
  if (typeof v === 'string') return encodeStringBytes(Buffer.from(v, 'utf8'));
  if (Buffer.isBuffer(v)) return encodeStringBytes(v);
  if (v instanceof GoStruct) {
    return '{' + v.fields.map(([k, x]) => encodeStringBytes(Buffer.from(k, 'utf8')) + ':' + goJsonMarshal(x)).join(',') + '}';
  }
  if (v instanceof GoMap) {
    const entries = [...v.entries].sort((a, b) => Buffer.compare(a[0], b[0]));
    return '{' + entries.map(([k, x]) => encodeStringBytes(k) + ':' + goJsonMarshal(x)).join(',') + '}';
  }
  if (Array.isArray(v)) return '[' + v.map((x) => goJsonMarshal(x)).join(',') + ']';
  const keys = Object.keys(v).sort(compareBytewise);
  return '{' + keys.map((k) => encodeStringBytes(Buffer.from(k, 'utf8')) + ':' + goJsonMarshal(v[k])).join(',') + '}';
}

/** json.NewEncoder(w).Encode(v): Marshal plus a trailing "\n". */
export function goJsonEncode(v: GoJsonValue): string {
  return goJsonMarshal(v) + '\n';
}

/** Converts parsed JSON (from JSON.parse) into a GoJsonValue (a generic Go interface{}). */
export function fromParsedJson(v: unknown): GoJsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(fromParsedJson);
  if (typeof v === 'object') {
    const out: { [key: string]: GoJsonValue } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromParsedJson(x);
    return out;
  }
  throw new Error(`not a JSON value: ${typeof v}`);
}

// ---------------------------------------------------------------------------------------------
// net/url
// ---------------------------------------------------------------------------------------------

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * url.PathUnescape / url.QueryUnescape on a byte string (latin1 JS string, one char per byte).
 * Returns the decoded bytes, or null on an invalid escape (Go returns an error).
 */
export function goUnescape(s: string, mode: 'path' | 'query'): Buffer | null {
  const src = Buffer.from(s, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === 0x25) {
      if (i + 2 >= src.length) return null;
      const h = unhex(src[i + 1]);
      const l = unhex(src[i + 2]);
      if (h < 0 || l < 0) return null;
      out.push((h << 4) | l);
      i += 2;
    } else if (c === 0x2b && mode === 'query') {
      out.push(0x20);
    } else {
      out.push(c);
    }
  }
  return Buffer.from(out);
}

/** url.ParseQuery: keys in first-appearance order, values in order. Values are byte strings. */
export function goParseQuery(rawQuery: string): Map<string, Buffer[]> {
  const m = new Map<string, Buffer[]>();
  let query = rawQuery;
  while (query !== '') {
    let key: string;
    const amp = query.indexOf('&');
    if (amp >= 0) {
      key = query.slice(0, amp);
      query = query.slice(amp + 1);
    } else {
      key = query;
      query = '';
    }
    if (key.includes(';')) continue; // "invalid semicolon separator in query"
    if (key === '') continue;
    let value = '';
    const eq = key.indexOf('=');
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    const k = goUnescape(key, 'query');
    if (k === null) continue;
    const v = goUnescape(value, 'query');
    if (v === null) continue;
    const ks = k.toString('latin1');
    const list = m.get(ks);
    if (list) list.push(v);
    else m.set(ks, [v]);
  }
  return m;
}

/** path.Clean for a rooted URL path, preserving a trailing slash (net/http cleanPath). */
export function goCleanPath(p: string): string {
  if (p === '') return '/';
  if (p[0] !== '/') p = '/' + p;
  const parts = p.split('/');
  const stack: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      stack.pop();
      continue;
    }
    stack.push(part);
  }
  let np = '/' + stack.join('/');
  if (p.endsWith('/') && np !== '/') np += '/';
  return np;
}

/** url.URL.EscapedPath for a decoded path (no RawPath): Go's escape(s, encodePath). */
export function goEscapePath(decoded: Buffer): string {
  const HEXU = '0123456789ABCDEF';
  let out = '';
  for (const c of decoded) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(ch)) out += ch;
    else out += '%' + HEXU[c >> 4] + HEXU[c & 0xf];
  }
  return out;
}

/** Go's hexEscapeNonASCII, applied to Location headers by http.Redirect. */
export function goHexEscapeNonAscii(s: string): string {
  const HEXU = '0123456789ABCDEF';
  let out = '';
  for (const c of Buffer.from(s, 'latin1')) {
    out += c >= 0x80 ? '%' + HEXU[c >> 4] + HEXU[c & 0xf] : String.fromCharCode(c);
  }
  return out;
}

/** Go's htmlEscape used by http.Redirect. */
export function goHtmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&#34;' : '&#39;'));
}

/** strconv.Atoi with Go's error texts. */
export function goAtoi(s: string): { value: number } | { error: string } {
  const syntax = { error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const range = { error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  if (!/^[+-]?[0-9]+$/.test(s)) return syntax;
  const big = BigInt(s);
  if (big > 9223372036854775807n || big < -9223372036854775808n) return range;
  return { value: Number(big) };
}

/** strconv.Quote for the ASCII-ish strings we need it for. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + HEX[c >> 4] + HEX[c & 0xf];
    else out += ch;
  }
  return out + '"';
}
