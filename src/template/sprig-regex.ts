// Sprig's regex functions on re2js (RE2 syntax, as Go's regexp; linear time). re2js is loaded
// on the first regex call: it is one of the heavy packages a start must not load
// (test/unit/startup-imports.test.ts), and most templates never call these.
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { arity, int, str } from './args.js';
import type { TemplateFunc } from './exec.js';
import { TemplateError } from './values.js';

let re2: typeof RE2JS | null = null;
const cache = new Map<string, RE2JS>();
const MAX_CACHED = 256;

function compile(pattern: string): RE2JS {
  let p = cache.get(pattern);
  if (p) return p;
  re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  try {
    p = re2.compile(pattern);
  } catch (err) {
    throw new TemplateError(`error parsing regexp: ${(err as Error).message}`);
  }
  if (cache.size < MAX_CACHED) cache.set(pattern, p);
  return p;
}

interface Match {
  start: number;
  end: number;
  groups: (string | null)[];
}

function matches(p: RE2JS, s: string, n: number): Match[] {
  const out: Match[] = [];
  const m = p.matcher(s);
  let from = 0;
  let lastEnd = -1;
  while ((n < 0 || out.length < n) && from <= s.length && m.find(from)) {
    const start = m.start();
    const end = m.end();
    // Go skips an empty match right after the previous match.
    if (!(start === end && start === lastEnd)) {
      const groups: (string | null)[] = [];
      for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
      out.push({ start, end, groups });
    }
    lastEnd = end;
    from = end > start ? end : end + 1;
  }
  return out;
}

/** regexp.Expand: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, p: RE2JS, mt: Match): string {
  const named = p.namedGroups() as Record<string, number>;
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (all, _x: string, braced?: string, bare?: string) => {
    if (all === '$$') return '$';
    const name = braced ?? bare ?? '';
    const idx = /^\d+$/.test(name) ? Number(name) : Object.prototype.hasOwnProperty.call(named, name) ? named[name] : -1;
    return idx >= 0 && idx < mt.groups.length ? (mt.groups[idx] ?? '') : '';
  });
}

function replace(p: RE2JS, s: string, f: (m: Match) => string): string {
  let out = '';
  let at = 0;
  for (const mt of matches(p, s, -1)) {
    out += s.slice(at, mt.start) + f(mt);
    at = mt.end;
  }
  return out + s.slice(at);
}

export const SPRIG_REGEX: Record<string, TemplateFunc> = {
  regexMatch: (a) => (arity('regexMatch', a, 2), compile(str(a[0])).matcher(str(a[1])).find()),
  regexFind: (a) => {
    arity('regexFind', a, 2);
    const m = matches(compile(str(a[0])), str(a[1]), 1);
    return m.length ? (m[0].groups[0] ?? '') : '';
  },
  regexFindAll: (a) => (arity('regexFindAll', a, 3), matches(compile(str(a[0])), str(a[1]), int(a[2])).map((m) => m.groups[0] ?? '')),
  regexReplaceAll: (a) => {
    arity('regexReplaceAll', a, 3);
    const p = compile(str(a[0]));
    const repl = str(a[2]);
    return replace(p, str(a[1]), (m) => expand(repl, p, m));
  },
  regexReplaceAllLiteral: (a) => {
    arity('regexReplaceAllLiteral', a, 3);
    const repl = str(a[2]);
    return replace(compile(str(a[0])), str(a[1]), () => repl);
  },
  regexSplit: (a) => {
    arity('regexSplit', a, 3);
    const s = str(a[1]);
    const n = int(a[2]);
    if (n === 0) return [];
    const ms = matches(compile(str(a[0])), s, -1);
    const out: string[] = [];
    let at = 0;
    for (const m of ms) {
      if (n > 0 && out.length === n - 1) break;
      if (m.end === 0) continue;
      out.push(s.slice(at, m.start));
      at = m.end;
    }
    out.push(s.slice(at));
    return out;
  },
  regexQuoteMeta: (a) => (arity('regexQuoteMeta', a, 1), str(a[0]).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')),
};
for (const name of ['regexMatch', 'regexFind', 'regexFindAll', 'regexReplaceAll', 'regexReplaceAllLiteral', 'regexSplit']) {
  SPRIG_REGEX['must' + name[0].toUpperCase() + name.slice(1)] = SPRIG_REGEX[name];
}
