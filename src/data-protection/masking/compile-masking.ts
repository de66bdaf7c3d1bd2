// `modifier/response-body` at startup: each modifier becomes a string -> string function;
// regexp patterns are compiled by re2js (RE2 syntax, as KrakenD's Go) and Go replacement
// templates translated (go-template.ts). Any failure stops startup with its pointer.
import { fail, pointerJoin } from '../compile-error.js';
import { compileLinear, compileLinearTester } from '../re2/linear-regexp.js';
import { parseGoTemplate } from './go-template.js';
import { goReplaceAll } from './replace-all.js';
import type { CompiledMasking, CompiledModifier, ResponseBodyConfig } from './types.js';

export const MAX_MODIFIERS = 64;
export const MAX_PATH_SEGMENTS = 32;
const OPS = ['literal', 'regexp', 'upper', 'lower', 'trim'] as const;
type Op = (typeof OPS)[number];
const FIELDS: Record<Op, readonly string[]> = {
  literal: ['field', 'find', 'replace'],
  regexp: ['field', 'find', 'replace'],
  upper: ['field'],
  lower: ['field'],
  trim: ['field', 'find'],
};

function str(v: unknown, at: string, what: string, nonEmpty: boolean): string {
  if (typeof v !== 'string' || (nonEmpty && v === '')) fail(at, `${what} must be a${nonEmpty ? ' non-empty' : ''} string`);
  return v;
}

/** Go strings.Trim: removes leading and trailing code points found in the cutset. */
function trimmer(cutset: string): (s: string) => string {
  const set = new Set(Array.from(cutset));
  return (s) => {
    const cps = Array.from(s);
    let a = 0;
    let b = cps.length;
    while (a < b && set.has(cps[a])) a++;
    while (b > a && set.has(cps[b - 1])) b--;
    return a === 0 && b === cps.length ? s : cps.slice(a, b).join('');
  };
}

function compileModifier(item: unknown, at: string): CompiledModifier {
  if (!item || typeof item !== 'object' || Array.isArray(item)) fail(at, 'each modifier must be an object with one operation');
  const keys = Object.keys(item).filter((k) => !/^[@$_#]/.test(k));
  if (keys.length !== 1 || !(OPS as readonly string[]).includes(keys[0])) fail(at, `each modifier needs exactly one of ${OPS.join(', ')}`);
  const op = keys[0] as Op;
  const opAt = pointerJoin(at, op);
  const f = (item as Record<string, unknown>)[op];
  if (!f || typeof f !== 'object' || Array.isArray(f)) fail(opAt, `${op} must be an object`);
  const fields = f as Record<string, unknown>;
  for (const k of Object.keys(fields)) if (!FIELDS[op].includes(k)) fail(pointerJoin(opAt, k), `unknown field ${JSON.stringify(k)} for ${op}`);
  let path: string[] | null = null;
  if (fields.field !== undefined) {
    path = str(fields.field, pointerJoin(opAt, 'field'), 'field', true).split('.');
    if (path.some((s) => s === '') || path.length > MAX_PATH_SEGMENTS)
      fail(pointerJoin(opAt, 'field'), `field must be a dot path of at most ${MAX_PATH_SEGMENTS} non-empty names`);
  }
  const replace = fields.replace === undefined ? '' : str(fields.replace, pointerJoin(opAt, 'replace'), 'replace', false);
  let apply: (s: string) => string;
  if (op === 'literal') {
    const find = str(fields.find, pointerJoin(opAt, 'find'), 'find', true);
    // Most values do not hold the text: no split arrays and no new string for them.
    apply = (s) => (s.includes(find) ? s.split(find).join(replace) : s);
  } else if (op === 'regexp') {
    const findAt = pointerJoin(opAt, 'find');
    const re = compileLinear(str(fields.find, findAt, 'find', true));
    if (typeof re === 'string') fail(findAt, re);
    const parts = parseGoTemplate(replace, re.groupCount(), re.namedGroups());
    // A yes/no on the DFA first (compileLinearTester): values the pattern does not match, most
    // of them when a field-less modifier walks the whole body, skip the matcher, which tracks
    // positions and groups. Same program, so the same answer.
    const tester = compileLinearTester(fields.find as string);
    if (typeof tester === 'string') fail(findAt, tester);
    apply = (s) => (tester.test(s) ? goReplaceAll(re, s, parts) : s);
  } else if (op === 'trim') {
    apply = trimmer(str(fields.find, pointerJoin(opAt, 'find'), 'find', true));
  } else apply = op === 'upper' ? (s) => s.toUpperCase() : (s) => s.toLowerCase();
  return { op, path, apply };
}

export function compileMasking(config: ResponseBodyConfig, pointer: string): CompiledMasking {
  const listAt = pointerJoin(pointer, 'modifiers');
  if (!config || typeof config !== 'object' || !Array.isArray(config.modifiers) || config.modifiers.length === 0) {
    fail(listAt, 'modifiers must be a non-empty list');
  }
  if (config.modifiers.length > MAX_MODIFIERS) fail(listAt, `more than ${MAX_MODIFIERS} modifiers`);
  return { modifiers: config.modifiers.map((m, i) => compileModifier(m, pointerJoin(listAt, i))) };
}
