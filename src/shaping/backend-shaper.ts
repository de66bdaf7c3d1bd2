/**
 * Per-backend response manipulation (lura `NewEntityFormatter`), compiled once at startup.
 *
 * Order (spec core-gateway.md 5.1):
 *   1. `target`  walk the dot path through objects; a missing step or a non-object -> `{}`.
 *   2. `flatmap` when non-empty it REPLACES steps 3 and 4 (allow/deny/mapping are ignored);
 *      otherwise:
 *   3. `allow` (non-empty) else `deny`. Dot paths through nested objects only (never arrays).
 *      `allow` keeps whole sub-trees of the listed leaves; when nothing survives -> `{}`.
 *      `deny` removes the listed paths (missing paths are no-ops).
 *   4. `mapping` renames top-level keys; for a value with dots only the part before the first
 *      dot is the new name.
 *   5. `group`   wraps the result as `{ [group]: data }`.
 *
 * OWNERSHIP CONTRACT: the shaper takes ownership of the object passed in. It is expected to be
 * a freshly decoded backend body that nobody else references: it may be mutated in place and
 * (parts of it) reused in the returned object. Callers must use only the return value
 * afterwards and must never pass shared/cached objects (clone first if they must).
 *
 * Deliberate differences from lura, on inputs where lura's result is accidental:
 * - `allow`: listing both `a` and `a.b` keeps all of `a` (union); lura's result depends on
 *   list order. Output keys keep the input order.
 * - `deny`: paths of any depth are honoured (`a.b.c` removes only `c`); lura only looks at the
 *   first two segments (it would remove `a.b`), and its `a` + `a.b` result depends on map order.
 * - `mapping`: renames are simultaneous (`{"a":"b","b":"a"}` swaps; lura's result depends on Go
 *   map order) and an identity mapping `{"a":"a"}` keeps the key (lura deletes it). When two
 *   sources map to the same name, the later mapping entry wins.
 */
import { compileFlatmap } from './flatmap.js';
import type { Data, ShapeOptions } from './types.js';
import { hasOwn, isPlainObject, safeSet } from './util.js';

type Stage = (d: Data) => Data;

/** allow tree: `true` = keep the whole sub-tree, Map = keep only the listed children. */
type AllowNode = Map<string, AllowNode | true>;
/** deny tree (compile time): `true` = delete this key, Map = descend (objects only). */
type DenyTree = Map<string, DenyTree | true>;

function compileTarget(target: string): Stage {
  const segs = target.split('.');
  const n = segs.length;
  return (d) => {
    let cur: Record<string, unknown> = d;
    for (let i = 0; i < n; i++) {
      const k = segs[i];
      if (!hasOwn(cur, k)) return {};
      const v = cur[k];
      if (!isPlainObject(v)) return {};
      cur = v;
    }
    return cur;
  };
}

function buildAllowTree(paths: readonly string[]): AllowNode {
  const root: AllowNode = new Map();
  for (const p of paths) {
    const segs = p.split('.');
    let node = root;
    for (let i = 0; i < segs.length; i++) {
      const k = segs[i];
      if (i === segs.length - 1) {
        node.set(k, true); // a leaf keeps the whole sub-tree, superseding deeper entries
        break;
      }
      const next = node.get(k);
      if (next === true) break; // an ancestor is already kept whole
      if (next === undefined) {
        const created: AllowNode = new Map();
        node.set(k, created);
        node = created;
      } else {
        node = next;
      }
    }
  }
  return root;
}

/** New object with the allowed parts of `obj` (input key order), or null when nothing survives. */
function allowPrune(obj: Record<string, unknown>, rules: AllowNode): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const rule = rules.get(k);
    if (rule === undefined) continue;
    let kept: unknown;
    if (rule === true) {
      kept = obj[k];
    } else {
      const v = obj[k];
      if (!isPlainObject(v)) continue;
      const sub = allowPrune(v, rule);
      if (sub === null) continue;
      kept = sub;
    }
    if (out === null) out = {};
    safeSet(out, k, kept);
  }
  return out;
}

function compileAllow(paths: readonly string[]): Stage {
  const rules = buildAllowTree(paths);
  return (d) => allowPrune(d, rules) ?? {};
}

function buildDenyTree(paths: readonly string[]): DenyTree {
  const root: DenyTree = new Map();
  for (const p of paths) {
    const segs = p.split('.');
    let node = root;
    for (let i = 0; i < segs.length; i++) {
      const k = segs[i];
      if (i === segs.length - 1) {
        node.set(k, true); // deleting the key supersedes deeper deletions
        break;
      }
      const next = node.get(k);
      if (next === true) break; // an ancestor is deleted anyway
      if (next === undefined) {
        const created: DenyTree = new Map();
        node.set(k, created);
        node = created;
      } else {
        node = next;
      }
    }
  }
  return root;
}

