// `modifier/response-body` applied to the Go encoding/json bytes of the answer's data instead of
// the data: `maskGoJson(bytes)` equals encodeGoBytes(runMasking(c, JSON.parse(bytes)).data) byte
// for byte when `bytes` are encodeGoBytes of a JSON object (canonicalGoJson's output), or is
// undefined when this pass does not decide (then the caller decodes and runs runMasking).
//
// Why: a masked single-backend JSON route decoded the backend's body, masked two strings and
// encoded it all again (issue #16: it cost 27% of the route; the limit is 20%). The direct JSON
// path makes Go's bytes from the body without decoding (encoding/json-go-canon.ts); this pass
// then finds the masked strings in those bytes and rewrites only them.
//
// Why it is the same: in Go's form every value is written independently of its neighbours, an
// object's members in key order, and masking changes string values only (never keys, never a
// value's kind), so the masked data's bytes are these bytes with each changed string's token
// replaced by encodeGoBytes of its new value. A string at an object-only path gets, in config
// order, the modifiers whose `field` is that path and the field-less ones (run-masking applies
// them one after another, each to what the previous one left); strings inside arrays and off
// every path get the field-less ones only. Decoding a Go-form token gives the string back,
// except that a lone surrogate was written as U+FFFD: a masked string or a key on a path holding
// U+FFFD is left to the general path, as is everything run-masking refuses (with a field-less
// modifier: deeper than MAX_MASK_DEPTH, more than MAX_MASK_NODES values) and anything that is
// not well-formed Go output.
import { encodeGoBytes } from '../../encoding/json-go-bytes.js';
import { MAX_MASK_DEPTH, MAX_MASK_NODES } from './run-masking.js';
import type { CompiledMasking } from './types.js';

type Apply = (s: string) => string;

/** One object level of the modifiers' field paths. */
interface PathNode {
  /** What a string at exactly this path gets: its field modifiers and the field-less ones, in
   * config order (empty: left as it is). */
  readonly applies: readonly Apply[];
  /** The next segments: names, their UTF-8 bytes, their nodes (same index). */
  readonly names: readonly string[];
  readonly keys: readonly Buffer[];
  readonly children: readonly PathNode[];
}

interface Plan {
  readonly root: PathNode;
  /** The field-less modifiers: every string value off the paths gets them. */
  readonly everywhere: readonly Apply[];
}

function buildPlan(c: CompiledMasking): Plan {
  interface Draft {
    mods: number[];
    names: string[];
    children: Draft[];
  }
  const draft: Draft = { mods: [], names: [], children: [] };
  c.modifiers.forEach((m, index) => {
    if (m.path === null) return;
    let node = draft;
    for (const seg of m.path) {
      let k = node.names.indexOf(seg);
      if (k < 0) {
        k = node.names.push(seg) - 1;
        node.children.push({ mods: [], names: [], children: [] });
      }
      node = node.children[k];
    }
    node.mods.push(index);
  });
  const everywhere = c.modifiers.filter((m) => m.path === null).map((m) => m.apply);
  const finish = (d: Draft): PathNode => ({
    applies: c.modifiers.filter((m, index) => m.path === null || d.mods.includes(index)).map((m) => m.apply),
    names: d.names,
    keys: d.names.map((n) => Buffer.from(n, 'utf8')),
    children: d.children.map(finish),
  });
  return { root: finish(draft), everywhere };
}

const FFFD = '\ufffd';

// The pass's state (one pass at a time: nothing in it calls back into it).
const EMPTY = Buffer.alloc(0);
let src: Buffer = EMPTY;
let p = 0;
let end = 0;
let everywhere: readonly Apply[] = [];
/** Field-less modifiers walk every value: run-masking's depth and node bounds apply. */
let counting = false;
let nodes = 0;
/** Changed strings: token start and end in src, and their new values (Go's bytes, or a string
 * that Go writes as its characters); `edits` of them are in use. */
const editAt: number[] = [];
const editValue: (Buffer | string)[] = [];
let edits = 0;

