// Sprig's list, dict and default functions. Dicts are maps without prototype; keys and values
// come out in sorted key order (Go's map order is random, so any order is Sprig's order).
import { arity, bool, int, list, map, str } from './args.js';
import type { TemplateFunc } from './exec.js';
import { deepEqual, isMap, isTrue, mapGet, mapHas, mapSet, newMap, sortedKeys, strval, TemplateError, type GoMap, type GoValue } from './values.js';

const MAX_LIST = 1_000_000;

/** Sprig's empty: nil, zero numbers, false, and empty strings, lists and maps. */
export function empty(v: GoValue): boolean {
  return !isTrue(v);
}

function untilStep(start: number, stop: number, step: number): bigint[] {
  const out: bigint[] = [];
  if (step === 0) return out;
  const push = (i: number) => {
    if (out.length >= MAX_LIST) throw new TemplateError(`list longer than ${MAX_LIST} elements`);
    out.push(BigInt(i));
  };
  if (stop < start) {
    if (step >= 0) return out;
    for (let i = start; i > stop; i += step) push(i);
  } else {
    if (step <= 0) return out;
    for (let i = start; i < stop; i += step) push(i);
  }
  return out;
}

function deepCopy(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const m = newMap();
    for (const k of Object.keys(v)) mapSet(m, k, deepCopy(v[k]));
    return m;
  }
  return v;
}

function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean, depth: number): void {
  if (depth > 100) throw new TemplateError('merge: maps nested too deeply');
  for (const k of Object.keys(src)) {
    const s = src[k];
    const d = mapGet(dst, k);
    if (isMap(d) && isMap(s)) mergeInto(d, s, overwrite, depth + 1);
    else if (!mapHas(dst, k) || empty(d) || (overwrite && !empty(s))) mapSet(dst, k, deepCopy(s));
  }
}

