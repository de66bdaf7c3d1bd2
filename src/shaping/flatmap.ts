/**
 * KrakenD `extra_config.proxy.flatmap_filter` (lura `flatmapFormatter`, krakend/flatmap `tree`).
 *
 * Operations, applied top-down to the response data:
 * - `move` [from, to]   move / rename / embed / extract a value. With wildcards the move is
 *                        element-wise: `paths.*.path` -> `paths.*.url` renames the key inside
 *                        every element. Wildcards in the destination take the concrete key that
 *                        the source wildcard at the same position matched.
 * - `del` [path, ...]   remove every value matching each path.
 * - `append` [src, dst] when both resolve to arrays: `dst` becomes `dst ++ src` and `src` is
 *                        removed (lura `Tree.Append`). Anything else (missing, object, scalar)
 *                        makes the operation a no-op, as in lura.
 *
 * Path syntax: segments separated by `.`; on arrays a segment is an index (`0`, `1`, ... in
 * canonical decimal form), on objects a key (so `0` also matches an object key "0"); `*`
 * matches every key / index. Missing paths (and paths through scalars) are silent no-ops.
 *
 * Array indices always refer to the positions the array had when the flatmap run started:
 * removed slots are kept as holes until every operation ran and are compacted at the end, so
 * `del ["list.0", "list.1"]` removes the first two elements, as in lura (whose tree keeps the
 * original index labels).
 *
 * Hot-path design: `compileFlatmap` validates and pre-splits every path once; the returned
 * closure does no string splitting, no regex and (for plain renames / deletes) no allocation.
 * It mutates and returns the object it receives (see backend-shaper.ts for the ownership
 * contract).
 *
 * Deliberate differences from lura (documented deviations, all on inputs where lura's result
 * is an artefact of its tree implementation):
 * - objects/arrays emptied by `del`/`move` stay `{}` / `[]` (lura turns them into `null`);
 * - when a destination key already exists it is overwritten (lura keeps duplicate edges and the
 *   winner depends on Go map order);
 * - a destination that cannot be reached (an array index out of range, or a key on an array)
 *   drops that moved value (lura appends it as an extra array element or re-parents it);
 * - `move` uses the whole destination path (lura only relabels the last segment when both
 *   paths have the same length, and ignores the destination prefix when embedding);
 * - invalid operations are refused up front ({@link validateFlatmap}); lura ignores unknown
 *   types and mishandles trailing / misaligned wildcards and wildcards in `append`.
 */
import type { Data, FlatmapOp } from './types.js';
import { FORBIDDEN_SEGMENTS, hasOwn, isPlainObject, safeSet } from './util.js';

const WILDCARD = '*';

type Container = Record<string, unknown> | unknown[];
type Key = string | number;
type Step = (root: Data) => void;

/** A pre-compiled path segment: object key, array index (-1 when not a canonical index), wildcard. */
interface Seg {
  readonly key: string;
  readonly index: number;
  readonly wild: boolean;
}

interface MoveMatch {
  parent: Container;
  value: unknown;
  binds: Key[];
}

/** Marks an array slot removed during the current run (compacted when the run ends). */
const HOLE: unique symbol = Symbol('rampart.flatmap.hole');

/** Arrays that received a HOLE during the current (synchronous) run. */
const dirty = new Set<unknown[]>();

function isContainer(v: unknown): v is Container {
  return Array.isArray(v) || isPlainObject(v);
}

