// validation/json-schema and validation/response-json-schema engines (issue #16), on real ajv
// and re2js: drafts, strict formats, refused refs/$data/patterns with pointers, body parsing
// (empty, malformed, duplicate keys, __proto__, max_payload), error bodies, ReDoS input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { DataProtectionConfigError } from '../../src/data-protection/compile-error.js';
import { compileRequestSchema } from '../../src/data-protection/json-schema/compile-request-schema.js';
import { runRequestSchema } from '../../src/data-protection/json-schema/run-request-schema.js';
import { compileResponseSchema } from '../../src/data-protection/json-schema/compile-response-schema.js';
import { runResponseSchema } from '../../src/data-protection/json-schema/run-response-schema.js';
import { parseStrictJson } from '../../src/data-protection/json-schema/strict-json.js';

const P = '/endpoints/0/extra_config/validation~1json-schema';
const opts = { returnErrorMsg: true, maxPayload: 0 };
const req = (schema: unknown, o = opts) => compileRequestSchema(schema, P, o);
const body = (s: string) => Buffer.from(s);

/** Asserts a startup refusal at `pointer` whose reason matches. */
function refused(fn: () => unknown, pointer: string, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataProtectionConfigError, String(e));
    assert.equal(e.pointer, pointer);
    assert.match(e.reason, reason);
    return true;
  });
}

