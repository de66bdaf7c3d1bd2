// Mutated configs for the config fuzzer: a valid seed, changed by a few structural mutations
// (delete, replace with another type, deep nesting, new or duplicated keys, odd strings and
// numbers), then, sometimes, by text mutations (truncation, garbage, a duplicated key).
import fc from 'fast-check';
import { seedConfigs } from './seed-configs.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const SEEDS = seedConfigs();

/** Strings that config code treats specially somewhere. */
const ODD_STRINGS = [
  '',
  ' ',
  '*',
  '/',
  '//',
  '/..',
  '../',
  '{id}',
  '{',
  '}',
  '{resp0_a}',
  '{JWT.sub}',
  '?',
  '#',
  '%',
  '%2F',
  '\\',
  '0',
  '-1',
  '1ns',
  '1h',
  '-1s',
  '99999999999h',
  '1.5s',
  '3 seconds',
  'http://',
  'http://127.0.0.1:9',
  'https://[::1]:0',
  'ftp://x',
  'ws://x',
  'x:1',
  '::::',
  'x:99999',
  '[::1]:8080',
  'http://u:p@a',
  '8080',
  '0x10',
  'true',
  'False',
  'rss',
  'yaml',
  'fast-json',
  'JSON',
  'no-op',
  'json',
  'xml',
  'safejson',
  'string',
  'GET',
  'get',
  'CONNECT',
  'RS256',
  'none',
  '__proto__',
  'constructor',
  'a'.repeat(5000),
  '\u0000',
  '\ud800',
  '\u2028',
  'é',
  '😀',
];
const KEYS = [
  'version',
  'endpoints',
  'endpoint',
  'backend',
  'host',
  'url_pattern',
  'method',
  'extra_config',
  'timeout',
  'port',
  'input_headers',
  'input_query_strings',
  'output_encoding',
  'encoding',
  'is_collection',
  'mapping',
  'allow',
  'deny',
  'group',
  'target',
  'flatmap_filter',
  'sequential',
  'static',
  'tls',
  'cache_ttl',
  'concurrent_calls',
  'router',
  'proxy',
  'auth/validator',
  'auth/api-keys',
  'auth/basic',
  'security/cors',
  'qos/ratelimit/router',
  'qos/circuit-breaker',
  'backend/http',
  'disable_host_sanitize',
  'plugin',
  'plugin/http-server',
  'plugin/req-resp-modifier',
  'qos/ratelimit/tiered',
  'redis',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '',
  '$ref',
  '@comment',
  'a/b',
  'a~b',
];

const value = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const oddString = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...ODD_STRINGS), fc.string({ unit: 'binary', maxLength: 20 }));
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1, 65535, 65536, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 5e-324, 0.5),
);
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 }));
const at = fc.nat();

export type TreeMutation =
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'nest'; at: number; depth: number; array: boolean }
  | { kind: 'addKey'; at: number; key: string; value: Json }
  | { kind: 'duplicate'; at: number; to: number };
export type TextMutation =
  { kind: 'truncate'; frac: number } | { kind: 'insert'; frac: number; text: string } | { kind: 'dupKey'; frac: number; value: string };

const treeMutation: fc.Arbitrary<TreeMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at }),
  fc.record({ kind: fc.constant('replace' as const), at, value: fc.oneof(value, oddString, oddNumber) as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant('nest' as const), at, depth: fc.oneof(fc.integer({ min: 1, max: 130 }), fc.constantFrom(2000, 20_000)), array: fc.boolean() }),
  fc.record({ kind: fc.constant('addKey' as const), at, key, value: fc.oneof(value, oddString) as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant('duplicate' as const), at, to: at }),
);
const frac = fc.double({ min: 0, max: 1, noNaN: true });
const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), frac }),
  fc.record({
    kind: fc.constant('insert' as const),
    frac,
    text: fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(',', '}', ']', '{', '[', '"', ':', '\\', '\n', '\ufeff', '\u0000', '/*x*/', 'NaN', '01', '1e', '-'),
    ),
  }),
  fc.record({ kind: fc.constant('dupKey' as const), frac, value: fc.constantFrom('1', '"x"', 'null', '[]', '{}', '{"a":{"b":[1]}}') }),
);

export interface ConfigInput {
  seed: number;
  tree: TreeMutation[];
  text: TextMutation[];
  indent: number;
}

export const configInput: fc.Arbitrary<ConfigInput> = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  tree: fc.array(treeMutation, { minLength: 0, maxLength: 4 }),
  // Most inputs stay JSON so that the validators, not only the parser, are exercised.
  text: fc.oneof({ weight: 4, arbitrary: fc.constant([] as TextMutation[]) }, { weight: 1, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 2 }) }),
  indent: fc.constantFrom(0, 2),
});

interface Slot {
  parent: Json[] | { [k: string]: Json } | undefined;
  key: string | number;
  value: Json;
}

