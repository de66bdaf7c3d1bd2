// Go's encoding/json Marshal output (see json-go.ts for what that means: sorted keys, HTML
// escaping, U+2028/U+2029, lone surrogates as U+FFFD, -0, non-finite numbers as null), written
// straight into UTF-8 bytes: `encodeGoBytes(v)` equals `Buffer.from(stringifyGo(v))` byte for byte.
//
// Why a second encoder: a response body goes on the wire as bytes. stringifyGo builds the text by
// concatenation (a rope), and the response writer then had to flatten it, measure its UTF-8
// length and encode it again inside the socket write; on the JSON route that cost about as
// much as encoding itself (issue #20). Here one pass over the value writes the bytes into a
// scratch buffer that lives across calls, and the caller gets a Buffer whose length is the
// Content-Length. Short strings are copied code unit by code unit (a native call per string
// costs more than the loop); long ones with nothing to escape go through one Buffer write, which
// already turns lone surrogates into U+FFFD as Go does.
import { compareCodePoints, sortUtf16 } from './go-order.js';
import { stringifyGo } from './json-go.js';

/** Nesting bound, as stringifyGo's (same error, same depth). */
const MAX_DEPTH = 1000;
/** Outputs up to this size are copied out of the scratch buffer (its starting size); larger ones
 * are handed over whole, and a new scratch of the grown size (at most KEEP) is made. */
const SCRATCH = 16 * 1024;
const KEEP = 1024 * 1024;
/** Code units escaped per capacity check: bounds the room reserved ahead (6 bytes a unit). */
const CHUNK = 4096;
/** Strings at least this long with nothing to escape are written by one Buffer write. */
const LONG_STRING = 64;

// A string matching none of these needs no escape (lone surrogates become U+FFFD in Buffer's UTF-8).
const ESCAPES = /["\\\u0000-\u001f<>&\u2028\u2029]/;

/** ASCII bytes that need an escape: control characters, '"', '\', '<', '>', '&'. */
const ESCAPED_ASCII = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ESCAPED_ASCII[c] = 1;
for (const c of '"\\<>&') ESCAPED_ASCII[c.charCodeAt(0)] = 1;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

const NULL = 'null';

let buf = Buffer.allocUnsafe(SCRATCH);
let pos = 0;
/** Set while an encoding runs: a toJSON calling back in gets the string encoder instead. */
let busy = false;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, pos);
  buf = next;
}

function writeAscii(s: string): void {
  const n = s.length;
  ensure(n);
  const b = buf;
  let p = pos;
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
  pos = p;
}

function writeByte(c: number): void {
  if (pos >= buf.length) ensure(1);
  buf[pos++] = c;
}

/** Writes a quoted string; returns whether it holds a UTF-16 surrogate (a key then changes the
 * object's order: Go sorts by UTF-8 bytes). */
function writeString(s: string, quick: boolean): boolean {
  const n = s.length;
  if (quick && n >= LONG_STRING && !ESCAPES.test(s)) {
    ensure((n < CHUNK ? n * 3 : Buffer.byteLength(s)) + 2);
    buf[pos++] = 0x22;
    pos += buf.write(s, pos, 'utf8');
    buf[pos++] = 0x22;
    return false;
  }
  // Worst case per code unit: 6 bytes (\u00XX, \u2028); a pair takes 4 for 2 units.
  ensure((n < CHUNK ? n : CHUNK) * 6 + 2);
  let b = buf;
  let p = pos;
  let surrogate = false;
  let room = CHUNK;
  b[p++] = 0x22;
  for (let i = 0; i < n; i++) {
    if (--room === 0) {
      pos = p;
      ensure(CHUNK * 6 + 1);
      b = buf;
      room = CHUNK;
    }
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (ESCAPED_ASCII[c] === 0) {
        b[p++] = c;
        continue;
      }
      b[p++] = 0x5c;
      switch (c) {
        case 0x22:
          b[p++] = 0x22;
          break;
        case 0x5c:
          b[p++] = 0x5c;
          break;
        case 0x0a:
          b[p++] = 0x6e;
          break;
        case 0x0d:
          b[p++] = 0x72;
          break;
        case 0x09:
          b[p++] = 0x74;
          break;
        case 0x08:
          b[p++] = 0x62;
          break;
        case 0x0c:
          b[p++] = 0x66;
          break;
        default: // <, >, & and the remaining control characters
          b[p++] = 0x75;
          b[p++] = 0x30;
          b[p++] = 0x30;
          b[p++] = HEX[c >> 4];
          b[p++] = HEX[c & 0xf];
      }
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      if (c === 0x2028 || c === 0x2029) {
        b[p++] = 0x5c;
        b[p++] = 0x75;
        b[p++] = 0x32;
        b[p++] = 0x30;
        b[p++] = 0x32;
        b[p++] = c === 0x2028 ? 0x38 : 0x39;
        continue;
      }
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    } else {
      surrogate = true;
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        b[p++] = 0xf0 | (cp >> 18);
        b[p++] = 0x80 | ((cp >> 12) & 0x3f);
        b[p++] = 0x80 | ((cp >> 6) & 0x3f);
        b[p++] = 0x80 | (cp & 0x3f);
      } else {
        // A lone surrogate: Go's strings are UTF-8, its decoder makes it U+FFFD.
        b[p++] = 0xef;
        b[p++] = 0xbf;
        b[p++] = 0xbd;
      }
    }
  }
  b[p++] = 0x22;
  pos = p;
  return surrogate;
}

