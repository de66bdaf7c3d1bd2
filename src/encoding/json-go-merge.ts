// The merged JSON answer of several backends written from their members as Go's bytes
// (canonicalGoMembers), for the merge whose backends only pick top-level keys (`allow` without
// dots) and/or nest their data under a `group`: `mergeGoMembers` equals encodeGoBytes of what
// the backend shaper and combine() make of the decoded bodies. Why: the general path parses
// every backend's whole body, copies the allowed keys into new objects, merges them and
// encodes the result; here only the kept members' bytes are copied, once (issue #20: the merge
// row ran at 0.48x the minimal proxy).
import type { GoMembers } from './json-go-canon.js';

/** What one backend does to its data before the merge. `allow`: top-level keys kept (null: all);
 * `group`: the key it is nested under, as written in JSON (a string Go writes as it is). */
export interface MemberShape {
  readonly allow: readonly Buffer[] | null;
  readonly group: Buffer | null;
}

/** One top-level member of the merged object: bytes[start, end) is `"key":value`, or with
 * `nested` the group's key and the members nested under it. */
interface Entry {
  bytes: Buffer;
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
  nested: Entry[] | null;
  size: number;
}

function sameBytes(a: Buffer, as: number, ae: number, b: Buffer): boolean {
  const n = ae - as;
  if (n !== b.length) return false;
  for (let k = 0; k < n; k++) if (a[as + k] !== b[k]) return false;
  return true;
}

function compareEntries(x: Entry, y: Entry): number {
  const a = x.bytes;
  const b = y.bytes;
  const la = x.keyEnd - x.keyStart;
  const lb = y.keyEnd - y.keyStart;
  const n = Math.min(la, lb);
  for (let k = 0; k < n; k++) {
    const p = a[x.keyStart + k];
    const q = b[y.keyStart + k];
    if (p !== q) return p - q;
  }
  return la - lb;
}

function allowed(bytes: Buffer, ks: number, ke: number, allow: readonly Buffer[]): boolean {
  for (let k = 0; k < allow.length; k++) if (sameBytes(bytes, ks, ke, allow[k])) return true;
  return false;
}

/** The entries of one backend's members (allowed ones), in key order. */
function entriesOf(part: GoMembers, allow: readonly Buffer[] | null): Entry[] {
  const m = part.members;
  const list: Entry[] = [];
  for (let k = 0; k < m.length; k += 4) {
    if (allow !== null && !allowed(part.bytes, m[k + 1], m[k + 2], allow)) continue;
    list.push({ bytes: part.bytes, keyStart: m[k + 1], keyEnd: m[k + 2], start: m[k], end: m[k + 3], nested: null, size: m[k + 3] - m[k] });
  }
  if (list.length > 1) list.sort(compareEntries);
  return list;
}

/** Bytes of a list of entries joined by commas (no braces). */
function listSize(list: readonly Entry[]): number {
  let n = list.length > 0 ? list.length - 1 : 0;
  for (const e of list) n += e.size;
  return n;
}

function writeList(out: Buffer, p: number, list: readonly Entry[]): number {
  for (let k = 0; k < list.length; k++) {
    if (k > 0) out[p++] = 0x2c;
    const e = list[k];
    if (e.nested === null) {
      p += e.bytes.copy(out, p, e.start, e.end);
      continue;
    }
    out[p++] = 0x22;
    p += e.bytes.copy(out, p, e.keyStart, e.keyEnd);
    out[p++] = 0x22;
    out[p++] = 0x3a;
    out[p++] = 0x7b;
    p = writeList(out, p, e.nested);
    out[p++] = 0x7d;
  }
  return p;
}

/** Go's JSON of the merged object: each backend's members shaped by its MemberShape, later
 * backends' top-level keys over earlier ones (combine's order), keys sorted by bytes. */
export function mergeGoMembers(parts: readonly GoMembers[], shapes: readonly MemberShape[]): Buffer {
  let all: Entry[] = [];
  for (let j = 0; j < parts.length; j++) {
    const { allow, group } = shapes[j];
    const list = entriesOf(parts[j], allow);
    if (group !== null) {
      // The group's key, then `:{`, the members and `}`.
      all.push({ bytes: group, keyStart: 0, keyEnd: group.length, start: 0, end: 0, nested: list, size: group.length + 5 + listSize(list) });
    } else {
      for (const e of list) all.push(e);
    }
  }
  // A stable sort keeps equal keys in backend order: the last of each run is the one kept.
  if (all.length > 1) {
    all.sort(compareEntries);
    const kept: Entry[] = [];
    for (let k = 0; k < all.length; k++) {
      if (k + 1 < all.length && compareEntries(all[k], all[k + 1]) === 0) continue;
      kept.push(all[k]);
    }
    all = kept;
  }
  const out = Buffer.allocUnsafe(listSize(all) + 2);
  out[0] = 0x7b;
  const p = writeList(out, 1, all);
  out[p] = 0x7d;
  return out;
}
