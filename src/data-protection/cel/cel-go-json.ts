// `validation/cel` response checks on the direct JSON path: `check(bytes)` returns `bytes`
// unchanged when every response check passes on the data whose Go encoding/json bytes `bytes`
// are (canonicalGoJson's output of the backend's object), or undefined when it does not decide
// (a check fails or errs, or the bytes hold something this pass cannot reproduce exactly): the
// caller then decodes the body and the hook runs as before, so an abort is the same answer,
// status and log line it always was.
//
// Why: one response check (`resp_data.id > 0`) took the json route off the direct path, which
// makes Go's bytes from the body without decoding it (issue #16: json+cel 0.82x json, the limit
// is 0.85x). The checks read a few fields; those are found in the bytes and decoded alone.
//
// Why it is the same: it is offered only when every use of `resp_data` in the phase's programs
// is a field-selection chain (`resp_data.a.b`, `resp_data['a']`), never resp_data itself (size,
// `in`, macros, comparisons) and never shadowed by a macro variable. CEL then reads resp_data
// only through those chains, so an activation whose resp_data holds just the chains' members
// gives every program the same values as the whole data: each chain's members are plain objects
// like JSON.parse makes (cel-js reads own keys only; `__proto__` is made an own key), a member
// absent from the bytes is absent here too (no_such_key either way, and has() sees the same),
// and the value at a chain's end is decoded by JSON.parse from its Go token. Go's form differs
// from the decoded data in two ways the checks could see, and both are left to the general path:
// a lone surrogate was written as U+FFFD (any value holding U+FFFD's bytes declines), and
// object members are in key order (a value holding an object of two or more members declines:
// macros iterate maps in member order). cel-js also reads an object's `constructor` to type it:
// an object on a chain with a `constructor` member the chains do not read declines. Everything else of the activation is what
// responseFacts gives a decoded proxied answer: status 0, no headers, completed when the object
// has members (goJsonAnswer's header).
import { asNode, boundVariable, children, type Node } from './ast.js';
import { responseActivation } from './activation.js';
import { evaluatePhase } from './run-cel.js';
import type { CompiledCel } from './types.js';

const RESP_DATA = 'resp_data';
const GO_ESCAPED = /["\\<>&\u0000-\u001f\u2028\u2029]/;

/** One object level of the chains: a member read whole (`whole`) or only through its own
 * members (`children`). */
interface PathNode {
  whole: boolean;
  readonly names: string[];
  readonly keys: Buffer[];
  readonly children: PathNode[];
}

const newNode = (): PathNode => ({ whole: false, names: [], keys: [], children: [] });

/** The segments of a field-selection chain rooted at resp_data, or null when `n` is not one. */
function chainOf(n: Node): string[] | null {
  if (n.op === 'id') return n.args === RESP_DATA ? [] : null;
  if (n.op === '.') {
    const [target, name] = n.args as [Node, string];
    const c = chainOf(target);
    return c === null ? null : (c.push(name), c);
  }
  if (n.op === '[]') {
    const [target, index] = n.args as [Node, Node];
    if (index.op !== 'value' || typeof index.args !== 'string') return null;
    const c = chainOf(target);
    return c === null ? null : (c.push(index.args), c);
  }
  return null;
}

/** Adds the tree's chains to `root`; false when resp_data is used otherwise. */
function addChains(tree: Node, root: PathNode): boolean {
  const stack: Node[] = [tree];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (boundVariable(n) === RESP_DATA) return false;
    const chain = chainOf(n);
    if (chain !== null) {
      if (chain.length === 0) return false;
      let node = root;
      for (const seg of chain) {
        // A name with a lone surrogate would match U+FFFD's bytes, which are not its own; one
        // with a character Go escapes is never a key of Go bytes as written (canonicalGoJson
        // declines such keys), and the byte comparison below assumes unescaped keys.
        if (Buffer.from(seg, 'utf8').toString('utf8') !== seg || GO_ESCAPED.test(seg)) return false;
        let k = node.names.indexOf(seg);
        if (k < 0) {
          k = node.names.push(seg) - 1;
          node.keys.push(Buffer.from(seg, 'utf8'));
          node.children.push(newNode());
        }
        node = node.children[k];
      }
      node.whole = true;
      continue;
    }
    for (const c of children(n)) stack.push(c);
  }
  return true;
}

// The pass's state (one pass at a time: nothing in it calls back into it).
const EMPTY = Buffer.alloc(0);
let src: Buffer = EMPTY;
let p = 0;
let end = 0;
/** Object-or-array flags of the containers open in skipValue (Go bytes nest at most 128 deep,
 * canonicalGoJson's bound; deeper input declines). */
const MAX_DEPTH = 256;
const inObject = new Uint8Array(MAX_DEPTH);

/** Past a string token whose opening quote is at p. */
// (Hot loops read the state through locals: a module-level `let` costs a check per read.)
function skipString(): boolean {
  const s = src;
  const e = end;
  let q = p + 1;
  // Short strings by a loop, long ones by the native search (the bench body's 230-byte text).
  for (let n = 0; n < 16 && q < e; n++) {
    const b = s[q];
    if (b === 0x22) {
      p = q + 1;
      return true;
    }
    q += b === 0x5c ? 2 : 1;
  }
  while (q < e) {
    const r = s.indexOf(0x22, q);
    if (r < 0 || r >= e) return false;
    let k = r - 1;
    while (k > p && s[k] === 0x5c) k--;
    // An even run of backslashes before the quote escapes only each other.
    if ((r - 1 - k) % 2 === 0) {
      p = r + 1;
      return true;
    }
    q = r + 1;
  }
  return false;
}