/** Past a string token whose opening quote is at p. The closing quote is the first one not
 * escaped: preceded by an even run of backslashes. One native search per quote: the skipped
 * strings are most of a body's bytes. */
function skipString(): boolean {
  const s = src;
  let q = p + 1;
  for (;;) {
    const e = s.indexOf(0x22, q);
    if (e < 0) return false;
    let k = e - 1;
    while (s[k] === 0x5c) k--;
    if (((e - 1 - k) & 1) === 0) {
      p = e + 1;
      return true;
    }
    q = e + 1;
  }
}

/** Past a number or a literal (Go's form: up to the next separator or close). */
function skipScalar(): boolean {
  const s = src;
  const from = p;
  while (p < end) {
    const b = s[p];
    if (b === 0x2c || b === 0x7d || b === 0x5d) break;
    if (b === 0x22 || b === 0x7b || b === 0x5b) return false;
    p++;
  }
  return p > from;
}

/** Past any value, without looking into it (no modifier applies anywhere inside). */
function skipValue(): boolean {
  const s = src;
  const c = s[p];
  if (c === 0x22) return skipString();
  if (c !== 0x7b && c !== 0x5b) return skipScalar();
  let depth = 0;
  while (p < end) {
    const b = s[p];
    if (b === 0x22) {
      if (!skipString()) return false;
      continue;
    }
    p++;
    if (b === 0x7b || b === 0x5b) depth++;
    else if ((b === 0x7d || b === 0x5d) && --depth === 0) return true;
  }
  return false;
}

/** The string token at p: its value (undefined: not decidable here), p after it. */
function readString(): string | undefined {
  const s = src;
  const from = p;
  let escaped = false;
  let q = p + 1;
  for (;;) {
    if (q >= end) return undefined;
    const b = s[q];
    if (b === 0x22) break;
    if (b === 0x5c) {
      escaped = true;
      q += 2;
    } else q++;
  }
  p = q + 1;
  const v = escaped ? (JSON.parse(s.toString('utf8', from, p)) as unknown) : s.toString('utf8', from + 1, q);
  // U+FFFD may have been a lone surrogate in the data, which the modifiers would see as such.
  if (typeof v !== 'string' || v.includes(FFFD)) return undefined;
  return v;
}

/** Whether Go writes `v` as its characters: printable ASCII other than '"', '\\', '<', '>', '&'. */
function plainAscii(v: string): boolean {
  for (let k = 0; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) return false;
  }
  return true;
}

/** A string value that gets `applies`: its token replaced when they change it. */
function stringValue(applies: readonly Apply[]): boolean {
  if (applies.length === 0) return skipString();
  const from = p;
  const v = readString();
  if (v === undefined) return false;
  let out = v;
  for (let k = 0; k < applies.length; k++) out = applies[k](out);
  if (out !== v) {
    editAt[2 * edits] = from;
    editAt[2 * edits + 1] = p;
    editValue[edits++] = plainAscii(out) ? out : encodeGoBytes(out);
  }
  return true;
}

/** The child of `node` named by the key token at p (null: none; undefined: not decidable). */
function childOf(node: PathNode): PathNode | null | undefined {
  const s = src;
  const from = p + 1;
  if (!skipString()) return undefined;
  const to = p - 1;
  const keys = node.keys;
  let plain = true;
  for (let q = from; q < to; q++) {
    const b = s[q];
    // An escape, or the first byte of U+FFFD (EF BF BD): decoded and checked below.
    if (b === 0x5c || b === 0xef) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const n = to - from;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key.length !== n) continue;
      let same = true;
      for (let j = 0; j < n; j++) {
        if (key[j] !== s[from + j]) {
          same = false;
          break;
        }
      }
      if (same) return node.children[k];
    }
    return null;
  }
  const at = p;
  p = from - 1;
  const name = readString();
  p = at;
  if (name === undefined) return undefined;
  const k = node.names.indexOf(name);
  return k < 0 ? null : node.children[k];
}