describe('request schema: compile', () => {
  it('chooses the draft from $schema, 2020-12 by default', () => {
    assert.equal(req({ type: 'number' }).draft, '2020-12');
    assert.equal(req({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'number' }).draft, 'draft-04');
    assert.equal(req({ $schema: 'http://json-schema.org/draft-06/schema#', type: 'number' }).draft, 'draft-06');
    assert.equal(req({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'number' }).draft, 'draft-07');
    assert.equal(req({ $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'number' }).draft, '2019-09');
    assert.equal(req({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'number' }).draft, '2020-12');
  });

  it('each draft keeps its own semantics (draft-04 boolean exclusiveMaximum, 2020-12 prefixItems)', () => {
    const d4 = req({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'number', maximum: 5, exclusiveMaximum: true });
    assert.equal(runRequestSchema(d4, body('5')).ok, false);
    assert.equal(runRequestSchema(d4, body('4')).ok, true);
    const d20 = req({ type: 'array', prefixItems: [{ type: 'string' }], items: false });
    assert.equal(runRequestSchema(d20, body('["a"]')).ok, true);
    assert.equal(runRequestSchema(d20, body('["a", 1]')).ok, false);
  });

  it('schemas of different endpoints stay apart: the same $id or id twice, and schemas without ids', () => {
    // Schemas without ids share one ajv per draft; one with an id gets its own (a shared
    // instance would refuse the second "$id" as already known).
    const a = req({ $id: 'https://example.test/order', type: 'object', required: ['a'] });
    const b = req({ $id: 'https://example.test/order', type: 'object', required: ['b'] });
    assert.equal(runRequestSchema(a, body('{"a":1}')).ok, true);
    assert.equal(runRequestSchema(a, body('{"b":1}')).ok, false);
    assert.equal(runRequestSchema(b, body('{"b":1}')).ok, true);
    const d4 = { $schema: 'http://json-schema.org/draft-04/schema#', id: 'https://example.test/d4', type: 'string' };
    assert.equal(runRequestSchema(req(d4), body('"s"')).ok, true);
    assert.equal(runRequestSchema(req({ ...d4, type: 'number' }), body('"s"')).ok, false);
    const plain = [req({ type: 'string' }), req({ type: 'number' }), req({ type: 'object', properties: { $id: { type: 'string' } } })];
    assert.deepEqual(
      plain.map((v) => runRequestSchema(v, body('"s"')).ok),
      [true, false, false],
    );
  });

  it('refuses an unknown $schema, unknown formats and unknown keywords at startup', () => {
    refused(() => req({ $schema: 'http://example.com/mine', type: 'number' }), `${P}/$schema`, /unsupported \$schema/);
    refused(() => req({ type: 'object', properties: { a: { type: 'string', format: 'emial' } } }), `${P}/properties/a`, /unknown format "emial"/);
    refused(() => req({ type: 'object', requried: ['a'] }), P, /strict mode: unknown keyword: "requried"/);
    refused(() => req([1]), P, /object or a boolean/);
  });

  it('formats are on (email, date-time, uuid)', () => {
    const c = req({ type: 'object', properties: { e: { format: 'email' }, t: { format: 'date-time' }, u: { format: 'uuid' } } });
    assert.equal(runRequestSchema(c, body('{"e":"a@b.co","t":"2026-12-03T10:00:00Z","u":"9b2f1d9e-3c1a-4b8e-9d7f-1a2b3c4d5e6f"}')).ok, true);
    assert.equal(runRequestSchema(c, body('{"e":"not-an-email"}')).ok, false);
    assert.equal(runRequestSchema(c, body('{"t":"yesterday"}')).ok, false);
  });

  it('refuses references to files or URLs, with the pointer; same-document refs work', () => {
    refused(() => req({ properties: { a: { $ref: 'file:///etc/passwd' } } }), `${P}/properties/a/$ref`, /only same-document references/);
    refused(() => req({ properties: { a: { $ref: 'https://example.com/s.json' } } }), `${P}/properties/a/$ref`, /never loads schemas/);
    refused(() => req({ $ref: 'other.json' }), `${P}/$ref`, /leaves the schema document/);
    const c = req({ $defs: { n: { type: 'number' } }, type: 'object', properties: { a: { $ref: '#/$defs/n' } } });
    assert.equal(runRequestSchema(c, body('{"a":1}')).ok, true);
    assert.equal(runRequestSchema(c, body('{"a":"x"}')).ok, false);
    // A refused-looking value inside const/enum is data, not a reference.
    assert.equal(runRequestSchema(req({ const: { $ref: 'http://x' } }), body('{"$ref":"http://x"}')).ok, true);
  });

  it('refuses $data', () => {
    refused(() => req({ properties: { a: { maximum: { $data: '1/b' } } } }), `${P}/properties/a/maximum/$data`, /\$data/);
  });

  it('refuses patterns RE2 cannot run (lookahead, backreference) with their pointer', () => {
    refused(() => req({ properties: { a: { type: 'string', pattern: '^(?=a)' } } }), `${P}/properties/a/pattern`, /not valid RE2 syntax/);
    refused(() => req({ patternProperties: { '(a)\\1': {} } }), `${P}/patternProperties/(a)\\1`, /not valid RE2/);
  });

  it('pattern and patternProperties run on RE2: a catastrophic pattern on a long input answers correctly', () => {
    const c = req({ type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' } }, patternProperties: { '^(x+x+)+y$': { type: 'number' } } });
    const long = 'a'.repeat(100_000);
    assert.equal(runRequestSchema(c, body(JSON.stringify({ a: long }))).ok, true);
    assert.equal(runRequestSchema(c, body(JSON.stringify({ a: long + '!' }))).ok, false);
    const key = 'x'.repeat(50_000);
    assert.equal(runRequestSchema(c, body(JSON.stringify({ [key + 'y']: 'str' }))).ok, false, 'matching key: value must be a number');
    assert.equal(runRequestSchema(c, body(JSON.stringify({ [key]: 'str' }))).ok, true, 'no y: pattern does not apply');
    // RE2 semantics: unanchored search, as ajv's RegExp.test.
    const s = req({ type: 'string', pattern: 'b+' });
    assert.equal(runRequestSchema(s, body('"abbbc"')).ok, true);
    // RE2-only syntax (V8's RegExp refuses inline flags and (?P<name>)): proof it is re2js.
    const re2 = req({ type: 'string', pattern: '(?i)^(?P<w>abc)$' });
    assert.equal(runRequestSchema(re2, body('"ABC"')).ok, true);
    assert.equal(runRequestSchema(re2, body('"ABD"')).ok, false);
  });
});

describe('request schema: run', () => {
  const c = req({ type: 'object', required: ['a'], properties: { a: { type: 'integer' } } });

  it('conformance jsonschema_1: {"foo":42} against {"type":"number"} is 400, whatever the content type', () => {
    const r = runRequestSchema(req({ type: 'number' }), body('{"foo":42}'));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.status === 400 && r.kind === 'invalid');
  });

  it('empty or missing body is 400 with KrakenD text', () => {
    for (const b of [null, Buffer.alloc(0)]) {
      const r = runRequestSchema(c, b);
      assert.ok(!r.ok);
      assert.deepEqual([r.status, r.kind, r.body], [400, 'empty', 'could not validate an empty body']);
    }
  });

  it('malformed JSON, invalid UTF-8 and a BOM are 400 malformed', () => {
    for (const b of [
      body('{"a":'),
      body('{a:1}'),
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body('{"a":1}')]),
    ]) {
      const r = runRequestSchema(c, b);
      assert.ok(!r.ok, b.toString());
      assert.equal(r.kind, 'malformed');
      assert.equal(r.status, 400);
    }
  });

  it('a valid body passes and is returned parsed', () => {
    const r = runRequestSchema(c, body('{"a":1}'));
    assert.deepEqual(r, { ok: true, value: { a: 1 } });
  });

  it('a violation lists the reason in KrakenD form, only with return_error_msg', () => {
    const r = runRequestSchema(c, body('{"b":1}'));
    assert.ok(!r.ok);
    assert.equal(r.body, "- at '': must have required property 'a'");
    assert.equal(r.contentType, 'text/plain; charset=utf-8');
    const quiet = req({ type: 'number' }, { returnErrorMsg: false, maxPayload: 0 });
    for (const b of [body('"x"'), body('{'), null]) {
      const q = runRequestSchema(quiet, b);
      assert.ok(!q.ok);
      assert.equal(q.body, '');
    }
  });

  it('duplicate keys are refused, at any depth, however the key is escaped', () => {
    const open = req({ type: 'object' });
    for (const s of ['{"a":1,"a":2}', '{"x":{"role":"user","role":"admin"}}', '[{"a":1},{"b":{"c":1,"\\u0063":2}}]', '{"a":1,"b":[1,{"a":1}],"a":3}']) {
      const r = runRequestSchema(open, body(s));
      assert.ok(!r.ok, s);
      assert.equal(r.kind, 'malformed');
      assert.match(r.body, /duplicate key/);
    }
    // Same key in sibling objects and key-like strings in values are fine.
    assert.equal(runRequestSchema(open, body('{"a":{"k":1},"b":{"k":1},"c":"a","d":["a","a"],"e":"\\"a\\":"}')).ok, true);
  });

  it('__proto__ keys are refused (plain and escaped), so validator and backend see the same object', () => {
    const open = req({ type: 'object', properties: { isAdmin: { const: false } } });
    for (const s of ['{"__proto__":{"isAdmin":true}}', '{"a":{"\\u005f_proto__":{}}}']) {
      const r = runRequestSchema(open, body(s));
      assert.ok(!r.ok, s);
      assert.match(r.body, /__proto__/);
    }
    assert.deepEqual(parseStrictJson(body('{"proto":1}')), { ok: true, value: { proto: 1 } });
  });

  it('nesting deeper than the cap is refused', () => {
    const r = runRequestSchema(req({}), body('['.repeat(200) + ']'.repeat(200)));
    assert.ok(!r.ok);
    assert.match(r.body, /nested deeper/);
    assert.equal(runRequestSchema(req({}), body('['.repeat(100) + ']'.repeat(100))).ok, true);
    // At the edge, with arrays and objects: 128 levels pass, 129 are refused.
    const nest = (n: number) => '{"a":['.repeat(n / 2) + '1' + ']}'.repeat(n / 2);
    assert.equal(parseStrictJson(body(nest(128))).ok, true);
    assert.equal(parseStrictJson(body('[' + nest(128) + ']')).ok, false);
    assert.equal(parseStrictJson(body('[' + nest(126) + ']')).ok, true);
  });

  it('max_payload is checked before parsing: 413', () => {
    const small = req({ type: 'object' }, { returnErrorMsg: true, maxPayload: 10 });
    const r = runRequestSchema(small, body('{"a":"0123456789"}'));
    assert.ok(!r.ok);
    assert.deepEqual([r.status, r.kind], [413, 'too-large']);
    const bad = runRequestSchema(small, body('x'.repeat(11)));
    assert.ok(!bad.ok && bad.kind === 'too-large', 'not even parsed');
    assert.equal(runRequestSchema(small, body('{"a":1}')).ok, true);
    refused(() => req({}, { returnErrorMsg: false, maxPayload: -1 }), P, /max_payload/);
  });

  it('Infinity from an out-of-range number does not pass as a number', () => {
    assert.equal(runRequestSchema(req({ type: 'number' }), body('1e400')).ok, false);
  });
});

