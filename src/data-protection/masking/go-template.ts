// Go's regexp replacement templates (Regexp.Expand, used by ReplaceAllString), translated at
// startup instead of being passed to a JS replace (whose `$` rules differ): `$$` is `$`;
// `$name` takes the longest run of letters, digits and `_` (so `$1x` names group "1x", which
// does not exist, and expands to nothing); `${name}` delimits it; a name of digits is a group
// number; a malformed `$` is literal text; a missing or unmatched group expands to nothing.
import type { TemplatePart } from './types.js';

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

function extract(t: string, i: number): { name: string; end: number } | null {
  let j = i + 1;
  const brace = t[j] === '{';
  if (brace) j++;
  const start = j;
  while (j < t.length) {
    const cp = t.codePointAt(j) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    j += ch.length;
  }
  const name = t.slice(start, j);
  if (name === '') return null;
  if (brace) {
    if (t[j] !== '}') return null;
    j++;
  }
  return { name, end: j };
}

/** Group number of a numeric name (leading zeros allowed, as in Go), or -1. */
function groupNumber(name: string): number {
  if (!/^[0-9]+$/.test(name)) return -1;
  const n = Number(name);
  return n >= 1e8 ? -1 : n;
}

/** Parts: strings are literal text, numbers are group indexes (resolved against `names`). */
export function parseGoTemplate(template: string, groupCount: number, names: Readonly<Record<string, number>>): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let lit = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      lit += template.slice(i);
      break;
    }
    lit += template.slice(i, d);
    if (template[d + 1] === '$') {
      lit += '$';
      i = d + 2;
      continue;
    }
    const ref = extract(template, d);
    if (!ref) {
      lit += '$';
      i = d + 1;
      continue;
    }
    i = ref.end;
    const num = groupNumber(ref.name);
    const index = num >= 0 ? (num <= groupCount ? num : -1) : Object.hasOwn(names, ref.name) ? names[ref.name] : -1;
    if (index < 0) continue; // expands to nothing
    if (lit) parts.push(lit);
    lit = '';
    parts.push(index);
  }
  if (lit) parts.push(lit);
  return parts;
}