/** A value at a path node (null: off the paths) and nesting depth (the top level is 0). */
function value(node: PathNode | null, depth: number): boolean {
  if (counting && (++nodes > MAX_MASK_NODES || depth > MAX_MASK_DEPTH)) return false;
  const c = src[p];
  if (c === 0x22) return stringValue(node === null ? everywhere : node.applies);
  if (c === 0x7b) return object(node, depth);
  if (c === 0x5b) return counting ? array(depth) : skipValue();
  return skipScalar();
}

function array(depth: number): boolean {
  p++;
  if (src[p] === 0x5d) {
    p++;
    return true;
  }
  for (;;) {
    if (!value(null, depth + 1)) return false;
    const c = src[p++];
    if (c === 0x2c) continue;
    return c === 0x5d;
  }
}

function object(node: PathNode | null, depth: number): boolean {
  p++;
  if (src[p] === 0x7d) {
    p++;
    return true;
  }
  const parent = node !== null && node.children.length > 0 ? node : null;
  for (;;) {
    if (src[p] !== 0x22) return false;
    let child: PathNode | null = null;
    if (parent !== null) {
      const found = childOf(parent);
      if (found === undefined) return false;
      child = found;
    } else if (!skipString()) return false;
    if (src[p++] !== 0x3a) return false;
    if (child === null && !counting) {
      if (!skipValue()) return false;
    } else if (!value(child, depth + 1)) return false;
    const c = src[p++];
    if (c === 0x2c) continue;
    return c === 0x7d;
  }
}

/** Copies from[s, e) to to[at..]; returns the byte count. Short spans by a loop (a native copy
 * costs more than the loop for them). */
function copyBytes(to: Uint8Array, at: number, from: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n < 128) for (let k = 0; k < n; k++) to[at + k] = from[s + k];
  else to.set(from.subarray(s, e), at);
  return n;
}

/** `bytes` with the edits applied (itself when there are none). */
function edited(bytes: Buffer): Buffer {
  const n = edits;
  if (n === 0) return bytes;
  let size = bytes.length;
  for (let k = 0; k < n; k++) {
    const v = editValue[k];
    size += (typeof v === 'string' ? v.length + 2 : v.length) - (editAt[2 * k + 1] - editAt[2 * k]);
  }
  const out = Buffer.allocUnsafe(size);
  let w = 0;
  let r = 0;
  for (let k = 0; k < n; k++) {
    w += copyBytes(out, w, bytes, r, editAt[2 * k]);
    const v = editValue[k];
    if (typeof v === 'string') {
      out[w++] = 0x22;
      for (let j = 0; j < v.length; j++) out[w++] = v.charCodeAt(j);
      out[w++] = 0x22;
    } else w += copyBytes(out, w, v, 0, v.length);
    r = editAt[2 * k + 1];
  }
  copyBytes(out, w, bytes, r, bytes.length);
  return out;
}

function run(plan: Plan, bytes: Buffer): Buffer | undefined {
  src = bytes;
  p = 0;
  end = bytes.length;
  everywhere = plan.everywhere;
  counting = everywhere.length > 0;
  nodes = 0;
  edits = 0;
  try {
    if (src[0] !== 0x7b || !value(plan.root, 0) || p !== end) return undefined;
    return edited(bytes);
  } catch {
    // A modifier that throws (or a token JSON.parse refuses): the general path reports it.
    return undefined;
  } finally {
    src = EMPTY;
    // The values are not kept alive past the pass (a body's strings, up to its size).
    if (edits > 0) editValue.fill('', 0, edits);
    edits = 0;
  }
}

/**
 * The masking `c` on Go encoding/json bytes of a JSON object (as canonicalGoJson makes them):
 * the bytes of the masked data, `bytes` itself when nothing changes, or undefined when the
 * general path (decode, runMasking, encode) must decide.
 */
export function compileGoJsonMasking(c: CompiledMasking): (bytes: Buffer) => Buffer | undefined {
  const plan = buildPlan(c);
  return (bytes) => run(plan, bytes);
}
