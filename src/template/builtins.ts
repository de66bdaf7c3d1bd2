// text/template's own functions: not len index slice print printf println eq ne lt le gt ge
// html js urlquery (and/or are evaluated lazily by the executor; call has no function values
// to call here).
import { arity, int } from './args.js';
import type { TemplateFunc } from './exec.js';
import { sprintf } from './printf.js';
import { formatValue, isMap, isTrue, mapGet, TemplateError, typeName, type GoValue } from './values.js';

function basic(v: GoValue): 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other' {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

// Go refuses to compare an int with a float64 ("incompatible types"); numbers from JSON are
// float64 and template literals int, so Rampart compares them by value instead (a template
// KrakenD renders renders the same here).
function num(v: GoValue): number {
  return Number(v);
}

function numEq(a: GoValue, b: GoValue): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
  return num(a) === num(b);
}

function eq1(a: GoValue, b: GoValue): boolean {
  const ka = basic(a);
  const kb = basic(b);
  if (ka === 'other' || kb === 'other') {
    if (ka === 'nil' || kb === 'nil') return false;
    throw new TemplateError(`non-comparable type ${formatValue(ka === 'other' ? a : b, false)}: ${typeName(ka === 'other' ? a : b)}`);
  }
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  const numeric = (k: string) => k === 'int' || k === 'float';
  if (numeric(ka) && numeric(kb)) return numEq(a, b);
  if (ka !== kb) throw new TemplateError('incompatible types for comparison');
  return a === b;
}

function lt1(a: GoValue, b: GoValue): boolean {
  const ka = basic(a);
  const kb = basic(b);
  const numeric = (k: string) => k === 'int' || k === 'float';
  if (numeric(ka) && numeric(kb)) return typeof a === 'bigint' && typeof b === 'bigint' ? a < b : num(a) < num(b);
  if (ka === 'string' && kb === 'string') return (a as string) < (b as string);
  if (ka === 'bool' || ka === 'nil' || ka === 'other' || kb === 'bool' || kb === 'nil' || kb === 'other')
    throw new TemplateError('invalid type for comparison');
  throw new TemplateError('incompatible types for comparison');
}

function sprint(args: GoValue[]): string {
  // fmt.Sprint: a space between operands when neither is a string.
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, false);
  });
  return out;
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c] ?? c);
}

function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\n\r\t\u0000-\u001f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === "'") return "\\'";
    if (c === '"') return '\\"';
    return '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  });
}

function evalArgsString(args: GoValue[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);
}

export const BUILTINS: Record<string, TemplateFunc> = {
  and: () => undefined,
  or: () => undefined,
  not: (a) => (arity('not', a, 1), !isTrue(a[0])),
  len: (a) => {
    arity('len', a, 1);
    const v = a[0];
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v, 'utf8'));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new TemplateError(`len of type ${typeName(v)}`);
  },
  index: (a) => {
    arity('index', a, 1, Infinity);
    let v = a[0];
    for (const k of a.slice(1)) {
      if (Array.isArray(v)) {
        if (typeof k !== 'bigint' && !(typeof k === 'number' && Number.isInteger(k)))
          throw new TemplateError(`cannot index slice/array with type ${typeName(k)}`);
        const i = Number(k);
        if (i < 0 || i >= v.length) throw new TemplateError(`index out of range: ${i}`);
        v = v[i];
      } else if (isMap(v)) {
        if (typeof k !== 'string') throw new TemplateError(`value has type ${typeName(k)}; should be string`);
        v = mapGet(v, k);
      } else if (typeof v === 'string') {
        const b = Buffer.from(v, 'utf8');
        const i = Number(k);
        if (i < 0 || i >= b.length) throw new TemplateError(`index out of range: ${i}`);
        v = BigInt(b[i]);
      } else if (v === undefined || v === null) throw new TemplateError('index of untyped nil');
      else throw new TemplateError(`can't index item of type ${typeName(v)}`);
    }
    return v;
  },
  print: (a) => sprint(a),
  println: (a) => a.map((x) => formatValue(x, false)).join(' ') + '\n',
  printf: (a) => {
    arity('printf', a, 1, Infinity);
    if (typeof a[0] !== 'string') throw new TemplateError(`wrong type for value; expected string; got ${typeName(a[0])}`);
    return sprintf(a[0], a.slice(1));
  },
  eq: (a) => {
    arity('eq', a, 2, Infinity);
    return a.slice(1).some((b) => eq1(a[0], b));
  },
  ne: (a) => (arity('ne', a, 2), !eq1(a[0], a[1])),
  lt: (a) => (arity('lt', a, 2), lt1(a[0], a[1])),
  le: (a) => (arity('le', a, 2), lt1(a[0], a[1]) || eq1(a[0], a[1])),
  gt: (a) => (arity('gt', a, 2), !lt1(a[0], a[1]) && !eq1(a[0], a[1])),
  ge: (a) => (arity('ge', a, 2), !lt1(a[0], a[1])),
  html: (a) => htmlEscape(evalArgsString(a)),
  js: (a) => jsEscape(evalArgsString(a)),
  urlquery: (a) =>
    encodeURIComponent(evalArgsString(a))
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
  call: () => {
    throw new TemplateError('call: templates here have no function values to call');
  },
  // Go's slice builtin; Sprig replaces it with its own (sprig.ts).
  slice: (a) => {
    arity('slice', a, 1, 4);
    const v = a[0];
    const idx = a.slice(1).map((x) => int(x));
    if (typeof v === 'string') return v.slice(idx[0] ?? 0, idx[1] ?? v.length);
    if (!Array.isArray(v)) throw new TemplateError(`can't slice item of type ${typeName(v)}`);
    return v.slice(idx[0] ?? 0, idx[1] ?? v.length);
  },
};
