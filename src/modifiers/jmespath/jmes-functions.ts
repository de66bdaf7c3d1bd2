// The JMESPath built-in functions (the specification go-jmespath implements, which is what
// KrakenD EE runs), with their type checks. Type errors throw JmespathRunError.

import { JmespathRunError } from './jmes-errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Arg = Json | ExprRefBox;
/** Evaluates an expression reference on one element (counts steps in the interpreter). */
export type Visit = (node: unknown, value: Json) => Json;

export function isObject(v: unknown): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof ExprRefBox);
}

export function typeOf(v: Arg): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as object) instanceof ExprRefBox ? 'expref' : 'object';
  return typeof v;
}

/** Wraps `&expr` so it never looks like data. */
export class ExprRefBox {
  constructor(readonly ref: unknown) {}
}

function fail(name: string, msg: string): never {
  throw new JmespathRunError(`JMESPath ${name}(): ${msg}`);
}

function want(name: string, v: Arg, ...types: string[]): void {
  const t = typeOf(v);
  if (!types.includes(t)) fail(name, `expected ${types.join(' or ')}, got ${t}`);
}

function arrayOf(name: string, v: Arg, ...types: string[]): Json[] {
  want(name, v, 'array');
  const a = v as Json[];
  if (a.length > 0) {
    const t = typeOf(a[0]);
    if (!types.includes(t) || a.some((x) => typeOf(x) !== t)) fail(name, `expected an array of ${types.join(' or ')}`);
  }
  return a;
}

/** Deep equality (JMESPath `==`). */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((x, i) => deepEqual(x, (b as Json[])[i]));
  if (isObject(a)) {
    const ka = Object.keys(a);
    const bo = b as { [k: string]: Json };
    return ka.length === Object.keys(bo).length && ka.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(a[k], bo[k]));
  }
  return false;
}

function byKey(name: string, arr: Json[], ref: Arg, visit: Visit): Array<[Json, Json]> {
  if (!(ref instanceof ExprRefBox)) fail(name, 'expected an expression reference (&expr)');
  const pairs = arr.map((x): [Json, Json] => [visit(ref.ref, x), x]);
  if (pairs.length > 0) {
    const t = typeOf(pairs[0][0]);
    if ((t !== 'number' && t !== 'string') || pairs.some(([k]) => typeOf(k) !== t)) fail(name, 'the expression must give all numbers or all strings');
  }
  return pairs;
}

