// Comparison of a response against a spec's `out`, exactly as the Go harness does it
// (README §2): status; listed headers as value lists (`[""]` = must be absent); body byte-exact
// when the expectation is a string, JSON deep-equal otherwise; `schema` (when non-empty) replaces
// the body check. Plus Rampart's vendor rule: forbidden response-header prefixes.

import { gunzipSync } from 'node:zlib';
import AjvModule from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import { headerValues } from './client.js';
import type { Spec } from './adaptations.js';

const Ajv = AjvModule.default;
const Ajv2019 = Ajv2019Module.default;
const Ajv2020 = Ajv2020Module.default;
const AjvDraft04 = AjvDraft04Module.default;

export interface ObservedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface Comparison {
  /** Everything that differs; empty = pass. */
  mismatches: string[];
  /**
   * True when the only mismatch is a string body that differs byte-wise but is JSON-equivalent
   * (README §7 "semantic mode"). Informational only; the strict result decides.
   */
  semanticPass: boolean;
}

const MAX_SHOW = 1500;

function show(s: string): string {
  const q = JSON.stringify(s);
  return q.length > MAX_SHOW ? `${q.slice(0, MAX_SHOW)}… (${s.length} chars)` : q;
}

function fmtList(v: string[] | undefined): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** Go's reflect.DeepEqual on values decoded by encoding/json into interface{}. */
export function jsonDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonDeepEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  if (typeof a === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const ak = Object.keys(ao);
    if (ak.length !== Object.keys(bo).length) return false;
    return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonDeepEqual(ao[k], bo[k]));
  }
  return false;
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

interface Validator {
  (data: unknown): boolean;
  errors?: Array<{ instancePath?: string; message?: string }> | null;
}

type Dialect = 'draft-04' | 'draft-07' | '2019-09' | '2020-12';

function dialectOf(schema: Record<string, unknown>): Dialect | { error: string } {
  const id = schema.$schema;
  if (id === undefined) return '2020-12'; // santhosh-tekuri/jsonschema v6 default
  if (typeof id !== 'string') return { error: '$schema is not a string' };
  if (id.includes('draft-04')) return 'draft-04';
  if (id.includes('draft-07')) return 'draft-07';
  if (id.includes('2019-09')) return '2019-09';
  if (id.includes('2020-12')) return '2020-12';
  return { error: `unsupported $schema ${JSON.stringify(id)}` };
}

/** Formats are not asserted (annotation only), unknown keywords are ignored, like the Go harness. */
const AJV_OPTIONS = { strict: false, validateFormats: false, allErrors: true } as const;

function compileSchema(schema: Record<string, unknown>): Validator | { error: string } {
  const dialect = dialectOf(schema);
  if (typeof dialect !== 'string') return dialect;
  try {
    switch (dialect) {
      case 'draft-04':
        return new AjvDraft04(AJV_OPTIONS).compile(schema) as Validator;
      case 'draft-07':
        return new Ajv(AJV_OPTIONS).compile(schema) as Validator;
      case '2019-09':
        return new Ajv2019(AJV_OPTIONS).compile(schema) as Validator;
      case '2020-12':
        return new Ajv2020(AJV_OPTIONS).compile(schema) as Validator;
    }
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

export function compareResponse(spec: Spec, res: ObservedResponse): Comparison {
  const mismatches: string[] = [];
  let semanticOnly = false;
  const out = spec.out;

  const expectedStatus = out.status_code ?? 0;
  if (res.status !== expectedStatus) mismatches.push(`status: expected ${expectedStatus}, got ${res.status}`);

  for (const [name, expected] of Object.entries(out.header ?? {})) {
    const got = headerValues(res, name);
    if (got === undefined) {
      if (expected[0] !== '') mismatches.push(`header ${name}: expected ${fmtList(expected)}, got (absent)`);
      continue;
    }
    if (got.length !== expected.length || got.some((v, i) => v !== expected[i])) {
      const what = expected.length === 1 && expected[0] === '' ? 'expected (absent)' : `expected ${fmtList(expected)}`;
      mismatches.push(`header ${name}: ${what}, got ${fmtList(got)}`);
    }
  }

  for (const prefix of spec.forbiddenHeaderPrefixes) {
    const p = prefix.toLowerCase();
    const bad = res.headers.filter(([k]) => k.toLowerCase().startsWith(p));
    if (bad.length > 0) {
      mismatches.push(`vendor rule: response carries ${bad.map(([k, v]) => `${k}: ${v}`).join('; ')} (no ${prefix}* header may be sent)`);
    }
  }

  // Body (gunzipped first when the response still says gzip, README §2).
  let body = res.body;
  const ce = headerValues(res, 'Content-Encoding')?.[0]?.toLowerCase();
  if (ce === 'gzip' || ce === 'x-gzip') {
    try {
      body = body.length === 0 ? body : gunzipSync(body);
    } catch (err) {
      mismatches.push(`body: cannot gunzip: ${(err as Error).message}`);
      return { mismatches, semanticPass: false };
    }
  }
  const text = body.toString('utf8');

  if (out.schema !== undefined && out.schema !== null && Object.keys(out.schema).length > 0) {
    const validate = compileSchema(out.schema);
    if (typeof validate !== 'function') {
      mismatches.push(`schema: invalid schema: ${validate.error}`);
      return { mismatches, semanticPass: false };
    }
    if (body.length === 0) {
      mismatches.push('schema: body is empty');
    } else {
      let data: unknown;
      let parsed = true;
      try {
        data = JSON.parse(text) as unknown;
      } catch (err) {
        parsed = false;
        mismatches.push(`schema: body is not JSON (${(err as Error).message}): ${show(text)}`);
      }
      if (parsed && !validate(data)) {
        const errs = (validate.errors ?? []).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? ''}`);
        mismatches.push(`schema: body does not validate: ${errs.join('; ')}; body ${show(text)}`);
      }
    }
  } else if (out.body !== undefined && out.body !== null) {
    if (typeof out.body === 'string') {
      const expected = Buffer.from(out.body, 'utf8');
      if (!expected.equals(body)) {
        const at = firstDifference(expected, body);
        const a = parseJsonOrNull(out.body);
        const b = parseJsonOrNull(text);
        const equivalent = a !== null && b !== null && jsonDeepEqual(a, b);
        semanticOnly = equivalent;
        mismatches.push(
          `body (byte-exact)${equivalent ? ' [JSON-equivalent: only formatting/key order differ]' : ''}: first difference at byte ${at}\n` +
            `      expected: ${show(out.body)}\n` +
            `      got:      ${show(text)}`,
        );
      }
    } else {
      const got = parseJsonOrNull(text);
      if (!jsonDeepEqual(out.body, got)) {
        mismatches.push(`body (JSON deep-equal):\n` + `      expected: ${show(JSON.stringify(out.body))}\n` + `      got:      ${show(text)}`);
      }
    }
  }

  return { mismatches, semanticPass: semanticOnly && mismatches.length === 1 };
}