describe('response schema', () => {
  const RP = '/endpoints/0/backend/1/extra_config/validation~1response-json-schema';
  it('defaults: 500, text/plain, reason only with return_error_msg', () => {
    const c = compileResponseSchema({ schema: { type: 'object', required: ['id'] } }, RP, { returnErrorMsg: false });
    assert.deepEqual(runResponseSchema(c, { id: 1 }), { ok: true });
    assert.deepEqual(runResponseSchema(c, { name: 'x' }), { ok: false, status: 500, body: '', contentType: 'text/plain' });
    const loud = compileResponseSchema({ schema: { type: 'object', required: ['id'] } }, RP, { returnErrorMsg: true });
    const r = runResponseSchema(loud, {});
    assert.ok(!r.ok);
    assert.match(r.body, /must have required property 'id'/);
  });

  it('configured error status, body and content type', () => {
    const c = compileResponseSchema(
      {
        schema: { type: 'object', properties: { n: { type: 'integer' } } },
        error: { status: 502, body: '{"error":"bad upstream"}', content_type: 'application/json' },
      },
      RP,
      { returnErrorMsg: false },
    );
    assert.deepEqual(runResponseSchema(c, { n: 'x' }), { ok: false, status: 502, body: '{"error":"bad upstream"}', contentType: 'application/json' });
  });

  it('compile errors carry pointers below the namespace', () => {
    refused(() => compileResponseSchema({ schema: { format: 'nope' } } as never, RP, { returnErrorMsg: false }), `${RP}/schema`, /unknown format "nope"/);
    refused(() => compileResponseSchema({ schema: {}, error: { status: 42 } }, RP, { returnErrorMsg: false }), `${RP}/error/status`, /HTTP status/);
    refused(() => compileResponseSchema({ schema: { $ref: 'http://evil/x' } }, RP, { returnErrorMsg: false }), `${RP}/schema/$ref`, /same-document/);
    refused(() => compileResponseSchema({} as never, RP, { returnErrorMsg: false }), RP, /schema is required/);
  });
});