const cmp = (a: Json, b: Json): number => ((a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0);

type Fn = { arity: [number, number]; run: (args: Arg[], visit: Visit) => Json };

export const FUNCTIONS: ReadonlyMap<string, Fn> = new Map<string, Fn>([
  [
    'abs',
    {
      arity: [1, 1],
      run: ([n]) => {
        want('abs', n, 'number');
        return Math.abs(n as number);
      },
    },
  ],
  [
    'avg',
    {
      arity: [1, 1],
      run: ([a]) => {
        const l = arrayOf('avg', a, 'number') as number[];
        return l.length ? l.reduce((s, x) => s + x, 0) / l.length : null;
      },
    },
  ],
  [
    'ceil',
    {
      arity: [1, 1],
      run: ([n]) => {
        want('ceil', n, 'number');
        return Math.ceil(n as number);
      },
    },
  ],
  [
    'floor',
    {
      arity: [1, 1],
      run: ([n]) => {
        want('floor', n, 'number');
        return Math.floor(n as number);
      },
    },
  ],
  [
    'contains',
    {
      arity: [2, 2],
      run: ([s, x]) => {
        want('contains', s, 'array', 'string');
        if (typeof s === 'string') return typeof x === 'string' && s.includes(x);
        return (s as Json[]).some((e) => deepEqual(e, x as Json));
      },
    },
  ],
  [
    'ends_with',
    {
      arity: [2, 2],
      run: ([s, x]) => {
        want('ends_with', s, 'string');
        want('ends_with', x, 'string');
        return (s as string).endsWith(x as string);
      },
    },
  ],
  [
    'starts_with',
    {
      arity: [2, 2],
      run: ([s, x]) => {
        want('starts_with', s, 'string');
        want('starts_with', x, 'string');
        return (s as string).startsWith(x as string);
      },
    },
  ],
  [
    'join',
    {
      arity: [2, 2],
      run: ([g, a]) => {
        want('join', g, 'string');
        return (arrayOf('join', a, 'string') as string[]).join(g as string);
      },
    },
  ],
  [
    'keys',
    {
      arity: [1, 1],
      run: ([o]) => {
        want('keys', o, 'object');
        return Object.keys(o as object);
      },
    },
  ],
  [
    'values',
    {
      arity: [1, 1],
      run: ([o]) => {
        want('values', o, 'object');
        return Object.values(o as object) as Json[];
      },
    },
  ],
  [
    'length',
    {
      arity: [1, 1],
      run: ([v]) => {
        want('length', v, 'string', 'array', 'object');
        if (typeof v === 'string') return [...v].length; // code points, as go-jmespath counts runes
        return Array.isArray(v) ? v.length : Object.keys(v as object).length;
      },
    },
  ],
  [
    'map',
    {
      arity: [2, 2],
      run: ([r, a], visit) => {
        if (!(r instanceof ExprRefBox)) fail('map', 'expected an expression reference (&expr)');
        want('map', a, 'array');
        return (a as Json[]).map((x) => visit(r.ref, x));
      },
    },
  ],
  [
    'max',
    {
      arity: [1, 1],
      run: ([a]) => {
        const l = arrayOf('max', a, 'number', 'string');
        return l.length ? l.reduce((m, x) => (cmp(x, m) > 0 ? x : m)) : null;
      },
    },
  ],
  [
    'min',
    {
      arity: [1, 1],
      run: ([a]) => {
        const l = arrayOf('min', a, 'number', 'string');
        return l.length ? l.reduce((m, x) => (cmp(x, m) < 0 ? x : m)) : null;
      },
    },
  ],
  [
    'max_by',
    {
      arity: [2, 2],
      run: ([a, r], visit) => {
        want('max_by', a, 'array');
        const p = byKey('max_by', a as Json[], r, visit);
        return p.length ? p.reduce((m, x) => (cmp(x[0], m[0]) > 0 ? x : m))[1] : null;
      },
    },
  ],
  [
    'min_by',
    {
      arity: [2, 2],
      run: ([a, r], visit) => {
        want('min_by', a, 'array');
        const p = byKey('min_by', a as Json[], r, visit);
        return p.length ? p.reduce((m, x) => (cmp(x[0], m[0]) < 0 ? x : m))[1] : null;
      },
    },
  ],
  [
    'merge',
    {
      arity: [1, Infinity],
      run: (args) => {
        const out: { [k: string]: Json } = {};
        for (const o of args) {
          want('merge', o, 'object');
          for (const [k, v] of Object.entries(o as object)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        }
        return out;
      },
    },
  ],
  ['not_null', { arity: [1, Infinity], run: (args) => (args.find((a) => a !== null) ?? null) as Json }],
  [
    'reverse',
    {
      arity: [1, 1],
      run: ([v]) => {
        want('reverse', v, 'string', 'array');
        return typeof v === 'string' ? [...v].reverse().join('') : [...(v as Json[])].reverse();
      },
    },
  ],
  ['sort', { arity: [1, 1], run: ([a]) => [...arrayOf('sort', a, 'number', 'string')].sort(cmp) }],
  [
    'sort_by',
    {
      arity: [2, 2],
      run: ([a, r], visit) => {
        want('sort_by', a, 'array');
        return byKey('sort_by', a as Json[], r, visit)
          .sort((x, y) => cmp(x[0], y[0]))
          .map(([, v]) => v);
      },
    },
  ],
  ['sum', { arity: [1, 1], run: ([a]) => (arrayOf('sum', a, 'number') as number[]).reduce((s, x) => s + x, 0) }],
  ['to_array', { arity: [1, 1], run: ([v]) => (Array.isArray(v) ? v : [v as Json]) }],
  ['to_string', { arity: [1, 1], run: ([v]) => (typeof v === 'string' ? v : JSON.stringify(v)) }],
  [
    'to_number',
    {
      arity: [1, 1],
      run: ([v]) => {
        if (typeof v === 'number') return v;
        if (typeof v !== 'string' || !/^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return null;
        return Number(v);
      },
    },
  ],
  ['type', { arity: [1, 1], run: ([v]) => typeOf(v) }],
]);