/** Canonical non-negative decimal integer (no sign, no leading zeros), else -1. No regex. */
function parseIndex(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  if (s.charCodeAt(0) === 48) return n === 1 ? 0 : -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function toSeg(s: string): Seg {
  const wild = s === WILDCARD;
  return { key: s, index: wild ? -1 : parseIndex(s), wild };
}

/** Segment for a wildcard binding (an array index or an object key matched at run time). */
function bindSeg(k: Key): Seg {
  return typeof k === 'number' ? { key: String(k), index: k, wild: false } : { key: k, index: parseIndex(k), wild: false };
}

/** Own child value, or undefined when absent (missing key, index out of range, or hole). */
function getChild(c: Container, s: Seg): unknown {
  if (Array.isArray(c)) {
    const i = s.index;
    if (i < 0 || i >= c.length) return undefined;
    const v = c[i];
    return v === HOLE ? undefined : v;
  }
  return hasOwn(c, s.key) ? c[s.key] : undefined;
}

/** Remove an existing child (caller checked it exists). Array slots become holes. */
function removeChild(c: Container, s: Seg): void {
  if (Array.isArray(c)) {
    c[s.index] = HOLE;
    dirty.add(c);
  } else {
    delete c[s.key];
  }
}

/** Store a value; on arrays only an existing slot can be replaced (else the value is dropped). */
function setChild(c: Container, s: Seg, v: unknown): void {
  if (Array.isArray(c)) {
    const i = s.index;
    if (i >= 0 && i < c.length) c[i] = v;
    return;
  }
  safeSet(c, s.key, v);
}

/** Walk one step towards a destination, creating an object when the slot is not a container. */
function descend(c: Container, s: Seg): Container | undefined {
  if (Array.isArray(c)) {
    const i = s.index;
    if (i < 0 || i >= c.length) return undefined;
    const v = c[i];
    if (isContainer(v)) return v;
    const o: Record<string, unknown> = {};
    c[i] = o;
    return o;
  }
  if (hasOwn(c, s.key)) {
    const v = c[s.key];
    if (isContainer(v)) return v;
  }
  const o: Record<string, unknown> = {};
  safeSet(c, s.key, o);
  return o;
}

/** Container reached by `segs[0 .. segs.length-2]` (no wildcards), or undefined. */
function resolveParent(root: Container, segs: readonly Seg[]): Container | undefined {
  let cur: unknown = root;
  for (let j = 0; j < segs.length - 1; j++) {
    if (!isContainer(cur)) return undefined;
    cur = getChild(cur, segs[j]);
  }
  return isContainer(cur) ? cur : undefined;
}

/** Call `visit` for every container matching `prefix` (wildcards expand). */
function forEachParent(node: Container, prefix: readonly Seg[], i: number, visit: (parent: Container) => void): void {
  if (i === prefix.length) {
    visit(node);
    return;
  }
  const seg = prefix[i];
  if (seg.wild) {
    if (Array.isArray(node)) {
      for (let j = 0; j < node.length; j++) {
        const v = node[j];
        if (isContainer(v)) forEachParent(v, prefix, i + 1, visit);
      }
    } else {
      const keys = Object.keys(node);
      for (let j = 0; j < keys.length; j++) {
        const v = node[keys[j]];
        if (isContainer(v)) forEachParent(v, prefix, i + 1, visit);
      }
    }
    return;
  }
  const v = getChild(node, seg);
  if (isContainer(v)) forEachParent(v, prefix, i + 1, visit);
}

/** Collect every (parent, value, wildcard bindings) matching `prefix` + `last`. */
function collect(node: Container, prefix: readonly Seg[], i: number, last: Seg, binds: Key[], out: MoveMatch[]): void {
  if (i === prefix.length) {
    const value = getChild(node, last);
    if (value !== undefined) out.push({ parent: node, value, binds: binds.slice() });
    return;
  }
  const seg = prefix[i];
  if (seg.wild) {
    if (Array.isArray(node)) {
      for (let j = 0; j < node.length; j++) {
        const v = node[j];
        if (!isContainer(v)) continue;
        binds.push(j);
        collect(v, prefix, i + 1, last, binds, out);
        binds.pop();
      }
    } else {
      const keys = Object.keys(node);
      for (let j = 0; j < keys.length; j++) {
        const v = node[keys[j]];
        if (!isContainer(v)) continue;
        binds.push(keys[j]);
        collect(v, prefix, i + 1, last, binds, out);
        binds.pop();
      }
    }
    return;
  }
  const v = getChild(node, seg);
  if (isContainer(v)) collect(v, prefix, i + 1, last, binds, out);
}

function delAt(node: unknown, segs: readonly Seg[], i: number): void {
  const seg = segs[i];
  const last = i === segs.length - 1;
  if (Array.isArray(node)) {
    if (seg.wild) {
      if (last) {
        node.length = 0;
        return;
      }
      for (let j = 0; j < node.length; j++) {
        const v = node[j];
        if (v !== HOLE) delAt(v, segs, i + 1);
      }
      return;
    }
    const idx = seg.index;
    if (idx < 0 || idx >= node.length) return;
    const v = node[idx];
    if (v === HOLE) return;
    if (last) {
      node[idx] = HOLE;
      dirty.add(node);
    } else {
      delAt(v, segs, i + 1);
    }
    return;
  }
  if (!isPlainObject(node)) return;
  if (seg.wild) {
    const keys = Object.keys(node);
    if (last) {
      for (let j = 0; j < keys.length; j++) delete node[keys[j]];
    } else {
      for (let j = 0; j < keys.length; j++) delAt(node[keys[j]], segs, i + 1);
    }
    return;
  }
  if (!hasOwn(node, seg.key)) return;
  if (last) delete node[seg.key];
  else delAt(node[seg.key], segs, i + 1);
}

function compactDirty(): void {
  for (const a of dirty) {
    let w = 0;
    for (let r = 0; r < a.length; r++) {
      const v = a[r];
      if (v !== HOLE) a[w++] = v;
    }
    a.length = w;
  }
  dirty.clear();
}

function compactCopy(a: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let r = 0; r < a.length; r++) if (a[r] !== HOLE) out.push(a[r]);
  return out;
}

