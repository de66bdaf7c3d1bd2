// Sprig's string functions (Masterminds/sprig v3, as KrakenD ships it), with Sprig's
// argument order: the string operated on comes last, so it can be piped.
import { arity, int, str } from './args.js';
import type { TemplateFunc } from './exec.js';
import { goQuote } from './printf.js';
import { newMap, mapSet, strval, TemplateError, type GoValue } from './values.js';

const MAX_STRING = 32 * 1024 * 1024;

function bounded(s: string): string {
  if (s.length > MAX_STRING) throw new TemplateError(`result longer than ${MAX_STRING} characters`);
  return s;
}

function title(s: string): string {
  // strings.Title: the first letter of each word (after a non-letter) upper-cased.
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase());
}

function words(s: string): string[] {
  return s
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function cutset(set: string): (c: string) => boolean {
  const chars = new Set([...set]);
  return (c) => chars.has(c);
}

function trimSet(s: string, set: string, left: boolean, right: boolean): string {
  const cs = [...s];
  const has = cutset(set);
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && has(cs[a])) a++;
  if (right) while (b > a && has(cs[b - 1])) b--;
  return cs.slice(a, b).join('');
}

function splitMap(parts: string[]): GoValue {
  const m = newMap();
  parts.forEach((p, i) => mapSet(m, `_${i}`, p));
  return m;
}

/** strings.SplitN: n < 0 all, n == 0 none, else at most n parts. */
function splitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  const all = sep === '' ? [...s] : s.split(sep);
  if (n < 0 || all.length <= n) return all;
  return [...all.slice(0, n - 1), all.slice(n - 1).join(sep)];
}

export const SPRIG_STRINGS: Record<string, TemplateFunc> = {
  upper: (a) => (arity('upper', a, 1), str(a[0]).toUpperCase()),
  lower: (a) => (arity('lower', a, 1), str(a[0]).toLowerCase()),
  title: (a) => (arity('title', a, 1), title(str(a[0]))),
  untitle: (a) => (arity('untitle', a, 1), str(a[0]).replace(/(^|\s)(\p{L})/gu, (_m, p: string, c: string) => p + c.toLowerCase())),
  trim: (a) => (arity('trim', a, 1), str(a[0]).replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, '')),
  trimAll: (a) => (arity('trimAll', a, 2), trimSet(str(a[1]), str(a[0]), true, true)),
  trimPrefix: (a) => {
    arity('trimPrefix', a, 2);
    const [p, s] = [str(a[0]), str(a[1])];
    return p !== '' && s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimSuffix: (a) => {
    arity('trimSuffix', a, 2);
    const [p, s] = [str(a[0]), str(a[1])];
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  replace: (a) => {
    arity('replace', a, 3);
    const [o, n, s] = [str(a[0]), str(a[1]), str(a[2])];
    if (o === '') return bounded([...s].map((c) => n + c).join('') + n);
    return bounded(s.split(o).join(n));
  },
  contains: (a) => (arity('contains', a, 2), str(a[1]).includes(str(a[0]))),
  hasPrefix: (a) => (arity('hasPrefix', a, 2), str(a[1]).startsWith(str(a[0]))),
  hasSuffix: (a) => (arity('hasSuffix', a, 2), str(a[1]).endsWith(str(a[0]))),
  split: (a) => (arity('split', a, 2), splitMap(splitN(str(a[1]), str(a[0]), -1))),
  splitn: (a) => (arity('splitn', a, 3), splitMap(splitN(str(a[2]), str(a[0]), int(a[1])))),
  splitList: (a) => (arity('splitList', a, 2), splitN(str(a[1]), str(a[0]), -1)),
  join: (a) => {
    arity('join', a, 2);
    const sep = str(a[0]);
    const v = a[1];
    const items = Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined).map(strval) : [strval(v)];
    return bounded(items.join(sep));
  },
  quote: (a) =>
    a
      .filter((x) => x !== null && x !== undefined)
      .map((x) => goQuote(strval(x)))
      .join(' '),
  squote: (a) =>
    a
      .filter((x) => x !== null && x !== undefined)
      .map((x) => `'${strval(x)}'`)
      .join(' '),
  cat: (a) =>
    a
      .filter((x) => x !== null && x !== undefined)
      .map(strval)
      .join(' '),
  repeat: (a) => {
    arity('repeat', a, 2);
    const [n, s] = [int(a[0]), str(a[1])];
    if (n < 0) throw new TemplateError('strings: negative Repeat count');
    if (n * s.length > MAX_STRING) throw new TemplateError(`result longer than ${MAX_STRING} characters`);
    return s.repeat(n);
  },
  substr: (a) => {
    arity('substr', a, 3);
    const [start, end, s] = [int(a[0]), int(a[1]), str(a[2])];
    if (start < 0) return s.slice(0, end);
    if (end < 0 || end > s.length) return s.slice(start);
    return s.slice(start, end);
  },
  trunc: (a) => {
    arity('trunc', a, 2);
    const [c, s] = [int(a[0]), str(a[1])];
    if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
    if (c >= 0 && s.length > c) return s.slice(0, c);
    return s;
  },
  abbrev: (a) => {
    arity('abbrev', a, 2);
    const [w, s] = [int(a[0]), str(a[1])];
    if (w < 4 || s.length <= w) return s;
    return s.slice(0, w - 3) + '...';
  },
  nospace: (a) => (arity('nospace', a, 1), str(a[0]).replace(/\s+/g, '')),
  indent: (a) => {
    arity('indent', a, 2);
    const pad = ' '.repeat(Math.max(0, int(a[0])));
    return bounded(
      pad +
        str(a[1])
          .split('\n')
          .join('\n' + pad),
    );
  },
  nindent: (a) => {
    arity('nindent', a, 2);
    const pad = ' '.repeat(Math.max(0, int(a[0])));
    return bounded(
      '\n' +
        pad +
        str(a[1])
          .split('\n')
          .join('\n' + pad),
    );
  },
  initials: (a) => (
    arity('initials', a, 1),
    words(str(a[0]))
      .map((w) => w[0])
      .join('')
  ),
  camelcase: (a) => (
    arity('camelcase', a, 1),
    words(str(a[0]))
      .map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase())
      .join('')
  ),
  snakecase: (a) => (
    arity('snakecase', a, 1),
    words(str(a[0]))
      .map((w) => w.toLowerCase())
      .join('_')
  ),
  kebabcase: (a) => (
    arity('kebabcase', a, 1),
    words(str(a[0]))
      .map((w) => w.toLowerCase())
      .join('-')
  ),
  plural: (a) => (arity('plural', a, 3), int(a[2]) === 1 ? str(a[0]) : str(a[1])),
  toString: (a: GoValue[]) => (arity('toString', a, 1), strval(a[0])),
  toStrings: (a: GoValue[]) => {
    arity('toStrings', a, 1);
    const v = a[0];
    return Array.isArray(v) ? v.map(strval) : [strval(v)];
  },
};