describe('strict JSON: property', () => {
  // A JSON tree whose objects are entry lists (so duplicates can be written), printed with
  // random escaping of keys; the scanner must refuse exactly the texts with a duplicate key
  // or a __proto__ key somewhere, and otherwise return what JSON.parse returns.
  type Tree = number | string | Tree[] | { entries: [string, Tree][] };
  // Keys and strings ending in a backslash or holding quotes and colons: the fast path skips
  // strings by searching for the closing quote, so escapes at the edges matter.
  const key = fc.constantFrom('a', 'b', 'ab', '__proto__', 'é', '"q', 'a\\b', 'q\\', '\\', '":', 'x":1,"y');
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small' },
      fc.integer(),
      fc.constantFrom('a', '{"a":1,"a":2}', '"', '', 'x\\', '\\"', '":', '"a":1'),
      fc.array(tie('t'), { maxLength: 4 }),
      fc.record({ entries: fc.array(fc.tuple(key, tie('t')), { maxLength: 4 }) }),
    ),
  })).t;
  const escapeAll = (s: string) => '"' + Array.from(s, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('') + '"';
  const print = (t: Tree, esc: boolean): string =>
    typeof t === 'number' || typeof t === 'string'
      ? JSON.stringify(t)
      : Array.isArray(t)
        ? `[${t.map((x) => print(x, esc)).join(',')}]`
        : `{${t.entries.map(([k, v]) => `${esc ? escapeAll(k) : JSON.stringify(k)}${esc ? ' \n\t:' : ':'} ${print(v, esc)}`).join(', ')}}`;
  const bad = (t: Tree): boolean =>
    typeof t === 'number' || typeof t === 'string'
      ? false
      : Array.isArray(t)
        ? t.some(bad)
        : new Set(t.entries.map(([k]) => k)).size !== t.entries.length || t.entries.some(([k, v]) => k === '__proto__' || bad(v));

  it('refuses exactly the duplicate and __proto__ keys, at any depth, escaped or not', () => {
    fc.assert(
      fc.property(tree, fc.boolean(), (t, esc) => {
        const text = print(t, esc);
        const r = parseStrictJson(Buffer.from(text));
        if (bad(t)) return !r.ok;
        return r.ok && JSON.stringify(r.value) === JSON.stringify(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });
});