const noop: Step = () => {};

function compileMove(src: readonly Seg[], dst: readonly Seg[]): Step {
  const n = src.length;
  const srcLast = src[n - 1];
  const dstLast = dst[dst.length - 1];
  const prefix = src.slice(0, n - 1);

  // Fast path: same parent, only the last segment changes (a rename), done in place.
  let sameParent = dst.length === n;
  for (let i = 0; sameParent && i < n - 1; i++) {
    const a = src[i];
    const b = dst[i];
    sameParent = a.wild ? b.wild : !b.wild && a.key === b.key;
  }
  if (sameParent) {
    if (srcLast.key === dstLast.key) return noop;
    const visit = (parent: Container): void => {
      const v = getChild(parent, srcLast);
      if (v === undefined) return;
      removeChild(parent, srcLast);
      setChild(parent, dstLast, v);
    };
    return (root) => forEachParent(root, prefix, 0, visit);
  }

  // General case (promotion / embedding / relocation): extract every match first, then insert
  // them, as lura does; destination wildcards take the bindings of the source wildcards.
  const dstPrefix = dst.slice(0, dst.length - 1);
  return (root) => {
    const matches: MoveMatch[] = [];
    collect(root, prefix, 0, srcLast, [], matches);
    if (matches.length === 0) return;
    for (let m = 0; m < matches.length; m++) removeChild(matches[m].parent, srcLast);
    for (let m = 0; m < matches.length; m++) {
      const { binds, value } = matches[m];
      let cur: Container | undefined = root;
      let w = 0;
      for (let j = 0; j < dstPrefix.length && cur !== undefined; j++) {
        const s = dstPrefix[j];
        cur = descend(cur, s.wild ? bindSeg(binds[w++]) : s);
      }
      if (cur !== undefined) setChild(cur, dstLast, value);
    }
  };
}

function compileDel(segs: readonly Seg[]): Step {
  return (root) => delAt(root, segs, 0);
}

function compileAppend(src: readonly Seg[], dst: readonly Seg[]): Step {
  const srcLast = src[src.length - 1];
  const dstLast = dst[dst.length - 1];
  return (root) => {
    const sp = resolveParent(root, src);
    if (sp === undefined) return;
    const sv = getChild(sp, srcLast);
    if (!Array.isArray(sv)) return;
    const dp = resolveParent(root, dst);
    if (dp === undefined) return;
    const dv = getChild(dp, dstLast);
    if (!Array.isArray(dv)) return;
    const joined = compactCopy(dv);
    for (let r = 0; r < sv.length; r++) if (sv[r] !== HOLE) joined.push(sv[r]);
    setChild(dp, dstLast, joined);
    delAt(root, src, 0);
  };
}

function describe(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/**
 * Split and check one path. Returns the segments, or null after pushing an error.
 */
function checkPath(where: string, label: string, p: string, errs: string[]): string[] | null {
  if (p === '') {
    errs.push(`${where}: ${label} path is empty`);
    return null;
  }
  const parts = p.split('.');
  for (const s of parts) {
    if (s === '') {
      errs.push(`${where}: ${label} path ${describe(p)} has an empty segment`);
      return null;
    }
    if (FORBIDDEN_SEGMENTS.has(s)) {
      errs.push(`${where}: ${label} path ${describe(p)} uses the forbidden segment ${describe(s)}`);
      return null;
    }
  }
  return parts;
}

function wildcardPositions(parts: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) if (parts[i] === WILDCARD) out.push(i);
  return out;
}