/** Every value of the document with where it sits (the root has no parent). Iterative. */
function slots(doc: Json): Slot[] {
  const out: Slot[] = [{ parent: undefined, key: '', value: doc }];
  for (let i = 0; i < out.length; i++) {
    const v = out[i].value;
    if (Array.isArray(v)) v.forEach((x, k) => out.push({ parent: v, key: k, value: x }));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push({ parent: v, key: k, value: v[k] });
  }
  return out;
}

/** Sets an own property, even `__proto__` (plain assignment would change the prototype). */
function setOwn(obj: Json[] | { [k: string]: Json }, key: string | number, v: Json): void {
  Object.defineProperty(obj, key, { value: v, writable: true, enumerable: true, configurable: true });
}

function nested(depth: number, array: boolean, inner: Json): Json {
  let v = inner;
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
}

function applyTree(doc: Json, m: TreeMutation): Json {
  const all = slots(doc);
  const s = all[m.at % all.length];
  const put = (v: Json): Json => {
    if (!s.parent) return v;
    setOwn(s.parent, s.key, v);
    return doc;
  };
  switch (m.kind) {
    case 'delete':
      if (!s.parent) return doc;
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete s.parent[s.key as string];
      return doc;
    case 'replace':
      return put(m.value);
    case 'nest':
      return put(nested(m.depth, m.array, s.value));
    case 'addKey': {
      const target = s.value !== null && typeof s.value === 'object' ? s.value : s.parent;
      if (!target) return doc;
      if (Array.isArray(target)) target.push(m.value);
      else setOwn(target, m.key, m.value);
      return doc;
    }
    case 'duplicate': {
      // Copy one value over another place (same structure in two places, or a type swap).
      const from = all[m.to % all.length].value;
      return put(JSON.parse(stringifyIterative(from, 0)) as Json); // structuredClone recurses
    }
  }
}

function applyText(text: string, m: TextMutation): string {
  const i = Math.floor(m.frac * text.length);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, i);
    case 'insert':
      return text.slice(0, i) + m.text + text.slice(i);
    case 'dupKey': {
      // Repeat a key of the object the offset falls in: `"k": V, "k": ...` (JSON.parse keeps the last).
      const open = text.lastIndexOf('{', i);
      if (open < 0) return text;
      const m2 = /^\{\s*("(?:[^"\\]|\\.)*")\s*:/.exec(text.slice(open));
      if (!m2) return text;
      return text.slice(0, open + 1) + `${m2[1]}: ${m.value}, ` + text.slice(open + 1);
    }
  }
}

/** The config text of one fuzz input. */
export function configText(input: ConfigInput): string {
  let doc = JSON.parse(SEEDS[input.seed].text) as Json;
  for (const m of input.tree) doc = applyTree(doc, m);
  // JSON.stringify recurses: the deepest nestings are written iteratively by hand.
  let text = stringifyIterative(doc, input.indent);
  for (const m of input.text) text = applyText(text, m);
  return text;
}

/** JSON.stringify without recursion (the fuzzer nests values 20 000 deep). */
function stringifyIterative(doc: Json, indent: number): string {
  const parts: string[] = [];
  // Indented only near the top: 20 000 levels of indentation would be a 400 MB text.
  const nl = (d: number) => (indent && d < 40 ? '\n' + ' '.repeat(indent * d) : '');
  const stack: (Json | { close: string; depth: number } | { sep: string })[] = [doc];
  const depthOf: number[] = [0];
  while (stack.length) {
    const item = stack.pop()!;
    const d = depthOf.pop()!;
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && ('close' in item || 'sep' in item) && Object.getPrototypeOf(item) === null) {
      parts.push('close' in item ? (item.close as string) : (item.sep as string));
      continue;
    }
    const v = item as Json;
    if (v === null || typeof v !== 'object') {
      parts.push(JSON.stringify(v) ?? 'null');
      continue;
    }
    const marker = (o: object) => Object.assign(Object.create(null), o);
    const entries: [string | undefined, Json][] = Array.isArray(v) ? v.map((x) => [undefined, x]) : Object.keys(v).map((k) => [k, v[k]]);
    parts.push(Array.isArray(v) ? '[' : '{');
    stack.push(marker({ close: (entries.length ? nl(d) : '') + (Array.isArray(v) ? ']' : '}') }));
    depthOf.push(d);
    for (let k = entries.length - 1; k >= 0; k--) {
      stack.push(entries[k][1]);
      depthOf.push(d + 1);
      const [name] = entries[k];
      stack.push(marker({ sep: (k > 0 ? ',' : '') + nl(d + 1) + (name !== undefined ? JSON.stringify(name) + (indent ? ': ' : ':') : '') }));
      depthOf.push(d + 1);
    }
  }
  return parts.join('');
}

export function seedCount(): number {
  return SEEDS.length;
}
export function seedText(i: number): string {
  return SEEDS[i].text;
}
