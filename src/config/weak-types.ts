// KrakenD decodes the core of its config (service, endpoint, backend, tls, client_tls fields)
// with mapstructure's WeaklyTypedInput (krakend-koanf's UnmarshalWithConf), so `"port": "8080"`,
// `"concurrent_calls": "1"` or `"host": "http://a"` start there. This pass reads them the same
// way, in place and before validation, each with a warning naming the pointer, so the fix is one
// edit away. It walks Rampart's core schema, and so never enters extra_config: KrakenD's
// components decode their namespaces strictly (JSON), and so does Rampart.
//
// Mirrored from mapstructure (strconv semantics):
//   string -> integer  strconv.ParseInt(s, 0, 64): decimal, 0x/0o/0b, a leading 0 is octal, "_"
//                      between digits; the warning shows the value read
//   string -> number   decimal (strconv.ParseFloat), exponent allowed
//   string -> boolean  strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False
//   number -> string   Go's FormatInt / FormatFloat(f, 'f', -1)
//   boolean -> integer true 1, false 0 (`"concurrent_calls": true` starts KrakenD with 1)
//   one value -> list  a single value where a list of plain values is wanted becomes a list of one
// Deliberately NOT mirrored (they stay schema errors): "" read as 0 or false (an empty string is
// usually a template that rendered nothing; reading it as "off" or port 0 would change meaning
// silently), numbers read as booleans (1 -> true), "inf"/"nan", and anything inside extra_config.
// Backend `encoding` values are also read case-insensitively ("JSON"), as KrakenD does, and an
// unknown one as "json" (lura's fallback).
import { ENCODINGS } from './schema.js';
import { pointerJoin } from '../core/config-error.js';

type SchemaNode = { type?: unknown; const?: unknown; pattern?: unknown; items?: SchemaNode; properties?: Record<string, SchemaNode> };

const INT = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?\d)*)$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const LOWER_CASE_ENUMS: Record<string, readonly string[]> = { encoding: ENCODINGS };

/** strconv.ParseInt(s, 0, 64) for the texts INT admits; undefined outside the safe range. */
export function goParseInt(s: string): number | undefined {
  if (!INT.test(s)) return undefined;
  const neg = s.startsWith('-');
  let t = s.replace(/^[+-]/, '').replace(/_/g, '');
  let base = 10;
  if (/^0[xX]/.test(t)) [base, t] = [16, t.slice(2)];
  else if (/^0[bB]/.test(t)) [base, t] = [2, t.slice(2)];
  else if (/^0[oO]/.test(t)) [base, t] = [8, t.slice(2)];
  else if (t.length > 1 && t.startsWith('0')) [base, t] = [8, t.slice(1)];
  const n = parseInt(t, base);
  if (!Number.isSafeInteger(n)) return undefined;
  return neg ? -n : n;
}

function weak(v: unknown, type: unknown, isConst: boolean, patterned: boolean): { value: unknown } | undefined {
  if (typeof v === 'string') {
    if (type === 'integer' || (isConst && typeof type === 'number')) {
      const n = goParseInt(v);
      return n === undefined ? undefined : { value: n };
    }
    if (type === 'number') return FLOAT.test(v) && Number.isFinite(Number(v)) ? { value: Number(v) } : undefined;
    if (type === 'boolean') return TRUE.has(v) ? { value: true } : FALSE.has(v) ? { value: false } : undefined;
    return undefined;
  }
  if (typeof v === 'boolean' && type === 'integer') return { value: v ? 1 : 0 };
  // Not into a patterned string (a duration): KrakenD reads a bare number there as nanoseconds,
  // which the duration check reports with its `rampart migrate` hint, instead of "1500" failing later.
  if (typeof v === 'number' && type === 'string' && !patterned && Number.isFinite(v)) return { value: Number.isInteger(v) ? v.toFixed(0) : String(v) };
  return undefined;
}

function say(pointer: string, from: unknown, to: unknown): string {
  return `${pointer}: ${JSON.stringify(from)} read as ${JSON.stringify(to)}, as KrakenD's weakly typed config decoder does; write ${JSON.stringify(to)} (KrakenD's own schema refuses it)`;
}

function walk(v: unknown, s: SchemaNode | undefined, pointer: string, warnings: string[], depth: number): unknown {
  if (!s || depth > 64) return v;
  if (s.type === 'array' && s.items) {
    let list = v;
    // Only lists of plain values (host, input_headers...): a string is no backend object.
    const scalarItems = ['string', 'number', 'integer', 'boolean'].includes(String(s.items.type));
    if (scalarItems && !Array.isArray(v) && v !== undefined && v !== null && typeof v !== 'object') {
      list = [v];
      warnings.push(`${pointer}: a single value read as a list of one, as KrakenD's weakly typed config decoder does; write [${JSON.stringify(v)}]`);
    }
    if (Array.isArray(list)) for (let i = 0; i < list.length; i++) list[i] = walk(list[i], s.items, pointerJoin(pointer, i), warnings, depth + 1);
    return list;
  }
  if (s.properties && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const [k, sub] of Object.entries(s.properties)) {
      if (!Object.hasOwn(o, k)) continue;
      const at = pointerJoin(pointer, k);
      const lower = LOWER_CASE_ENUMS[k];
      const x = o[k];
      if (lower && typeof x === 'string' && x !== x.toLowerCase() && lower.includes(x.toLowerCase())) {
        o[k] = x.toLowerCase();
        warnings.push(`${at}: ${JSON.stringify(x)} read as ${JSON.stringify(o[k])} (KrakenD reads encodings case-insensitively)`);
        continue;
      }
      // lura's decoder registry falls back to JSON for a name it does not know ("form",
      // "protobuf"): the backend starts there and its answers are decoded as JSON. So here.
      if (k === 'encoding' && lower && typeof x === 'string' && !lower.includes(x.toLowerCase())) {
        o[k] = 'json';
        warnings.push(
          `${at}: ${JSON.stringify(x)} is no KrakenD encoding; read as "json", as KrakenD falls back to it; write "json" (or one of ${lower.join(', ')})`,
        );
        continue;
      }
      o[k] = walk(x, sub, at, warnings, depth + 1);
    }
    return v;
  }
  const isConst = s.const !== undefined;
  const w = weak(v, isConst ? s.const : s.type, isConst, s.pattern !== undefined);
  if (!w || (isConst && w.value !== s.const)) return v;
  warnings.push(say(pointer, v, w.value));
  return w.value;
}

/** Reads weakly typed core values of `doc` in place (see above); returns the document. */
export function readWeakTypes(doc: unknown, schema: object, warnings: string[]): unknown {
  return walk(doc, schema as SchemaNode, '', warnings, 0);
}
