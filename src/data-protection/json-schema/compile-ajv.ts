// One ajv instance per draft, shared by the schemas that name no id or anchor (a new instance
// validates its first schema against the draft's meta-schema, which ajv compiles first: 20-120 ms
// each, so a config with twenty schema endpoints started seconds later); a schema with `$id`,
// `id` (draft-04), `$anchor` or `$dynamicAnchor` anywhere gets its own instance, so ids of
// different endpoints cannot collide. Options are the safety rules of the engine:
// - strict (unknown keyword or format = compile error), so a typo cannot silently disable a rule;
//   strictTypes/strictTuples/strictRequired stay off: they refuse valid schemas, not unsafe ones;
// - formats from ajv-formats; no `$data`; no loadSchema (ajv never fetches anything);
// - `pattern` / `patternProperties` on re2js through `code.regExp` (linear time, RE2 syntax);
// - allErrors off: ajv stops at the first violation, so a huge invalid body costs no more.
import AjvModule, { type AnySchema, type Options, type ValidateFunction } from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { createRequire } from 'node:module';
import { fail } from '../compile-error.js';
import { compileLinearTester } from '../re2/linear-regexp.js';
import { checkSchemaDocument } from './check-schema-doc.js';
import { DEFAULT_DRAFT, type Draft } from './types.js';

const Ajv = AjvModule.default;
const Ajv2019 = Ajv2019Module.default;
const Ajv2020 = Ajv2020Module.default;
const AjvDraft04 = AjvDraft04Module.default;
const addFormats = addFormatsModule.default;
const require = createRequire(import.meta.url);

/** `$schema` URIs accepted, with and without the trailing '#', http or https. */
const DRAFTS: Record<string, Draft> = {
  'json-schema.org/draft-04/schema': 'draft-04',
  'json-schema.org/draft-06/schema': 'draft-06',
  'json-schema.org/draft-07/schema': 'draft-07',
  'json-schema.org/draft/2019-09/schema': '2019-09',
  'json-schema.org/draft/2020-12/schema': '2020-12',
};

export function draftOf(schema: unknown, pointer: string): Draft {
  if (typeof schema !== 'object' || schema === null || !('$schema' in schema)) return DEFAULT_DRAFT;
  const uri = (schema as { $schema: unknown }).$schema;
  const key = typeof uri === 'string' ? uri.replace(/^https?:\/\//, '').replace(/#$/, '') : '';
  const draft = DRAFTS[key];
  if (!draft) fail(`${pointer}/$schema`, `unsupported $schema ${JSON.stringify(uri)}: use draft-04, draft-06, draft-07, 2019-09 or 2020-12`);
  return draft;
}

/** ajv's code.regExp: patterns run by re2js. Invalid ones were refused with their pointer by
 * checkSchemaDocument; this throws only if ajv meets one that walk did not see. */
function re2RegExp(pattern: string): { test(s: string): boolean; toString(): string } {
  const re = compileLinearTester(pattern);
  if (typeof re === 'string') throw new Error(re);
  return { test: (s: string) => re.test(s), toString: () => `re2:${pattern}` };
}
re2RegExp.code = 're2js';

function newAjv(draft: Draft) {
  const opts: Options = {
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: false,
    $data: false,
    validateFormats: true,
    code: { regExp: re2RegExp as unknown as NonNullable<Options['code']>['regExp'] },
  };
  let ajv;
  if (draft === 'draft-04') ajv = new AjvDraft04(opts);
  else if (draft === '2019-09') ajv = new Ajv2019(opts);
  else if (draft === '2020-12') ajv = new Ajv2020(opts);
  else {
    ajv = new Ajv(opts);
    if (draft === 'draft-06') ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  }
  addFormats(ajv);
  // OpenAPI habit: an annotation with no effect, accepted so strict mode does not refuse it.
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

const shared = new Map<Draft, ReturnType<typeof newAjv>>();

function sharedAjv(draft: Draft): ReturnType<typeof newAjv> {
  let ajv = shared.get(draft);
  if (ajv === undefined) shared.set(draft, (ajv = newAjv(draft)));
  return ajv;
}

/** Whether a schema names an id or an anchor anywhere (keys only: a value is data to ajv). */
function namesIds(schema: unknown, draft: Draft): boolean {
  const idKey = draft === 'draft-04' ? 'id' : '$id';
  const walk = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(walk);
    if (typeof v !== 'object' || v === null) return false;
    for (const [k, x] of Object.entries(v)) {
      if (k === idKey || k === '$id' || k === '$anchor' || k === '$dynamicAnchor' || k === '$recursiveAnchor') return true;
      if (walk(x)) return true;
    }
    return false;
  };
  return walk(schema);
}

/** Compiles a schema document at startup; every failure is an error at `pointer` (or below). */
export function compileSchemaDocument(schema: unknown, pointer: string): { validate: ValidateFunction; draft: Draft } {
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    fail(pointer, 'a JSON schema must be an object or a boolean');
  }
  const draft = draftOf(schema, pointer);
  checkSchemaDocument(schema, pointer);
  try {
    const ajv = namesIds(schema, draft) ? newAjv(draft) : sharedAjv(draft);
    return { validate: ajv.compile(schema as AnySchema), draft };
  } catch (e) {
    fail(pointer + subPointer((e as Error).message), `schema (${draft}) does not compile: ${(e as Error).message}`);
  }
}

/** ajv names the place of some errors as `at path "#/properties/a"`: turned into a pointer. */
function subPointer(message: string): string {
  const m = /path "#(\/[^"]*)"/.exec(message);
  return m ? m[1] : '';
}
