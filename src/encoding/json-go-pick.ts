// Go's encoding/json bytes of a JSON object body's allowed top-level members (a backend's
// top-level `allow`), without making Go's bytes of the members it drops: those are only
// validated, as JSON.parse would judge them. The kept members' bytes are copied into one object
// and handed to canonicalGoJson, which validates, sorts and rewrites them; the result equals
// encodeGoBytes(allowed(JSON.parse(body))) or is undefined (then the caller decodes).
//
// Why: of a merged backend's body, `allow` often keeps a small part (issue #20's bench keeps 3
// of 8 members on one backend, 2 on the other); canonicalising the dropped members (their nested
// objects sorted, their long strings copied) was most of the fast merge's cost.
//
// Declined (undefined): invalid JSON anywhere (the general path reports it), a top level that is
// not an object, a key with an escape or invalid UTF-8 (its decoded name could be an allowed
// one), nesting deeper than MAX_DEPTH, and whatever canonicalGoJson declines in the kept part
// (duplicate kept keys: JSON.parse keeps the last; a duplicate among dropped keys changes nothing).
import { canonicalGoJson } from './json-go-canon.js';
import { copyBytes } from './json-go-members.js';

const MAX_DEPTH = 128;

/** JSON's four whitespace bytes. */
function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(b: Buffer, p: number): number {
  while (p < b.length && isWs(b[p])) p++;
  return p;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** The end of a valid string starting at its quote `p`, or -1. Escapes are checked as JSON.parse
 * checks them; other bytes >= 0x20 pass (invalid UTF-8 decodes to U+FFFD, not an error). */
function stringEnd(b: Buffer, p: number): number {
  const e = b.length;
  p++;
  for (;;) {
    if (p >= e) return -1;
    const c = b[p];
    if (c === 0x22) return p + 1;
    if (c < 0x20) return -1;
    if (c !== 0x5c) {
      p++;
      continue;
    }
    const x = b[p + 1];
    if (x === 0x75) {
      if (p + 5 >= e || !isHex(b[p + 2]) || !isHex(b[p + 3]) || !isHex(b[p + 4]) || !isHex(b[p + 5])) return -1;
      p += 6;
    } else if (x === 0x22 || x === 0x5c || x === 0x2f || x === 0x62 || x === 0x66 || x === 0x6e || x === 0x72 || x === 0x74) {
      p += 2;
    } else {
      return -1;
    }
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The end of a valid number at `p`, or -1. */
function numberEnd(b: Buffer, p: number): number {
  if (b[p] === 0x2d) p++;
  if (b[p] === 0x30) p++;
  else if (b[p] >= 0x31 && b[p] <= 0x39) while (isDigit(b[++p]));
  else return -1;
  if (b[p] === 0x2e) {
    if (!isDigit(b[++p])) return -1;
    while (isDigit(b[++p]));
  }
  if (b[p] === 0x65 || b[p] === 0x45) {
    p++;
    if (b[p] === 0x2b || b[p] === 0x2d) p++;
    if (!isDigit(b[p])) return -1;
    while (isDigit(b[++p]));
  }
  return p;
}

function literalEnd(b: Buffer, p: number, word: string): number {
  if (p + word.length > b.length) return -1;
  for (let k = 0; k < word.length; k++) if (b[p + k] !== word.charCodeAt(k)) return -1;
  return p + word.length;
}

/** The end of a valid value at `p` (no whitespace before it), or -1. */
function valueEnd(b: Buffer, p: number, depth: number): number {
  const c = b[p];
  if (c === 0x22) return stringEnd(b, p);
  if (c === 0x7b || c === 0x5b) return depth < MAX_DEPTH ? containerEnd(b, p, depth + 1) : -1;
  if (c === 0x2d || isDigit(c)) return numberEnd(b, p);
  if (c === 0x74) return literalEnd(b, p, 'true');
  if (c === 0x66) return literalEnd(b, p, 'false');
  if (c === 0x6e) return literalEnd(b, p, 'null');
  return -1;
}

/** The end of a valid object or array opening at `p`, or -1. */
function containerEnd(b: Buffer, p: number, depth: number): number {
  const object = b[p] === 0x7b;
  const close = object ? 0x7d : 0x5d;
  p = skipWs(b, p + 1);
  if (b[p] === close) return p + 1;
  for (;;) {
    if (object) {
      if (b[p] !== 0x22) return -1;
      p = stringEnd(b, p);
      if (p < 0) return -1;
      p = skipWs(b, p);
      if (b[p] !== 0x3a) return -1;
      p = skipWs(b, p + 1);
    }
    p = valueEnd(b, p, depth);
    if (p < 0) return -1;
    p = skipWs(b, p);
    if (b[p] === 0x2c) {
      p = skipWs(b, p + 1);
      continue;
    }
    return b[p] === close ? p + 1 : -1;
  }
}

/** The end of a key at its quote `p` whose bytes are its name (no escape, valid UTF-8), or -1. */
function plainKeyEnd(b: Buffer, p: number): number {
  const e = b.length;
  p++;
  for (;;) {
    if (p >= e) return -1;
    const c = b[p];
    if (c === 0x22) return p + 1;
    if (c < 0x20 || c === 0x5c) return -1;
    if (c < 0x80) {
      p++;
      continue;
    }
    const c1 = b[p + 1];
    if (c >= 0xc2 && c <= 0xdf) {
      if ((c1 & 0xc0) !== 0x80) return -1;
      p += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if ((c1 & 0xc0) !== 0x80 || (b[p + 2] & 0xc0) !== 0x80) return -1;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return -1; // overlong, surrogate
      p += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if ((c1 & 0xc0) !== 0x80 || (b[p + 2] & 0xc0) !== 0x80 || (b[p + 3] & 0xc0) !== 0x80) return -1;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return -1; // overlong, > U+10FFFF
      p += 4;
    } else {
      return -1;
    }
  }
}

/** Whether b[s, e) are the bytes of one of `names`. */
function listed(b: Buffer, s: number, e: number, names: readonly Buffer[]): boolean {
  const n = e - s;
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (name.length !== n) continue;
    let j = 0;
    while (j < n && b[s + j] === name[j]) j++;
    if (j === n) return true;
  }
  return false;
}

let scratch = Buffer.allocUnsafe(4096);

/**
 * Go's encoding/json bytes of the object in `body` keeping only the top-level members named in
 * `allow` (UTF-8 bytes of the names), as encodeGoBytes writes what compileBackendShaper's
 * top-level allow keeps of JSON.parse(body); `{}` when none is kept. Undefined when this pass
 * does not decide (see the head of this file).
 */
export function pickedGoJson(body: Buffer, allow: readonly Buffer[]): Buffer | undefined {
  let p = skipWs(body, 0);
  if (body[p] !== 0x7b) return undefined;
  p = skipWs(body, p + 1);
  // Kept members, copied as they are (with the separators canonicalGoJson needs).
  if (scratch.length < body.length + 2) scratch = Buffer.allocUnsafe(Math.max(body.length + 2, scratch.length * 2));
  const out = scratch;
  let at = 0;
  out[at++] = 0x7b;
  if (body[p] !== 0x7d) {
    for (;;) {
      if (body[p] !== 0x22) return undefined;
      const keyAt = p;
      p = plainKeyEnd(body, p);
      if (p < 0) return undefined;
      const keep = listed(body, keyAt + 1, p - 1, allow);
      p = skipWs(body, p);
      if (body[p] !== 0x3a) return undefined;
      const valueAt = skipWs(body, p + 1);
      p = valueEnd(body, valueAt, 1);
      if (p < 0) return undefined;
      if (keep) {
        if (at > 1) out[at++] = 0x2c;
        at += copyBytes(out, at, body, keyAt, p);
      }
      p = skipWs(body, p);
      if (body[p] === 0x2c) {
        p = skipWs(body, p + 1);
        continue;
      }
      if (body[p] !== 0x7d) return undefined;
      break;
    }
  }
  if (skipWs(body, p + 1) !== body.length) return undefined;
  out[at++] = 0x7d;
  // A copy: canonicalGoJson may return its input, and the scratch is reused.
  const kept = Buffer.allocUnsafe(at);
  copyBytes(kept, 0, out, 0, at);
  const r = canonicalGoJson(kept);
  if (scratch.length > 1024 * 1024) scratch = Buffer.allocUnsafe(4096);
  return r;
}
