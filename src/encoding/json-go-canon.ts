// Go's encoding/json output of a JSON object body, made from the body's bytes without the JS
// object in between: `canonicalGoJson(buf)` equals `encodeGoBytes(JSON.parse(buf.toString()))`
// byte for byte, or is undefined when it cannot tell cheaply (then the caller takes that path).
//
// Why: a single-backend JSON endpoint with nothing that reads or changes the data (no allow,
// deny, group, mapping, target, hooks) answers the backend's object re-encoded as Go would
// write it. Decoding into JS values and encoding them again cost the JSON route about 8 µs per
// request (issue #20); most bodies are already nearly in Go's form: same tokens, only the key
// order (Go sorts) and whitespace differ. One validating pass copies the tokens that Go would
// write the same (plain strings, integers, numbers whose Go text is their text, literals),
// drops whitespace, rewrites the few that differ (escapes, <, >, &, U+2028/9, numbers in
// another form), and puts each object's members in Go's order (UTF-8 byte order of the keys,
// which is the code point order encodeGoBytes sorts by).
//
// It gives up (undefined) on anything where the general path's answer is not simply the tokens:
// invalid JSON (the general path reports the error), a top level that is not an object, invalid
// UTF-8 (the decoder's U+FFFD replacement), a key with an escape or a character Go escapes,
// duplicate keys (JSON.parse keeps the last value), nesting deeper than MAX_DEPTH.
import { encodeGoBytes, goNumberText } from './json-go-bytes.js';

/** Deeper bodies go the general path (this one recurses per level). */
const MAX_DEPTH = 128;
const SCRATCH = 16 * 1024;

/** ASCII bytes a string may hold that Go writes as they are. */
const PLAIN = new Uint8Array(128);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = 1;
for (const c of '"\\<>&') PLAIN[c.charCodeAt(0)] = 0;

const EMPTY = Buffer.alloc(0);
let src: Buffer = EMPTY;
/** Read position in src. */
let i = 0;
let end = 0;
let out = Buffer.allocUnsafe(SCRATCH);
/** Write position in out; src[run, i) is the verbatim run not yet copied there. */
let pos = 0;
let run = 0;
/** Whether the output differs from the input other than by dropped whitespace. */
let changed = false;
/** Members of the objects being read, 4 ints each: start and end in out (as offsets the bytes
 * will have once the run is copied), key start and end in src (between the quotes). */
let members = new Int32Array(4 * 64);
let top = 0;
let spare = Buffer.allocUnsafe(SCRATCH);
let sortOrder = new Int32Array(64);

/** Copies from[s, e) to to[at..]; returns the byte count. Short spans by a loop: Buffer#copy
 * and TypedArray#set cost more than the copy for them. */
function copyBytes(to: Uint8Array, at: number, from: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n < 128) {
    for (let k = 0; k < n; k++) to[at + k] = from[s + k];
  } else {
    to.set(from.subarray(s, e), at);
  }
  return n;
}