export const SPRIG_LISTS: Record<string, TemplateFunc> = {
  default: (a) => {
    arity('default', a, 1, Infinity);
    return a.length < 2 || empty(a[1]) ? a[0] : a[1];
  },
  empty: (a) => (arity('empty', a, 1), empty(a[0])),
  coalesce: (a) => a.find((x) => !empty(x)) ?? null,
  all: (a) => a.every((x) => !empty(x)),
  any: (a) => a.some((x) => !empty(x)),
  ternary: (a) => (arity('ternary', a, 3), bool(a[2]) ? a[0] : a[1]),
  list: (a) => [...a],
  tuple: (a) => [...a],
  dict: (a) => {
    const m = newMap();
    for (let i = 0; i < a.length; i += 2) mapSet(m, strval(a[i]), i + 1 < a.length ? a[i + 1] : '');
    return m;
  },
  get: (a) => {
    arity('get', a, 2);
    const m = map(a[0]);
    const k = str(a[1]);
    return mapHas(m, k) ? m[k] : '';
  },
  set: (a) => (arity('set', a, 3), mapSet(map(a[0]), str(a[1]), a[2]), a[0]),
  unset: (a) => {
    arity('unset', a, 2);
    const m = map(a[0]);
    const k = str(a[1]);
    if (mapHas(m, k)) delete m[k];
    return m;
  },
  hasKey: (a) => (arity('hasKey', a, 2), mapHas(map(a[0]), str(a[1]))),
  keys: (a) => a.flatMap((d) => sortedKeys(map(d))).sort(),
  values: (a) => {
    arity('values', a, 1);
    const m = map(a[0]);
    return sortedKeys(m).map((k) => m[k]);
  },
  pluck: (a) => {
    arity('pluck', a, 1, Infinity);
    const k = str(a[0]);
    return a
      .slice(1)
      .map(map)
      .filter((d) => mapHas(d, k))
      .map((d) => d[k]);
  },
  pick: (a) => {
    arity('pick', a, 1, Infinity);
    const m = map(a[0]);
    const out = newMap();
    for (const k of a.slice(1).map(str)) if (mapHas(m, k)) mapSet(out, k, m[k]);
    return out;
  },
  omit: (a) => {
    arity('omit', a, 1, Infinity);
    const m = map(a[0]);
    const drop = new Set(a.slice(1).map(str));
    const out = newMap();
    for (const k of Object.keys(m)) if (!drop.has(k)) mapSet(out, k, m[k]);
    return out;
  },
  merge: (a) => {
    arity('merge', a, 1, Infinity);
    const dst = map(a[0]);
    for (const s of a.slice(1)) mergeInto(dst, map(s), false, 0);
    return dst;
  },
  mergeOverwrite: (a) => {
    arity('mergeOverwrite', a, 1, Infinity);
    const dst = map(a[0]);
    for (const s of a.slice(1)) mergeInto(dst, map(s), true, 0);
    return dst;
  },
  deepCopy: (a) => (arity('deepCopy', a, 1), deepCopy(a[0])),
  dig: (a) => {
    arity('dig', a, 3, Infinity);
    const d = map(a[a.length - 1]);
    const dflt = a[a.length - 2];
    let cur: GoValue = d;
    for (const k of a.slice(0, -2).map(str)) {
      if (!isMap(cur) || !mapHas(cur, k)) return dflt;
      cur = cur[k];
    }
    return cur;
  },
  first: (a) => (arity('first', a, 1), list('find first', a[0])[0] ?? null),
  last: (a) => {
    arity('last', a, 1);
    const l = list('find last', a[0]);
    return l.length ? l[l.length - 1] : null;
  },
  rest: (a) => {
    arity('rest', a, 1);
    const l = list('find rest', a[0]);
    return l.length ? l.slice(1) : null;
  },
  initial: (a) => {
    arity('initial', a, 1);
    const l = list('find initial', a[0]);
    return l.length ? l.slice(0, -1) : null;
  },
  append: (a) => (arity('append', a, 2), [...list('append', a[0]), a[1]]),
  push: (a) => (arity('push', a, 2), [...list('push', a[0]), a[1]]),
  prepend: (a) => (arity('prepend', a, 2), [a[1], ...list('prepend', a[0])]),
  concat: (a) => {
    const out = a.flatMap((l) => list('concat', l));
    if (out.length > MAX_LIST) throw new TemplateError(`list longer than ${MAX_LIST} elements`);
    return out;
  },
  uniq: (a) => {
    arity('uniq', a, 1);
    const out: GoValue[] = [];
    for (const x of list('find uniq', a[0])) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  has: (a) => {
    arity('has', a, 2);
    if (a[1] === null || a[1] === undefined) return false;
    return list('find has', a[1]).some((x) => deepEqual(x, a[0]));
  },
  without: (a) => {
    arity('without', a, 1, Infinity);
    const omit = a.slice(1);
    return list('find without', a[0]).filter((x) => !omit.some((o) => deepEqual(x, o)));
  },
  reverse: (a) => (arity('reverse', a, 1), [...list('find reverse', a[0])].reverse()),
  compact: (a) => (arity('compact', a, 1), list('compact', a[0]).filter((x) => !empty(x))),
  sortAlpha: (a) => {
    arity('sortAlpha', a, 1);
    const v = a[0];
    const items = Array.isArray(v) ? v.map(strval) : [strval(v)];
    return items.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  },
  slice: (a) => {
    arity('slice', a, 1, 3);
    const l = list('slice', a[0]);
    const idx = a.slice(1).map((x) => (typeof x === 'bigint' ? Number(x) : int(x)));
    const start = idx[0] ?? 0;
    const end = idx[1] ?? l.length;
    if (start < 0 || end > l.length || start > end) throw new TemplateError(`slice bounds out of range [${start}:${end}] with capacity ${l.length}`);
    return l.slice(start, end);
  },
  chunk: (a) => {
    arity('chunk', a, 2);
    const size = int(a[0]);
    const l = list('chunk', a[1]);
    if (size < 1) throw new TemplateError('chunk size must be positive');
    const out: GoValue[] = [];
    for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
    return out;
  },
  until: (a) => {
    arity('until', a, 1);
    const n = int(a[0]);
    return untilStep(0, n, n < 0 ? -1 : 1);
  },
  untilStep: (a) => (arity('untilStep', a, 3), untilStep(int(a[0]), int(a[1]), int(a[2]))),
  seq: (a) => {
    const p = a.map(int);
    let r: bigint[];
    if (p.length === 1) r = untilStep(1, p[0] + (p[0] < 1 ? -1 : 1), p[0] < 1 ? -1 : 1);
    else if (p.length === 2) {
      const step = p[1] < p[0] ? -1 : 1;
      r = untilStep(p[0], p[1] + step, step);
    } else if (p.length === 3) {
      const inc = p[2] < p[0] ? -1 : 1;
      if (inc < 0 && p[1] > 0) return '';
      r = untilStep(p[0], p[2] + inc, p[1]);
    } else return '';
    return r.join(' ');
  },
};
