// JSON serialization that reproduces Go's encoding/json Marshal output for a
// map[string]interface{} (what KrakenD writes for `output_encoding: json`),
// so responses are byte-for-byte comparable with KrakenD's.
//
// Differences from JSON.stringify that matter:
//   - object keys are sorted (Go sorts map keys by UTF-8 bytes);
//   - `<`, `>`, `&` are written as \u003c, \u003e, \u0026 (Go's default HTML
//     escaping) and U+2028/U+2029 as \u2028/\u2029;
//   - a lone surrogate becomes U+FFFD: Go strings are UTF-8, and Go's decoder
//     turns an unpaired "\ud800" escape into U+FFFD, which Marshal writes raw;
//   - non-finite numbers become null (Go would fail; a gateway must answer).
// Control characters match JSON.stringify: \n \r \t \b \f as short escapes,
// the rest as \u00XX. (Go < 1.22 wrote \b and \f as \u0008 and \u000c; Go
// 1.22+, which current KrakenD releases are built with, uses \b and \f.)
//
// This runs on every JSON response, so it avoids sorting 0/1-key objects,
// avoids intermediate arrays, and wraps plain strings in quotes without
// scanning them character by character.

import { compareCodePoints, hasSurrogate, sortUtf16 } from './go-order.js';

/** Nesting bound: protects the stack from cyclic or absurdly deep values. */
const MAX_DEPTH = 1000;

// A string matching none of these can be emitted as '"' + s + '"'.
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;
// A string matching none of these is escaped identically by JSON.stringify.
// The `u` flag makes the surrogate class match only unpaired surrogates, so
// emoji and other astral characters still take the native path.
const GO_SPECIFIC = /[<>&\u2028\u2029]|[\ud800-\udfff]/u;

const HEX = '0123456789abcdef';

/** Serializes a value exactly like Go's json.Marshal (no trailing newline). */
export function stringifyGo(value: unknown): string {
  return encodeValue(value, 0);
}

function encodeValue(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object':
      if (v === null) return 'null';
      if (depth >= MAX_DEPTH) {
        throw new TypeError(`json: value nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
      }
      if (Array.isArray(v)) return encodeArray(v, depth + 1);
      return encodeObjectLike(v, depth + 1);
    default:
      // undefined, functions and symbols have no JSON form; inside arrays
      // (and at the top level) JSON.stringify and Go's nil both give null.
      return 'null';
  }
}

function encodeArray(a: readonly unknown[], depth: number): string {
  const n = a.length;
  if (n === 0) return '[]';
  let out = '[' + encodeValue(a[0], depth);
  for (let i = 1; i < n; i++) out += ',' + encodeValue(a[i], depth);
  return out + ']';
}

function encodeObjectLike(o: object, depth: number): string {
  // Go marshals []byte as a base64 string; Buffer must be caught before its
  // toJSON() turns it into {"type":"Buffer","data":[...]}.
  if (o instanceof Uint8Array) {
    return '"' + Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('base64') + '"';
  }
  // Honour toJSON (Date and friends) the way JSON.stringify does.
  const toJSON = (o as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return encodeValue(toJSON.call(o), depth);
  return encodeObject(o as Record<string, unknown>, depth);
}

function encodeObject(obj: Record<string, unknown>, depth: number): string {
  const keys = Object.keys(obj);
  const n = keys.length;
  if (n === 0) return '{}';
  // UTF-16 order equals Go's UTF-8 byte order unless a key holds a surrogate.
  // Keys are regex-scanned for escaping anyway, so we sort optimistically and
  // only re-sort (and start over) in the rare case a surrogate turns up.
  if (n > 1) sortUtf16(keys);
  let resorted = n < 2;
  let out = '{';
  let first = true;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    const v = obj[k];
    // Skipped like JSON.stringify does: these have no JSON representation.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    let qk: string;
    if (!NEEDS_ESCAPE.test(k)) qk = '"' + k + '"';
    else {
      if (!resorted && hasSurrogate(k)) {
        keys.sort(compareCodePoints);
        resorted = true;
        out = '{';
        first = true;
        i = -1;
        continue;
      }
      qk = quoteEscaped(k);
    }
    if (first) first = false;
    else out += ',';
    out += qk + ':' + encodeValue(v, depth);
  }
  return out + '}';
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  // Go prints float64 negative zero as "-0"; JS's String(-0) is "0".
  if (n === 0) return 1 / n < 0 ? '-0' : '0';
  // Go switches to exponent form below 1e-6 and from 1e21 up, like JS, and
  // writes the same shortest round-trip digits ("1e-7", "1.5e+21"), so the
  // native conversion is already byte-identical.
  return '' + n;
}

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? quoteEscaped(s) : '"' + s + '"';
}

/** Quotes a string known to contain at least one character needing care. */
function quoteEscaped(s: string): string {
  return GO_SPECIFIC.test(s) ? quoteSlow(s) : JSON.stringify(s);
}

/** Character-by-character escaping for strings with Go-specific escapes. */
function quoteSlow(s: string): string {
  let out = '"';
  let start = 0; // first character not yet copied to `out`
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26) {
      if (c < 0x2028) continue;
      if (c === 0x2028) rep = '\\u2028';
      else if (c === 0x2029) rep = '\\u2029';
      else if (c >= 0xd800 && c <= 0xdbff) {
        const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++; // valid pair: copy as is
          continue;
        }
        rep = '\ufffd';
      } else if (c >= 0xdc00 && c <= 0xdfff) rep = '\ufffd';
      else continue;
    } else {
      switch (c) {
        case 0x22:
          rep = '\\"';
          break;
        case 0x5c:
          rep = '\\\\';
          break;
        case 0x0a:
          rep = '\\n';
          break;
        case 0x0d:
          rep = '\\r';
          break;
        case 0x09:
          rep = '\\t';
          break;
        case 0x08:
          rep = '\\b';
          break;
        case 0x0c:
          rep = '\\f';
          break;
        default: // <, >, & and the remaining control characters
          rep = '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
      }
    }
    if (start < i) out += s.slice(start, i);
    out += rep;
    start = i + 1;
  }
  if (start < n) out += s.slice(start);
  return out + '"';
}
