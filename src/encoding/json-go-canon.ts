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
/** Members of the objects being read, MEMBER ints each: start and end in out (as offsets the
 * bytes will have once the run is copied), key start and end in src (between the quotes), and
 * the regions (below) recorded while the member's value was read: [regLo, regHi). */
const MEMBER = 6;
let members = new Int32Array(MEMBER * 64);
let top = 0;
let sortOrder = new Int32Array(64);
/** Objects whose members Go writes in another order ("regions"), REGION ints each, in the order
 * they were closed (inner before outer): start and end in out ('{' to after '}'), the first
 * region recorded inside it (its nested regions are [first, own index)), and where its members'
 * SPAN-int entries start in `spans` and how many there are. Reordering waits for the final
 * copy into the result, so each byte is moved once however deep the objects it is in. */
const REGION = 5;
let regions = new Int32Array(REGION * 16);
let nRegions = 0;
/** A region's members in Go's order: start and end in out, and their [regLo, regHi). */
const SPAN = 4;
let spans = new Int32Array(SPAN * 64);
let nSpans = 0;

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

/** The byte at `p`, or -1 past the end. Every read goes through a bound check: one read past
 * the end (a truncated body) would give `undefined`, and from then on V8 compiles every
 * comparison of the bytes as a generic one (a builtin call each) for the life of the process. */
