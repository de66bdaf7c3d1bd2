// pickedGoJson (a merged backend's top-level `allow` applied while reading its body) must answer
// exactly what the general path answers, encodeGoBytes(allow(JSON.parse(body))) with the
// gateway's own shaper, or decline (undefined); a body the general path refuses is never taken.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { pickedGoJson } from '../../src/encoding/json-go-pick.js';
import { encodeGoBytes } from '../../src/encoding/json-go-bytes.js';
import { compileBackendShaper } from '../../src/shaping/backend-shaper.js';
import { originBody } from '../../bench/lib/nginx.js';

function general(body: Buffer, allow: string[]): Buffer | Error {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return new Error('not an object');
    return encodeGoBytes(compileBackendShaper({ allow })!(v as Record<string, unknown>));
  } catch (err) {
    return err as Error;
  }
}

/** Checks one body; returns whether the fast pass decided it. */
function same(text: string | Buffer, allow: string[]): boolean {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const got = pickedGoJson(
    body,
    allow.map((a) => Buffer.from(a)),
  );
  if (got === undefined) return false;
  const want = general(body, allow);
  assert.ok(!(want instanceof Error), `accepted what the general path refuses: ${body.toString('hex')} (${String(want)})`);
  assert.equal(got.toString('hex'), want.toString('hex'), `for ${body.toString('utf8').slice(0, 120)} allow ${JSON.stringify(allow)}`);
  return true;
}

const taken = (t: string | Buffer, allow: string[]): void => assert.ok(same(t, allow), `declined ${String(t).slice(0, 80)}`);
const declined = (t: string | Buffer, allow: string[]): void =>
  assert.equal(
    pickedGoJson(
      Buffer.isBuffer(t) ? t : Buffer.from(t),
      allow.map((a) => Buffer.from(a)),
    ),
    undefined,
    String(t),
  );

describe('pickedGoJson', () => {
  it('keeps the allowed members in Go form and order, drops the rest', () => {
    taken(originBody(), ['id', 'name', 'tags']);
    taken(originBody(), ['owner', 'items']);
    taken(' {\n "b" : {"z":1,"y":[ 2 ]} , "a" : "<&>" , "c":1.50 }\n', ['b', 'a', 'zz']);
    taken('{"a":1}', ['q']); // nothing kept: {}
    taken('{}', ['a']);
    taken('{"__proto__":{"x":1},"a":2}', ['__proto__']);
    taken('{"é":1,"\u{1F600}":2,"\uE000":3}', ['\u{1F600}', '\uE000', 'é']);
  });

  it('only validates what it drops: duplicates, escaped keys, invalid UTF-8 there change nothing', () => {
    taken('{"a":1,"d":1,"d":2}', ['a']);
    taken('{"a":1,"d":{"y":1,"y":2,"\\u0061":3}}', ['a']);
    taken(Buffer.concat([Buffer.from('{"a":1,"d":"'), Buffer.from('c0afff', 'hex'), Buffer.from('"}')]), ['a']);
  });

  it('declines invalid JSON anywhere and what it cannot match or write as bytes', () => {
    for (const bad of [
      '',
      '[1]',
      '{',
      '{"a":1,}',
      '{"a":1}x',
      '{"d":01,"a":1}',
      '{"d":[1,],"a":1}',
      '{"d":"\\x","a":1}',
      '{"d":"\u0001","a":1}',
      '{"d":tru,"a":1}',
    ])
      declined(bad, ['a']);
    declined('{"d":{"x"},"a":1}', ['a']);
    declined('{"d":' + '['.repeat(200) + ']'.repeat(200) + ',"a":1}', ['a']);
    // A key with an escape might decode to an allowed name; a kept key Go escapes; kept duplicates.
    declined('{"\\u0061":1}', ['a']);
    declined('{"<":1}', ['<']);
    declined('{"a":1,"a":2}', ['a']);
    declined('\ufeff{"a":1}', ['a']);
  });

  const names = ['a', 'b', 'A', '', 'é', '\u{1F600}', '__proto__', 'id', 'k'];
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
  const leaf = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));
  const allow = fc.array(fc.constantFrom(...names, 'zz'), { minLength: 1, maxLength: 3 });

  it('equals the general path on random JSON (property)', () => {
    let decided = 0;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), fc.boolean(), allow, (o, pretty, a) => {
        if (same(JSON.stringify(o, null, pretty ? 2 : undefined), a)) decided++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(decided > 1500, `only ${decided} of 3000 decided`);
  });

  it('equals the general path on mutated JSON text (property)', () => {
    const text = fc.constantFrom(
      '{"a":1,"b":[1.5,-0,"x"],"c":{"e":null,"d":true}}',
      '{"s":"<\\u00e9>","n":1e21,"a":-12.50,"k":{"z":[{}]}}',
      '{ "k" : [ { "z" : 1 , "y" : 2 } ] , "a" : "\\n" }',
    );
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 3 });
    let decided = 0;
    fc.assert(
      fc.property(text, fc.nat(), bytes, fc.boolean(), allow, (t, at, ins, del, a) => {
        const b = Buffer.from(t);
        const k = at % b.length;
        if (same(Buffer.concat([b.subarray(0, k), Buffer.from(ins), b.subarray(del ? k + 1 : k)]), a)) decided++;
      }),
      { numRuns: 8000 },
    );
    assert.ok(decided > 100, `only ${decided} of 8000 decided`);
  });
});