/** Past the object or array at p; false when it is not well-formed here or holds an object of
 * two or more members (decoded, its members would be in the body's order, not Go's). */
function skipContainer(): boolean {
  const s = src;
  const e = end;
  let depth = 0;
  while (p < e) {
    const b = s[p];
    if (b === 0x22) {
      if (!skipString()) return false;
      continue;
    }
    p++;
    if (b === 0x7b || b === 0x5b) {
      if (depth === MAX_DEPTH) return false;
      inObject[depth++] = b === 0x7b ? 1 : 0;
    } else if (b === 0x7d || b === 0x5d) {
      if (--depth === 0) return true;
    } else if (b === 0x2c && inObject[depth - 1] === 1) return false;
  }
  return false;
}

/** Whether src[s, e) holds U+FFFD's UTF-8 bytes (a lone surrogate in the decoded data). */
function holdsFffd(from: number, to: number): boolean {
  const s = src;
  for (let k = from; k + 2 < to; k++) if (s[k] === 0xef && s[k + 1] === 0xbf && s[k + 2] === 0xbd) return true;
  return false;
}

/** Past a number or literal at p: up to the member's end. */
function skipScalar(): void {
  const s = src;
  const e = end;
  let q = p;
  while (q < e) {
    const b = s[q];
    if (b === 0x2c || b === 0x7d || b === 0x5d) break;
    q++;
  }
  p = q;
}

/** The value at p, read whole, as JSON.parse gives it; undefined when it declines. */
function readWhole(): unknown {
  const s = p;
  const c = src[p];
  if (c === 0x22) {
    if (!skipString()) return undefined;
  } else if (c === 0x7b || c === 0x5b) {
    if (!skipContainer()) return undefined;
  } else skipScalar();
  if (p === s || holdsFffd(s, p)) return undefined;
  try {
    return JSON.parse(src.toString('utf8', s, p));
  } catch {
    return undefined;
  }
}

/** Whether the key token at p (its opening quote) is `key`; p stays. */
function keyIs(key: Buffer): boolean {
  const s = src;
  const at = p + 1;
  const n = key.length;
  if (at + n >= end || s[at + n] !== 0x22) return false;
  for (let k = 0; k < n; k++) if (s[at + k] !== key[k]) return false;
  return true;
}

/** Sets a data member as JSON.parse does (an own key, `__proto__` included). */
function setMember(o: Record<string, unknown>, name: string, v: unknown): void {
  if (name === '__proto__') Object.defineProperty(o, name, { value: v, writable: true, enumerable: true, configurable: true });
  else o[name] = v;
}

const DECLINE = Symbol('decline');
const CONSTRUCTOR = Buffer.from('constructor');

/** The object at p holding only `node`'s members (those present); DECLINE when it cannot tell. */
function readObject(node: PathNode): Record<string, unknown> | typeof DECLINE {
  const s = src;
  const e = end;
  if (s[p] !== 0x7b) return DECLINE;
  p++;
  const o: Record<string, unknown> = {};
  if (s[p] === 0x7d) {
    p++;
    return o;
  }
  while (p < e) {
    if (s[p] !== 0x22) return DECLINE;
    let k = -1;
    for (let j = 0; j < node.keys.length; j++) {
      if (keyIs(node.keys[j])) {
        k = j;
        break;
      }
    }
    // cel-js finds a value's type by its `constructor`: one kept in the data must be kept here.
    if (k < 0 && keyIs(CONSTRUCTOR)) return DECLINE;
    if (!skipString()) return DECLINE;
    if (s[p] !== 0x3a) return DECLINE;
    p++;
    if (k < 0) {
      if (!skipMember()) return DECLINE;
    } else {
      const child = node.children[k];
      const v = child.whole || s[p] !== 0x7b ? readWhole() : readObject(child);
      if (v === undefined || v === DECLINE) return DECLINE;
      setMember(o, node.names[k], v);
    }
    const b = s[p];
    p++;
    if (b === 0x7d) return o;
    if (b !== 0x2c) return DECLINE;
  }
  return DECLINE;
}

/** Past a member's value that no chain reads (its contents do not matter). */
function skipMember(): boolean {
  const s = src;
  const e = end;
  const c = s[p];
  if (c === 0x22) return skipString();
  if (c !== 0x7b && c !== 0x5b) {
    const from = p;
    skipScalar();
    return p > from;
  }
  let depth = 0;
  while (p < e) {
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

const NO_HEADERS: Readonly<Record<string, readonly string[]>> = Object.freeze(Object.create(null));

/** The response phase of `c` on Go's bytes, or undefined when it has none: no response checks,
 * or one that uses resp_data other than by field-selection chains. */
export function compileCelGoJson(c: CompiledCel): ((bytes: Buffer) => Buffer | undefined) | undefined {
  const phase = c.response;
  if (phase.checks.length === 0) return undefined;
  const root = newNode();
  for (const check of phase.checks) if (!addChains(asNode(check.program.ast), root)) return undefined;
  const uses = phase.uses;
  const readsData = uses.has(RESP_DATA);
  return (bytes) => {
    let data: Record<string, unknown> = {};
    if (readsData) {
      src = bytes;
      p = 0;
      end = bytes.length;
      try {
        const d = readObject(root);
        if (d === DECLINE || p !== end) return undefined;
        data = d;
      } finally {
        src = EMPTY;
      }
    }
    const facts = { status: 0, headers: NO_HEADERS, data, completed: bytes.length > 2 };
    return evaluatePhase(phase, 'response', responseActivation(facts, uses)).ok ? bytes : undefined;
  };
}
