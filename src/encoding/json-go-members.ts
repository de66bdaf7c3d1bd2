// Top-level members of an object already in Go's encoding/json form (canonicalGoJson's output),
// grouped and merged with other such objects, as bytes. This is what a merge of JSON
// backends whose shaping is a top-level `allow` and/or a `group` does to the decoded data
// (compileBackendShaper, then the merger's later-backend-wins over top-level keys, then
// encodeGoBytes), done on the bytes instead (issue #20: the merge route decoded two bodies,
// shaped, merged and encoded them again).
//
// Why this is sound: canonical bytes are compact and valid, each object's members are in Go's
// order (UTF-8 byte order of the keys), and every key is written as its raw UTF-8 bytes (the
// canonicaliser declines keys with an escape or a character Go escapes). So a member's bytes
// are its key's Go encoding followed by its value's, independent of the other members, and
// comparing keys' bytes compares the keys as encodeGoBytes sorts them (code point order).

/** A member list: `buf` holds the members, `spans` four offsets per member, in key order: key
 * start and end (between the quotes), member start and end (from the opening quote of the key
 * to the end of the value). */
export interface Members {
  readonly buf: Buffer;
  readonly spans: readonly number[];
}

const QUOTE = 0x22;

/** Copies from[s, e) to to[at..]; returns the byte count. Short spans by a loop: Buffer#copy
 * costs more than the copy for them (as in json-go-canon.ts). */
export function copyBytes(to: Uint8Array, at: number, from: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n < 128) {
    for (let k = 0; k < n; k++) to[at + k] = from[s + k];
  } else {
    to.set(from.subarray(s, e), at);
  }
  return n;
}
const BACKSLASH = 0x5c;

/** The end of the value starting at `p` in compact valid JSON. */
function valueEnd(b: Buffer, p: number): number {
  const c = b[p];
  if (c === QUOTE) return stringEnd(b, p);
  if (c !== 0x7b && c !== 0x5b) {
    // A number or a literal: up to the separator or the container's close.
    while (p < b.length) {
      const x = b[p];
      if (x === 0x2c || x === 0x7d || x === 0x5d) break;
      p++;
    }
    return p;
  }
  let depth = 0;
  for (;;) {
    const x = b[p];
    if (x === QUOTE) {
      p = stringEnd(b, p);
      continue;
    }
    if (x === 0x7b || x === 0x5b) depth++;
    else if ((x === 0x7d || x === 0x5d) && --depth === 0) return p + 1;
    p++;
  }
}

/** The offset after the closing quote of the string whose opening quote is at `p`. */
function stringEnd(b: Buffer, p: number): number {
  p++;
  for (;;) {
    const x = b[p];
    if (x === QUOTE) return p + 1;
    p += x === BACKSLASH ? 2 : 1;
  }
}

/** The top-level members of canonical object bytes `obj`. */
export function topMembers(obj: Buffer): Members {
  const spans: number[] = [];
  let p = 1;
  if (obj[p] === 0x7d) return { buf: obj, spans };
  for (;;) {
    const start = p;
    const keyEnd = obj.indexOf(QUOTE, p + 1);
    const end = valueEnd(obj, keyEnd + 2);
    spans.push(start + 1, keyEnd, start, end);
    if (obj[end] !== 0x2c) break;
    p = end + 1;
  }
  return { buf: obj, spans };
}

/** `m` written as an object, as the one member of `{ [key]: that object }`: `key` is the name's
 * Go encoding (quotes included) and the name's bytes are its bytes between the quotes. */
export function grouped(key: Buffer, m: Members): Members {
  let size = key.length + 3;
  for (let k = 0; k < m.spans.length; k += 4) size += m.spans[k + 3] - m.spans[k + 2] + 1;
  const buf = Buffer.allocUnsafe(size);
  let p = copyBytes(buf, 0, key, 0, key.length);
  buf[p++] = 0x3a;
  p = writeObject(buf, p, [m], null);
  return { buf: buf.subarray(0, p), spans: [1, key.length - 1, 0, p] };
}

/** -1, 0 or 1: a's key against b's, by bytes. */
function compareKeys(a: Buffer, as: number, ae: number, b: Buffer, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const x = a[as + k];
    const y = b[bs + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

/** Writes `{` + the members of every list in key order + `}` at buf[p..]; on a key in several
 * lists, the later list's member (the merger's later backend wins). `cursor`: scratch of one
 * slot per list, or null to allocate one. Returns the end. Each list is in key order already,
 * so this is a k-way merge. */
function writeObject(buf: Buffer, p: number, lists: readonly Members[], cursor: number[] | null): number {
  const n = lists.length;
  const at = cursor ?? new Array<number>(n).fill(0);
  buf[p++] = 0x7b;
  let first = true;
  for (;;) {
    // The smallest key among the lists' next members; on equal keys the last list's.
    let best = -1;
    for (let l = 0; l < n; l++) {
      const s = lists[l].spans;
      const k = at[l];
      if (k >= s.length) continue;
      if (best === -1) {
        best = l;
        continue;
      }
      const bs = lists[best].spans;
      const bk = at[best];
      const d = compareKeys(lists[l].buf, s[k], s[k + 1], lists[best].buf, bs[bk], bs[bk + 1]);
      if (d <= 0) {
        // Equal: the earlier list's member is dropped.
        if (d === 0) at[best] += 4;
        best = l;
      }
    }
    if (best === -1) break;
    const m = lists[best];
    const k = at[best];
    if (!first) buf[p++] = 0x2c;
    first = false;
    p += copyBytes(buf, p, m.buf, m.spans[k + 2], m.spans[k + 3]);
    at[best] = k + 4;
  }
  buf[p++] = 0x7d;
  return p;
}

/** The object of the members of all `lists` (later lists win on a key in several), as the
 * bytes encodeGoBytes writes for the merged data. */
export function mergedObject(lists: readonly Members[]): Buffer {
  let size = 2;
  for (const m of lists) for (let k = 0; k < m.spans.length; k += 4) size += m.spans[k + 3] - m.spans[k + 2] + 1;
  const buf = Buffer.allocUnsafe(size);
  const end = writeObject(buf, 0, lists, null);
  return end === size ? buf : buf.subarray(0, end);
}