/**
 * Check a `flatmap_filter` list (any JSON value) and return human-readable errors; an empty
 * list means it is valid. Refused: non-object entries, unknown `type`, `args` that are not an
 * array of strings, wrong argument counts (move 2, append 2, del 1+), empty paths or segments,
 * the segments `__proto__` / `constructor` / `prototype`, a `move` source or destination ending
 * in `*`, `move` paths whose wildcard counts or positions differ, and wildcards in `append`.
 */
export function validateFlatmap(ops: unknown): string[] {
  const errs: string[] = [];
  if (!Array.isArray(ops)) {
    errs.push('flatmap_filter must be an array of operations');
    return errs;
  }
  ops.forEach((op: unknown, i) => {
    const where = `flatmap_filter[${i}]`;
    if (!isPlainObject(op)) {
      errs.push(`${where}: operation must be an object with "type" and "args"`);
      return;
    }
    const type = hasOwn(op, 'type') ? op.type : undefined;
    const args = hasOwn(op, 'args') ? op.args : undefined;
    if (type !== 'move' && type !== 'del' && type !== 'append') {
      errs.push(`${where}: unknown operation type ${describe(type)} (expected "move", "del" or "append")`);
      return;
    }
    const w = `${where} (${type})`;
    if (!Array.isArray(args) || !args.every((a: unknown) => typeof a === 'string')) {
      errs.push(`${w}: "args" must be an array of strings`);
      return;
    }
    const strArgs = args as string[];
    if (type === 'del') {
      if (strArgs.length < 1) {
        errs.push(`${w}: needs at least 1 argument, got 0`);
        return;
      }
      strArgs.forEach((a, k) => checkPath(w, `argument ${k}`, a, errs));
      return;
    }
    if (strArgs.length !== 2) {
      errs.push(`${w}: needs exactly 2 arguments, got ${strArgs.length}`);
      return;
    }
    const src = checkPath(w, 'source', strArgs[0], errs);
    const dst = checkPath(w, 'destination', strArgs[1], errs);
    if (src === null || dst === null) return;
    const sw = wildcardPositions(src);
    const dw = wildcardPositions(dst);
    if (type === 'append') {
      if (sw.length > 0 || dw.length > 0) {
        errs.push(`${w}: wildcards are not supported in append paths (${describe(strArgs[0])}, ${describe(strArgs[1])})`);
      }
      return;
    }
    // move
    if (src[src.length - 1] === WILDCARD) {
      errs.push(`${w}: source ${describe(strArgs[0])} must not end with a wildcard`);
      return;
    }
    if (dst[dst.length - 1] === WILDCARD) {
      errs.push(`${w}: destination ${describe(strArgs[1])} must not end with a wildcard`);
      return;
    }
    if (sw.length !== dw.length) {
      errs.push(`${w}: mismatched wildcard counts: source ${describe(strArgs[0])} has ${sw.length}, ` + `destination ${describe(strArgs[1])} has ${dw.length}`);
      return;
    }
    if (sw.some((p, k) => dw[k] !== p)) {
      errs.push(`${w}: wildcards in destination ${describe(strArgs[1])} must be at the same positions ` + `as in source ${describe(strArgs[0])}`);
    }
  });
  return errs;
}

/**
 * Compile a `flatmap_filter` list once (at startup) into a closure applied per response.
 * Throws an Error listing the problems when {@link validateFlatmap} reports any, so invalid
 * configurations never reach the hot path. The closure mutates `d` in place and returns it.
 */
export function compileFlatmap(ops: FlatmapOp[]): (d: Data) => Data {
  const errs = validateFlatmap(ops);
  if (errs.length > 0) throw new Error(`invalid flatmap_filter: ${errs.join('; ')}`);

  const steps: Step[] = [];
  for (const op of ops) {
    const paths = op.args.map((a) => a.split('.').map(toSeg));
    if (op.type === 'del') {
      for (const p of paths) steps.push(compileDel(p));
    } else if (op.type === 'move') {
      const s = compileMove(paths[0], paths[1]);
      if (s !== noop) steps.push(s);
    } else {
      steps.push(compileAppend(paths[0], paths[1]));
    }
  }

  if (steps.length === 0) return (d) => d;
  if (steps.length === 1) {
    const only = steps[0];
    return (d) => {
      try {
        only(d);
      } finally {
        if (dirty.size > 0) compactDirty();
      }
      return d;
    };
  }
  return (d) => {
    try {
      for (let i = 0; i < steps.length; i++) steps[i](d);
    } finally {
      if (dirty.size > 0) compactDirty();
    }
    return d;
  };
}
