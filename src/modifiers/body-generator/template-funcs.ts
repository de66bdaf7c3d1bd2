// Functions a body template may call: Go's text/template builtins and the common Sprig ones.
// None reaches the file system, the network, the clock or the environment; those that build
// strings are capped so one call cannot allocate past the output budget.

import { goJson, goValue } from './go-format.js';

export class TemplateRunError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'TemplateRunError';
  }
}

/** Longest string one function call may build (the whole output is capped separately). */
export const MAX_STRING = 1 << 20;

type Fn = (args: unknown[]) => unknown;

function fail(msg: string): never {
  throw new TemplateRunError(msg);
}

/** Go's truth: false, 0, nil, empty string/list/map and no value are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function str(v: unknown): string {
  const s = typeof v === 'string' ? v : goValue(v);
  if (s.length > MAX_STRING) fail('string too long');
  return s;
}

function num(v: unknown, fn: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) fail(`${fn}: not a number: ${goValue(v)}`);
  return n;
}

function capped(s: string): string {
  if (s.length > MAX_STRING) fail('string too long');
  return s;
}

/** Numbers compare as numbers (Go would refuse float64 vs int; JSON data has only float64). */
function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === undefined || b === undefined) return a === undefined && (b === undefined || b === null);
  if (typeof a === 'object' || typeof b === 'object') fail('incompatible types for comparison');
  return false;
}

function cmp(name: string, test: (c: number) => boolean): Fn {
  return ([a, b]) => {
    if (typeof a === 'number' && typeof b === 'number') return test(a - b);
    if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
    return fail(`${name}: incompatible types for comparison`);
  };
}

function index([coll, ...keys]: unknown[]): unknown {
  let v = coll;
  for (const k of keys) {
    if (Array.isArray(v)) {
      const i = num(k, 'index');
      if (!Number.isInteger(i) || i < 0 || i >= v.length) fail(`index out of range: ${i}`);
      v = v[i];
    } else if (v !== null && typeof v === 'object') {
      v = Object.prototype.hasOwnProperty.call(v, String(k)) ? (v as Record<string, unknown>)[String(k)] : undefined;
    } else if (typeof v === 'string') {
      const i = num(k, 'index');
      if (!Number.isInteger(i) || i < 0 || i >= v.length) fail(`index out of range: ${i}`);
      v = v.charCodeAt(i);
    } else fail(`can't index item of type ${v === undefined ? 'no value' : typeof v}`);
  }
  return v;
}

/** A small printf: %v %s %d %f %.Nf %t %q %%. */
function printf([format, ...args]: unknown[]): string {
  let i = 0;
  const out = str(format).replace(/%(\.\d+)?([vsdftq%])/g, (_m, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    switch (verb) {
      case 'd':
        return String(Math.trunc(num(a, 'printf')));
      case 'f':
        return num(a, 'printf').toFixed(prec ? Number(prec.slice(1)) : 6);
      case 'q':
        return JSON.stringify(str(a));
      default:
        return str(a);
    }
  });
  return capped(out);
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  return fail(`expected a list, got ${goValue(v)}`);
}