/** deny rules as plain arrays (cheaper to iterate per request than Maps). */
interface DenyCompiled {
  readonly key: string;
  readonly sub: readonly DenyCompiled[] | null; // null = delete the key
}

function compileDenyNode(tree: DenyTree): DenyCompiled[] {
  return [...tree].map(([key, v]) => ({ key, sub: v === true ? null : compileDenyNode(v) }));
}

function denyApply(obj: Record<string, unknown>, rules: readonly DenyCompiled[]): void {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!hasOwn(obj, r.key)) continue;
    if (r.sub === null) {
      delete obj[r.key];
    } else {
      const v = obj[r.key];
      if (isPlainObject(v)) denyApply(v, r.sub);
    }
  }
}

function compileDeny(paths: readonly string[]): Stage {
  const rules = compileDenyNode(buildDenyTree(paths));
  return (d) => {
    denyApply(d, rules);
    return d;
  };
}

function compileMapping(mapping: Record<string, string>): Stage | null {
  const from: string[] = [];
  const to: string[] = [];
  for (const [src, raw] of Object.entries(mapping)) {
    if (typeof raw !== 'string') continue;
    const dot = raw.indexOf('.');
    const name = dot === -1 ? raw : raw.slice(0, dot);
    if (name === src) continue; // identity: nothing to do
    from.push(src);
    to.push(name);
  }
  const n = from.length;
  if (n === 0) return null;
  if (n === 1) {
    const f = from[0];
    const t = to[0];
    return (d) => {
      if (hasOwn(d, f)) {
        const v = d[f];
        delete d[f];
        safeSet(d, t, v);
      }
      return d;
    };
  }
  // When no destination name is also a source name, sequential renames equal simultaneous ones.
  const sources = new Set(from);
  const chained = to.some((t) => sources.has(t));
  if (!chained) {
    return (d) => {
      for (let i = 0; i < n; i++) {
        const f = from[i];
        if (!hasOwn(d, f)) continue;
        const v = d[f];
        delete d[f];
        safeSet(d, to[i], v);
      }
      return d;
    };
  }
  return (d) => {
    const present: boolean[] = new Array<boolean>(n);
    const vals: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const f = from[i];
      present[i] = hasOwn(d, f);
      if (present[i]) vals[i] = d[f];
    }
    for (let i = 0; i < n; i++) if (present[i]) delete d[from[i]];
    for (let i = 0; i < n; i++) if (present[i]) safeSet(d, to[i], vals[i]);
    return d;
  };
}

function compileGroup(group: string): Stage {
  // A computed key never invokes the __proto__ setter: `{ ['__proto__']: d }` is an own property.
  return (d) => ({ [group]: d });
}

/**
 * Compile the backend manipulation options into one closure, or return null when no option is
 * set (empty strings / arrays / objects count as unset) so the caller can skip the stage.
 * Throws when `flatmap` is invalid (see validateFlatmap). See the module comment for the
 * ownership contract: the closure may mutate its argument.
 */
export function compileBackendShaper(o: ShapeOptions): ((d: Data) => Data) | null {
  const stages: Stage[] = [];
  if (typeof o.target === 'string' && o.target !== '') stages.push(compileTarget(o.target));

  if (Array.isArray(o.flatmap) && o.flatmap.length > 0) {
    stages.push(compileFlatmap(o.flatmap));
  } else {
    if (Array.isArray(o.allow) && o.allow.length > 0) stages.push(compileAllow(o.allow));
    else if (Array.isArray(o.deny) && o.deny.length > 0) stages.push(compileDeny(o.deny));
    if (o.mapping !== undefined && o.mapping !== null && typeof o.mapping === 'object') {
      const m = compileMapping(o.mapping);
      if (m !== null) stages.push(m);
    }
  }

  if (typeof o.group === 'string' && o.group !== '') stages.push(compileGroup(o.group));

  switch (stages.length) {
    case 0:
      return null;
    case 1:
      return stages[0];
    case 2: {
      const [a, b] = stages;
      return (d) => b(a(d));
    }
    case 3: {
      const [a, b, c] = stages;
      return (d) => c(b(a(d)));
    }
    default:
      return (d) => {
        let cur = d;
        for (let i = 0; i < stages.length; i++) cur = stages[i](cur);
        return cur;
      };
  }
}