/** A number as this encoder writes it (ASCII). */
export function goNumberText(v: number): string {
  if (!Number.isFinite(v)) return NULL;
  // Go prints float64 negative zero as "-0"; JS's String(-0) is "0".
  if (v === 0) return 1 / v < 0 ? '-0' : '0';
  // The same shortest round-trip digits and exponent thresholds as Go (see json-go.ts).
  return '' + v;
}

function writeNumber(v: number): void {
  writeAscii(goNumberText(v));
}

function writeValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      writeString(v, true);
      return;
    case 'number':
      return writeNumber(v);
    case 'boolean':
      return writeAscii(v ? 'true' : 'false');
    case 'bigint':
      return writeAscii(v.toString());
    case 'object':
      if (v === null) return writeAscii(NULL);
      if (depth >= MAX_DEPTH) throw new TypeError(`json: value nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
      if (Array.isArray(v)) return writeArray(v, depth + 1);
      return writeObjectLike(v, depth + 1);
    default:
      // undefined, functions and symbols: null in arrays and at the top level.
      return writeAscii(NULL);
  }
}

function writeArray(a: readonly unknown[], depth: number): void {
  writeByte(0x5b);
  const n = a.length;
  for (let i = 0; i < n; i++) {
    if (i > 0) writeByte(0x2c);
    writeValue(a[i], depth);
  }
  writeByte(0x5d);
}

function writeObjectLike(o: object, depth: number): void {
  // Go marshals []byte as a base64 string (before Buffer's toJSON could apply).
  if (o instanceof Uint8Array) {
    writeByte(0x22);
    writeAscii(Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('base64'));
    writeByte(0x22);
    return;
  }
  const toJSON = (o as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return writeValue(toJSON.call(o), depth);
  writeObject(o as Record<string, unknown>, depth);
}

function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function writeObject(obj: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(obj);
  const n = keys.length;
  if (n > 1) sortUtf16(keys);
  const start = pos;
  // UTF-16 order equals Go's UTF-8 byte order unless a key holds a surrogate: written in UTF-16
  // order first, and in the rare case a key turns out to hold one, rewritten in code point order.
  let resorted = n < 2;
  for (;;) {
    writeByte(0x7b);
    let first = true;
    let again = false;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const v = obj[k];
      if (skipped(v)) continue;
      if (first) first = false;
      else writeByte(0x2c);
      if (writeString(k, false) && !resorted) {
        again = true;
        break;
      }
      writeByte(0x3a);
      writeValue(v, depth);
    }
    if (!again) break;
    keys.sort(compareCodePoints);
    resorted = true;
    pos = start;
  }
  writeByte(0x7d);
}

/** Serializes a value exactly like Go's json.Marshal, as UTF-8 bytes (no trailing newline). */
export function encodeGoBytes(value: unknown): Buffer {
  // Re-entered from a toJSON: the scratch buffer is in use.
  if (busy) return Buffer.from(stringifyGo(value));
  busy = true;
  pos = 0;
  try {
    writeValue(value, 0);
    if (pos > SCRATCH) {
      // A large output is handed over as it is (no copy); the next call gets a new scratch.
      const out = buf.subarray(0, pos);
      buf = Buffer.allocUnsafe(Math.min(buf.length, KEEP));
      return out;
    }
    const out = Buffer.allocUnsafe(pos);
    buf.copy(out, 0, 0, pos);
    return out;
  } catch (err) {
    if (buf.length > KEEP) buf = Buffer.allocUnsafe(SCRATCH);
    throw err;
  } finally {
    pos = 0;
    busy = false;
  }
}
