// canonicalGoJson (the single-backend JSON route's pass over the backend's bytes) must answer
// exactly what the general path answers, encodeGoBytes(JSON.parse(body)), or decline (undefined);
// and it must decline only where the general path does something other than re-ordering and
// copying tokens, so the fast path is taken for ordinary bodies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { canonicalGoJson } from '../../src/encoding/json-go-canon.js';
import { encodeGoBytes } from '../../src/encoding/json-go-bytes.js';
import { originBody } from '../../bench/lib/nginx.js';

/** The general path's bytes, or the error it throws. */
function general(body: Buffer): Buffer | Error {
  try {
    const v = JSON.parse(body.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return new Error('not an object');
    return encodeGoBytes(v);
  } catch (err) {
    return err as Error;
  }
}

/** Checks one body; returns whether the fast pass decided it. */
function same(text: string | Buffer): boolean {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const want = general(body);
  const got = canonicalGoJson(body);
  if (got === undefined) return false;
  assert.ok(!(want instanceof Error), `accepted what the general path refuses: ${body.toString('hex')} (${String(want)})`);
  assert.equal(got.toString('hex'), want.toString('hex'), `for ${body.toString('utf8').slice(0, 120)}`);
  return true;
}

function taken(text: string | Buffer): void {
  assert.ok(same(text), `fast path declined ${String(text).slice(0, 80)}`);
}

function declined(text: string | Buffer): void {
  assert.equal(canonicalGoJson(Buffer.isBuffer(text) ? text : Buffer.from(text)), undefined, `for ${String(text).slice(0, 80)}`);
}

describe('canonicalGoJson', () => {
  it('sorts keys at every level and drops whitespace', () => {
    taken('{"b":1,"a":{"z":[{"y":1,"x":2}],"c":null},"":true}');
    taken(' {\n  "b" : 1 ,\r\n\t"a" : [ 1 , 2 , { "d" : false , "c" : "x" } ] \n} \n');
    taken('{}');
    taken('{ }');
    taken('{"a":[],"b":{},"c":[ ],"d":{ }}');
    // Byte order (code points): U+E000 (EE 80 80) before U+1F600 (F0 9F 98 80); UTF-16 would not.
    taken('{"\u{1F600}":2,"\uE000":1,"a":0,"é":3,"B":4,"_":5,"aa":6}');
    // A key that is a prefix of another sorts first.
    taken('{"ab":1,"a":2,"abc":3}');
    // __proto__ is a key like any other (JSON.parse makes it an own property).
    taken('{"z":1,"__proto__":{"x":1},"constructor":2}');
  });

  it('wide objects (the member table and sort order grow) and long strings', () => {
    const keys = Array.from({ length: 300 }, (_, k) => `k${(k * 7919) % 300}`);
    const wide = (depth: number): Record<string, unknown> => Object.fromEntries(keys.map((k, j) => [k, depth > 0 && j % 100 === 0 ? wide(depth - 1) : j]));
    taken(JSON.stringify(wide(2)));
    taken(JSON.stringify({ b: 'x'.repeat(100_000), a: 'é'.repeat(50_000), c: '<'.repeat(1000) }));
    // The scratch buffers shrink after a large body and still serve the next ones.
    taken(JSON.stringify({ big: 'y'.repeat(2 * 1024 * 1024), a: 1 }));
    taken('{"b":1,"a":2}');
  });

  it('reorders objects nested in reordered, in-order and array parents (each written in its place)', () => {
    // Unsorted inside sorted inside unsorted, siblings with and without their own reordering.
    taken('{"b":{"a":{"y":1,"x":[{"q":1,"p":2},{"m":3},{"o":{"t":1,"s":2},"n":4}]},"c":1},"a":[{"d":1,"c":2},5,{"a":{"b":1,"a":2}}]}');
    // The same with whitespace and rewritten tokens (escapes, numbers), so that the regions are
    // copied from the rewritten copy, not from the body.
    taken('{ "b" : { "z" : "<\\u0041>" , "y" : 1.50 } ,\n "a" : [ { "k" : 1e2 , "j" : "\\n" } ] }');
    // Many regions (the region and span tables grow) and a chain as deep as the pass goes.
    taken(JSON.stringify({ z: Array.from({ length: 5000 }, (_, k) => ({ b: k, a: { d: k, c: [k] } })), a: 1 }));
    let deep = '{"y":0,"x":1}';
    for (let d = 0; d < 126; d++) deep = `{"b":${deep},"a":[${d % 2}]}`;
    taken(deep);
  });

  it('declines every truncation of a body (no read past its end)', () => {
    const body = Buffer.from('{"b":[1,-2.5e3,"é\\u00e9\u{1F600}",{"d":true,"c":null}],"a":"x"}');
    for (let n = 0; n < body.length; n++) declined(body.subarray(0, n));
    taken(body);
  });

  it('returns the body itself when it is already in Go form', () => {
    const body = Buffer.from('{"a":1,"b":[true,false,null],"c":{"d":"e"}}');
    assert.equal(canonicalGoJson(body), body);
    const spaced = Buffer.from('{"a": 1}');
    assert.notEqual(canonicalGoJson(spaced), spaced);
    same(spaced);
  });

  it('rewrites strings Go writes otherwise', () => {
    taken('{"html":"<a href=\\"x\\">Tom & Jerry</a>"}');
    taken('{"a":"\\u0041\\/\\b\\f\\n\\r\\t\\"\\\\","b":"\\u00e9\\ud83d\\ude00"}');
    taken('{"a":"x\u2028y\u2029z","b":"\\u2028"}');
    taken('{"lone":"\\ud800","pair":"\\udbff\\udfff","rev":"\\udc00\\ud800"}');
    taken('{"a":"\u007f","b":"é中😀"}');
  });

  it('formats numbers as Go does', () => {
    taken('{"a":[0,-0,1,-1,123456789012345,-123456789012345]}');
    taken('{"a":[1234567890123456,12345678901234567890,9007199254740993,-9007199254740993]}');
    taken('{"a":[1.0,1.50,-0.0,0.0,1e2,1E2,1e+2,1e-2,1.5e-7,1e-7,1e21,1e20,1e400,-1e400,1e-400,98.6,9.99,0.1]}');
    taken('{"a":[5e-324,1.7976931348623157e308,123e-20,0.000001,0.0000001]}');
    // Decimals judged without converting them: exponents, trailing zeros, 15 and 16 digits, small.
    taken('{"a":[0e5,0E0,1e5,0.1e1,10.5,-0.5,0.0000015,0.00000015,-0.000001,123456789012345.5,12345678901234.5,0.123456789012345,0.1234567890123456]}');
    taken('{"a":[1.10,100.0,0.50,-0.0,0.0,99.990,1.0e0,5.000000000000001,0.30000000000000004]}');
  });

  it('declines what the general path refuses or decodes otherwise', () => {
    for (const bad of ['', ' ', '[1]', '"x"', '1', 'null', '{', '{"a"}', '{"a":}', '{"a":1,}', '{,}', '{"a":1}x', '{"a":01}', '{"a":1.}', '{"a":.5}'])
      declined(bad);
    for (const bad of ['{"a":-}', '{"a":+1}', '{"a":1e}', '{"a":tru}', '{"a":nul}', '{"a":[1,]}', '{"a":[,1]}', '{"a":"\u0001"}', "{'a':1}", '{"a":NaN}'])
      declined(bad);
    for (const bad of ['{"a":"\\x"}', '{"a":"\\u12"}', '{"a":"\\']) declined(bad);
    // A BOM, duplicate keys (the last value wins in JSON.parse), an escaped or HTML key.
    declined('\ufeff{"a":1}');
    declined('{"a":1,"a":2}');
    declined('{"b":1,"a":1,"b":2}');
    declined('{"\\u0061":1}');
    declined('{"<":1}');
    // Invalid UTF-8: a lone continuation byte, an overlong form, an encoded surrogate, a cut sequence.
    for (const hex of ['80', 'c0af', 'eda080', 'e282', 'f4908080', 'f5808080'])
      declined(Buffer.concat([Buffer.from('{"a":"'), Buffer.from(hex, 'hex'), Buffer.from('"}')]));
    // Deep nesting goes the general path.
    declined('{"a":' + '['.repeat(200) + ']'.repeat(200) + '}');
    taken('{"a":' + '['.repeat(100) + ']'.repeat(100) + '}');
  });

  it('the bench body (issue #20) takes the fast path', () => {
    const body = originBody();
    taken(body);
    taken(JSON.stringify(JSON.parse(body), null, 2));
  });

  it('equals the general path on random JSON (property)', () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'b', 'A', '_', '', '<', '\u2028', 'é', '\u{1F600}', '\uE000', '__proto__'));
    const leaf = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.double(),
      fc.integer(),
      fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map((n) => Number(n)),
      fc.boolean(),
      fc.constant(null),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
      object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    }));
    const obj = fc.dictionary(key, value, { maxKeys: 6 });
    let decided = 0;
    fc.assert(
      fc.property(obj, fc.boolean(), (o, pretty) => {
        if (same(JSON.stringify(o, null, pretty ? 2 : undefined))) decided++;
      }),
      { numRuns: 3000 },
    );
    // Most random bodies are decided here (not all: duplicate keys are impossible from an object,
    // but escaped keys are common in random strings).
    assert.ok(decided > 1000, `only ${decided} of 3000 decided`);
  });

  it('equals the general path on mutated JSON text (property)', () => {
    // Random edits of valid text: whatever the pass accepts must be what the general path answers.
    const text = fc.constantFrom(
      '{"a":1,"b":[1.5,-0,"x"],"c":{"e":null,"d":true}}',
      '{"s":"<\\u00e9>","n":1e21,"m":-12.50}',
      '{ "k" : [ { "z" : 1 , "y" : 2 } ] }',
    );
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(text, fc.nat(), bytes, fc.boolean(), (t, at, ins, del) => {
        const b = Buffer.from(t);
        const k = at % b.length;
        const mutated = Buffer.concat([b.subarray(0, k), Buffer.from(ins), b.subarray(del ? k + 1 : k)]);
        same(mutated);
      }),
      { numRuns: 5000 },
    );
  });
});