export const FUNCS: ReadonlyMap<string, Fn> = new Map<string, Fn>([
  // text/template builtins
  [
    'and',
    (a) => {
      for (const v of a) if (!truthy(v)) return v;
      return a[a.length - 1];
    },
  ],
  [
    'or',
    (a) => {
      for (const v of a) if (truthy(v)) return v;
      return a[a.length - 1];
    },
  ],
  ['not', ([v]) => !truthy(v)],
  [
    'len',
    ([v]) =>
      typeof v === 'string' || Array.isArray(v) ? v.length : v !== null && typeof v === 'object' ? Object.keys(v).length : fail(`len of ${goValue(v)}`),
  ],
  ['index', index],
  ['print', (a) => capped(a.map(str).join(''))],
  ['println', (a) => capped(a.map(str).join(' ') + '\n')],
  ['printf', printf],
  ['urlquery', (a) => encodeURIComponent(a.map(str).join('')).replace(/%20/g, '+')],
  [
    'html',
    (a) =>
      a
        .map(str)
        .join('')
        .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] ?? c),
  ],
  ['eq', ([a, ...bs]) => bs.some((b) => eq(a, b))],
  ['ne', ([a, b]) => !eq(a, b)],
  ['lt', cmp('lt', (c) => c < 0)],
  ['le', cmp('le', (c) => c <= 0)],
  ['gt', cmp('gt', (c) => c > 0)],
  ['ge', cmp('ge', (c) => c >= 0)],
  // Sprig
  ['toJson', ([v]) => capped(goJson(v))],
  ['toPrettyJson', ([v]) => capped(goJson(v, '  '))],
  ['toString', ([v]) => str(v)],
  ['default', ([d, v]) => (truthy(v) ? v : d)],
  ['empty', ([v]) => !truthy(v)],
  ['coalesce', (a) => a.find(truthy) ?? null],
  ['ternary', ([t, f, c]) => (truthy(c) ? t : f)],
  [
    'quote',
    (a) =>
      a
        .filter((v) => v !== undefined && v !== null)
        .map((v) => JSON.stringify(str(v)))
        .join(' '),
  ],
  [
    'squote',
    (a) =>
      a
        .filter((v) => v !== undefined && v !== null)
        .map((v) => `'${str(v)}'`)
        .join(' '),
  ],
  ['upper', ([v]) => str(v).toUpperCase()],
  ['lower', ([v]) => str(v).toLowerCase()],
  ['trim', ([v]) => str(v).trim()],
  [
    'trimPrefix',
    ([p, v]) => {
      const s = str(v);
      const q = str(p);
      return s.startsWith(q) ? s.slice(q.length) : s;
    },
  ],
  [
    'trimSuffix',
    ([p, v]) => {
      const s = str(v);
      const q = str(p);
      return q !== '' && s.endsWith(q) ? s.slice(0, -q.length) : s;
    },
  ],
  ['replace', ([o, n, v]) => capped(str(v).split(str(o)).join(str(n)))],
  ['contains', ([sub, v]) => str(v).includes(str(sub))],
  ['hasPrefix', ([p, v]) => str(v).startsWith(str(p))],
  ['hasSuffix', ([p, v]) => str(v).endsWith(str(p))],
  ['join', ([sep, v]) => capped(list(v).map(str).join(str(sep)))],
  ['splitList', ([sep, v]) => str(v).split(str(sep))],
  ['b64enc', ([v]) => capped(Buffer.from(str(v)).toString('base64'))],
  ['b64dec', ([v]) => Buffer.from(str(v), 'base64').toString('utf8')],
  ['add', (a) => a.reduce<number>((s, v) => s + num(v, 'add'), 0)],
  ['sub', ([a, b]) => num(a, 'sub') - num(b, 'sub')],
  ['mul', (a) => a.reduce<number>((s, v) => s * num(v, 'mul'), 1)],
  [
    'div',
    ([a, b]) => {
      const d = num(b, 'div');
      if (d === 0) fail('div: division by zero');
      return Math.trunc(num(a, 'div') / d);
    },
  ],
  [
    'mod',
    ([a, b]) => {
      const d = num(b, 'mod');
      if (d === 0) fail('mod: division by zero');
      return Math.trunc(num(a, 'mod')) % Math.trunc(d);
    },
  ],
  ['max', (a) => Math.max(...a.map((v) => num(v, 'max')))],
  ['min', (a) => Math.min(...a.map((v) => num(v, 'min')))],
  ['int', ([v]) => Math.trunc(num(v, 'int'))],
  ['float64', ([v]) => num(v, 'float64')],
  ['list', (a) => [...a]],
  [
    'dict',
    (a) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < a.length; i += 2)
        Object.defineProperty(o, str(a[i]), { value: a[i + 1] ?? '', enumerable: true, writable: true, configurable: true });
      return o;
    },
  ],
  ['hasKey', ([m, k]) => m !== null && typeof m === 'object' && Object.prototype.hasOwnProperty.call(m, str(k))],
  ['keys', (a) => a.flatMap((m) => (m !== null && typeof m === 'object' ? Object.keys(m) : [])).sort()],
  ['first', ([v]) => list(v)[0] ?? null],
  [
    'last',
    ([v]) => {
      const l = list(v);
      return l[l.length - 1] ?? null;
    },
  ],
]);