function byteAt(p: number): number {
  return p < end ? src[p] : -1;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(): void {
  if (!isWs(byteAt(i))) return;
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
    const c1 = byteAt(p + 1);
    if (c >= 0xc2 && c <= 0xdf) {
      if ((c1 & 0xc0) !== 0x80) return 0;
      p += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const c2 = byteAt(p + 2);
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80) return 0;
      if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
      if (c === 0xed && c1 > 0x9f) return 0; // a surrogate
      if (c === 0xe2 && c1 === 0x80 && (c2 === 0xa8 || c2 === 0xa9)) kind = 2; // U+2028/9
      p += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if ((c1 & 0xc0) !== 0x80 || (byteAt(p + 2) & 0xc0) !== 0x80 || (byteAt(p + 3) & 0xc0) !== 0x80) return 0;
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
  if (byteAt(p) === 0x2d) p++;
  const digits = p;
  if (byteAt(p) === 0x30) p++;
  else if (byteAt(p) >= 0x31 && byteAt(p) <= 0x39) while (isDigit(byteAt(++p)));
  else return false;
  let integer = true;
  if (byteAt(p) === 0x2e) {
    if (!isDigit(byteAt(++p))) return false;
    while (isDigit(byteAt(++p)));
    integer = false;
  }
  if (byteAt(p) === 0x65 || byteAt(p) === 0x45) {
    p++;
    if (byteAt(p) === 0x2b || byteAt(p) === 0x2d) p++;
    if (!isDigit(byteAt(p))) return false;
    while (isDigit(byteAt(++p)));
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
  const c = byteAt(i);
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
  if (byteAt(i) === 0x5d) {
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
  const c = byteAt(i);
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

function pushMember(start: number, keyStart: number, keyEnd: number, stop: number, regLo: number): void {
  if (top + MEMBER > members.length) {
    const next = new Int32Array(members.length * 2);
    next.set(members);
    members = next;
  }
  const m = members;
  m[top] = start;
  m[top + 1] = keyStart;
  m[top + 2] = keyEnd;
  m[top + 3] = stop;
  m[top + 4] = regLo;
  m[top + 5] = nRegions;
  top += MEMBER;
}

function object(depth: number): boolean {
  i++;
  skipWs();
  if (byteAt(i) === 0x7d) {
    i++;
    return true;
  }
  const base = top;
  const firstRegion = nRegions;
  let n = 0;
  for (;;) {
    if (byteAt(i) !== 0x22) return false;
    const keyAt = i;
    // A key is compared and moved as its bytes: it must be written as it is.
    if (scanString() !== 1) return false;
    const keyEnd = i;
    const start = outAt(keyAt);
    skipWs();
    if (byteAt(i) !== 0x3a) return false;
    i++;
    skipWs();
    const regLo = nRegions;
    if (!value(depth)) return false;
    pushMember(start, keyAt + 1, keyEnd - 1, outAt(i), regLo);
    n++;
    const next = afterElement(0x7d);
    if (next === MORE) continue;
    if (next === INVALID) return false;
    break;
  }
  const ok = inGoOrder(base, n, firstRegion);
  top = base;
  return ok;
}

/** Checks the `n` members pushed since `base` against Go's order and records a region when they
 * are not in it; false on a duplicate key. */
function inGoOrder(base: number, n: number, firstRegion: number): boolean {
  const m = members;
  let sorted = true;
  for (let k = 1; k < n; k++) {
    const a = base + MEMBER * (k - 1);
    const b = a + MEMBER;
    const d = compareKeys(m[a + 1], m[a + 2], m[b + 1], m[b + 2]);
    if (d === 0) return false;
    if (d > 0) sorted = false;
  }
  if (sorted) return true;
  if (sortOrder.length < n) sortOrder = new Int32Array(Math.max(n, sortOrder.length * 2));
  const order = sortOrder;
  // Insertion sort: objects are small, and this allocates nothing. Equal keys end up adjacent.
  for (let k = 0; k < n; k++) {
    const e = base + MEMBER * k;
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
  recordRegion(m[base] - 1, m[top - MEMBER + 3] + 1, firstRegion, order, n);
  changed = true;
  return true;
}

function recordRegion(start: number, stop: number, firstRegion: number, order: Int32Array, n: number): void {
  if ((nRegions + 1) * REGION > regions.length) {
    const next = new Int32Array(regions.length * 2);
    next.set(regions);
    regions = next;
  }
  if (nSpans + SPAN * n > spans.length) {
    let size = spans.length * 2;
    while (size < nSpans + SPAN * n) size *= 2;
    const next = new Int32Array(size);
    next.set(spans.subarray(0, nSpans));
    spans = next;
  }
  const r = regions;
  const q = nRegions * REGION;
  r[q] = start;
  r[q + 1] = stop;
  r[q + 2] = firstRegion;
  r[q + 3] = nSpans;
  r[q + 4] = n;
  nRegions++;
  const m = members;
  const sp = spans;
  let x = nSpans;
  for (let k = 0; k < n; k++) {
    const e = order[k];
    sp[x] = m[e];
    sp[x + 1] = m[e + 3];
    sp[x + 2] = m[e + 4];
    sp[x + 3] = m[e + 5];
    x += SPAN;
  }
  nSpans = x;
}

/** Copies text[a, b) to dst[at..], each region whose index is in [lo, hi) (all inside [a, b))
 * written with its members in Go's order. A region is as long as its span, so every piece's
 * place is known: the walk goes from the last direct child region back, skipping over each
 * child's nested regions (they are its to write). */
function emitSpan(text: Uint8Array, dst: Buffer, a: number, b: number, lo: number, hi: number, at: number): void {
  const r = regions;
  let cur = b;
  for (let k = hi - 1; k >= lo;) {
    const q = k * REGION;
    const s = r[q];
    const e = r[q + 1];
    copyBytes(dst, at + (e - a), text, e, cur);
    emitRegion(text, dst, q, at + (s - a));
    cur = s;
    k = r[q + 2] - 1;
  }
  copyBytes(dst, at, text, a, cur);
}

function emitRegion(text: Uint8Array, dst: Buffer, q: number, at: number): void {
  const off = regions[q + 3];
  const n = regions[q + 4];
  const sp = spans;
  let p = at;
  dst[p++] = 0x7b;
  for (let k = 0; k < n; k++) {
    if (k > 0) dst[p++] = 0x2c;
    const x = off + SPAN * k;
    const s = sp[x];
    const e = sp[x + 1];
    emitSpan(text, dst, s, e, sp[x + 2], sp[x + 3], p);
    p += e - s;
  }
  dst[p] = 0x7d;
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
  nRegions = 0;
  nSpans = 0;
  changed = false;
  try {
    skipWs();
    if (byteAt(i) !== 0x7b || !object(1)) return undefined;
    skipWs();
    if (i !== end) return undefined;
    if (!changed && run === 0) return body;
    // Nothing copied to out yet (no whitespace, no rewritten token): out's offsets are src's.
    let text: Uint8Array = src;
    let length = end;
    if (run !== 0) {
      flush(end);
      text = out;
      length = pos;
    }
    const result = Buffer.allocUnsafe(length);
    if (nRegions === 0) copyBytes(result, 0, text, 0, length);
    else emitSpan(text, result, 0, length, 0, nRegions, 0);
    return result;
  } finally {
    src = EMPTY;
    if (out.length > 1024 * 1024) out = Buffer.allocUnsafe(SCRATCH);
    // A body with very wide or very many objects does not keep its tables for ever either.
    if (members.length > 64 * 1024) members = new Int32Array(MEMBER * 64);
    if (sortOrder.length > 16 * 1024) sortOrder = new Int32Array(64);
    if (regions.length > 64 * 1024) regions = new Int32Array(REGION * 16);
    if (spans.length > 64 * 1024) spans = new Int32Array(SPAN * 64);
  }
}