function ensure(n: number): void {
  if (pos + n <= out.length) return;
  let size = out.length * 2;
  while (size < pos + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  out.copy(next, 0, 0, pos);
  out = next;
}

/** Copies the verbatim run up to `to` into out. */
function flush(to: number): void {
  const n = to - run;
  if (n <= 0) return;
  // Room for the run and for the rest of the input as it stands: later verbatim bytes never
  // need more than their own length.
  ensure(end - run);
  pos += copyBytes(out, pos, src, run, to);
  run = to;
}

/** Where src offset `at` (at >= run) lands in out. */
function outAt(at: number): number {
  return pos + at - run;
}

/** Writes `bytes` in place of src[from, to). */
function replace(from: number, to: number, bytes: Buffer | string): void {
  flush(from);
  ensure(bytes.length + (end - to));
  if (typeof bytes === 'string') pos += out.write(bytes, pos, 'latin1');
  else pos += bytes.copy(out, pos);
  run = to;
  changed = true;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(): void {
  if (!isWs(src[i])) return;
  flush(i);
  const s = src;
  let p = i + 1;
  while (p < end && isWs(s[p])) p++;
  i = p;
  run = p;
}

/** Scans a string from its opening quote at i; returns 0 when it is invalid or holds invalid
 * UTF-8, 1 when Go writes it as it is, 2 when Go writes it otherwise (escapes, <, >, &,
 * U+2028/9). i ends after the closing quote either way. */
function scanString(): number {
  const s = src;
  const e = end;
  let p = i + 1;
  let kind = 1;
  for (;;) {
    if (p >= e) return 0;
    const c = s[p];
    if (c < 0x80) {
      if (PLAIN[c] === 1) {
        p++;
        continue;
      }
      if (c === 0x22) break;
      if (c < 0x20) return 0; // JSON.parse refuses raw control characters
      kind = 2;
      // An escape: its next byte is not the end of the string (JSON.parse judges the escape).
      p += c === 0x5c ? 2 : 1;
      continue;
    }
    // UTF-8, validated as the decoder would accept it (anything else becomes U+FFFD there).
    const c1 = s[p + 1];
    if (c >= 0xc2 && c <= 0xdf) {
      if ((c1 & 0xc0) !== 0x80) return 0;
      p += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const c2 = s[p + 2];
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80) return 0;
      if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
      if (c === 0xed && c1 > 0x9f) return 0; // a surrogate
      if (c === 0xe2 && c1 === 0x80 && (c2 === 0xa8 || c2 === 0xa9)) kind = 2; // U+2028/9
      p += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if ((c1 & 0xc0) !== 0x80 || (s[p + 2] & 0xc0) !== 0x80 || (s[p + 3] & 0xc0) !== 0x80) return 0;
      if (c === 0xf0 && c1 < 0x90) return 0; // overlong
      if (c === 0xf4 && c1 > 0x8f) return 0; // above U+10FFFF
      p += 4;
    } else {
      return 0;
    }
  }
  i = p + 1;
  return kind;
}

function stringValue(): boolean {
  const from = i;
  const kind = scanString();
  if (kind === 1) return true;
  if (kind === 0) return false;
  let v: unknown;
  try {
    v = JSON.parse(src.toString('utf8', from, i));
  } catch {
    return false;
  }
  replace(from, i, encodeGoBytes(v));
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function numberValue(): boolean {
  const s = src;
  const from = i;
  let p = i;
  if (s[p] === 0x2d) p++;
  const digits = p;
  if (s[p] === 0x30) p++;
  else if (s[p] >= 0x31 && s[p] <= 0x39) while (isDigit(s[++p]));
  else return false;
  let integer = true;
  if (s[p] === 0x2e) {
    if (!isDigit(s[++p])) return false;
    while (isDigit(s[++p]));
    integer = false;
  }
  if (s[p] === 0x65 || s[p] === 0x45) {
    p++;
    if (s[p] === 0x2b || s[p] === 0x2d) p++;
    if (!isDigit(s[p])) return false;
    while (isDigit(s[++p]));
    integer = false;
  }
  i = p;
  // Up to 15 digits, an integer is exact in a float64 and printed as its digits ("-0" too).
  if (integer && p - digits <= 15) return true;
  if (plainDecimal(s, digits, p)) return true;
  const text = s.toString('latin1', from, p);
  const go = goNumberText(Number(text));
  if (go !== text) replace(from, p, go);
  return true;
}

/** Whether s[from, to), a JSON number without a sign, is written by Go (JS) as it is: a
 * fraction without trailing zero or exponent, at most 15 significant digits (so its double
 * prints back as these digits: DBL_DIG), at least 1e-6 (below, it is printed with an exponent). */
function plainDecimal(s: Buffer, from: number, to: number): boolean {
  let p = from;
  let significant = 0;
  if (s[p] === 0x30) {
    if (s[p + 1] !== 0x2e) return false;
    p += 2; // "0."
    let zeros = 0;
    while (p < to && s[p] === 0x30) {
      zeros++;
      p++;
    }
    if (zeros > 5) return false;
  } else {
    while (p < to && s[p] !== 0x2e) {
      if (s[p] < 0x30 || s[p] > 0x39) return false; // an exponent
      p++;
      significant++;
    }
    if (p === to) return false;
    p++;
  }
  const fraction = p;
  for (; p < to; p++) {
    const c = s[p];
    if (c < 0x30 || c > 0x39) return false; // an exponent
    significant++;
  }
  return to > fraction && s[to - 1] !== 0x30 && significant <= 15;
}

function literal(word: string): boolean {
  const s = src;
  const n = word.length;
  if (i + n > end) return false;
  for (let k = 0; k < n; k++) if (s[i + k] !== word.charCodeAt(k)) return false;
  i += n;
  return true;
}

function value(depth: number): boolean {
  const c = src[i];
  if (c === 0x22) return stringValue();
  if (c === 0x7b) return depth < MAX_DEPTH && object(depth + 1);
  if (c === 0x5b) return depth < MAX_DEPTH && array(depth + 1);
  if (c === 0x2d || isDigit(c)) return numberValue();
  if (c === 0x74) return literal('true');
  if (c === 0x66) return literal('false');
  if (c === 0x6e) return literal('null');
  return false;
}

function array(depth: number): boolean {
  i++;
  skipWs();
  if (src[i] === 0x5d) {
    i++;
    return true;
  }
  for (;;) {
    if (!value(depth)) return false;
    const next = afterElement(0x5d);
    if (next === MORE) continue;
    return next === CLOSED;
  }
}

const MORE = 0;
const CLOSED = 1;
const INVALID = 2;

/** After an array element or object member: a ',' (skipped with the whitespace after it: MORE),
 * the container's closing byte `close` (skipped: CLOSED), or anything else (INVALID). */
function afterElement(close: number): number {
  skipWs();
  const c = src[i];
  if (c === 0x2c) {
    i++;
    skipWs();
    return MORE;
  }
  if (c !== close) return INVALID;
  i++;
  return CLOSED;
}

/** -1, 0 or 1: src[a, ae) against src[b, be), by bytes (UTF-8 byte order is code point order). */
function compareKeys(a: number, ae: number, b: number, be: number): number {
  const s = src;
  const n = Math.min(ae - a, be - b);
  for (let k = 0; k < n; k++) {
    const x = s[a + k];
    const y = s[b + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  const la = ae - a;
  const lb = be - b;
  return la === lb ? 0 : la < lb ? -1 : 1;
}

function pushMember(start: number, keyStart: number, keyEnd: number, stop: number): void {
  if (top + 4 > members.length) {
    const next = new Int32Array(members.length * 2);
    next.set(members);
    members = next;
  }
  const m = members;
  m[top] = start;
  m[top + 1] = keyStart;
  m[top + 2] = keyEnd;
  m[top + 3] = stop;
  top += 4;
}

function object(depth: number): boolean {
  i++;
  skipWs();
  if (src[i] === 0x7d) {
    i++;
    return true;
  }
  const base = top;
  for (;;) {
    if (src[i] !== 0x22) return false;
    const keyAt = i;
    // A key is compared and moved as its bytes: it must be written as it is.
    if (scanString() !== 1) return false;
    const keyEnd = i;
    const start = outAt(keyAt);
    skipWs();
    if (src[i] !== 0x3a) return false;
    i++;
    skipWs();
    if (!value(depth)) return false;
    pushMember(start, keyAt + 1, keyEnd - 1, outAt(i));
    const next = afterElement(0x7d);
    if (next === MORE) continue;
    if (next === INVALID) return false;
    break;
  }
  const ok = inGoOrder(base);
  top = base;
  return ok;
}

/** Puts the members pushed since `base` in Go's order (the object's bytes are all read);
 * false on a duplicate key. */
function inGoOrder(base: number): boolean {
  const m = members;
  const n = (top - base) >> 2;
  let sorted = true;
  for (let k = 1; k < n; k++) {
    const a = base + 4 * (k - 1);
    const b = a + 4;
    const d = compareKeys(m[a + 1], m[a + 2], m[b + 1], m[b + 2]);
    if (d === 0) return false;
    if (d > 0) sorted = false;
  }
  if (sorted) return true;
  if (sortOrder.length < n) sortOrder = new Int32Array(Math.max(n, sortOrder.length * 2));
  const order = sortOrder;
  // Insertion sort: objects are small, and this allocates nothing. Equal keys end up adjacent.
  for (let k = 0; k < n; k++) {
    const e = base + 4 * k;
    let j = k;
    while (j > 0) {
      const d = compareKeys(m[order[j - 1] + 1], m[order[j - 1] + 2], m[e + 1], m[e + 2]);
      if (d === 0) return false;
      if (d < 0) break;
      order[j] = order[j - 1];
      j--;
    }
    order[j] = e;
  }
  // The members and the commas between them, copied aside and written back in order.
  flush(i);
  const from = m[base];
  const to = m[top - 1];
  const size = to - from;
  if (spare.length < size) spare = Buffer.allocUnsafe(Math.max(size, spare.length * 2));
  copyBytes(spare, 0, out, from, to);
  let p = from;
  for (let k = 0; k < n; k++) {
    if (k > 0) out[p++] = 0x2c;
    const e = order[k];
    p += copyBytes(out, p, spare, m[e] - from, m[e + 3] - from);
  }
  changed = true;
  return true;
}

/**
 * Go's encoding/json Marshal bytes of the JSON object in `body`, exactly as
 * `encodeGoBytes(JSON.parse(body.toString('utf8')))` writes them; undefined when this pass does
 * not decide (see the head of this file), and then the caller decodes and encodes. The result
 * may be `body` itself (already in Go's form).
 */
export function canonicalGoJson(body: Buffer): Buffer | undefined {
  return transcode(body);
}

function transcode(body: Buffer): Buffer | undefined {
  src = body;
  i = 0;
  end = body.length;
  pos = 0;
  run = 0;
  top = 0;
  changed = false;
  try {
    skipWs();
    if (src[i] !== 0x7b || !object(1)) return undefined;
    skipWs();
    if (i !== end) return undefined;
    if (!changed && run === 0) return body;
    flush(end);
    const result = Buffer.allocUnsafe(pos);
    copyBytes(result, 0, out, 0, pos);
    return result;
  } finally {
    src = EMPTY;
    if (out.length > 1024 * 1024) out = Buffer.allocUnsafe(SCRATCH);
    if (spare.length > 1024 * 1024) spare = Buffer.allocUnsafe(SCRATCH);
    // A body with very wide objects does not keep its member table for ever either.
    if (members.length > 64 * 1024) members = new Int32Array(4 * 64);
    if (sortOrder.length > 16 * 1024) sortOrder = new Int32Array(64);
  }
}
