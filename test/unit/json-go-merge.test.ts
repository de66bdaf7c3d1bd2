// mergeGoMembers (the direct merge path) must write what the general path writes for the same
// backends: each body decoded, shaped by its backend's allow/group (compileBackendShaper), the
// results merged (combine) and the merged data encoded (encodeGoBytes), byte for byte.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { canonicalGoMembers } from '../../src/encoding/json-go-canon.js';
import { encodeGoBytes } from '../../src/encoding/json-go-bytes.js';
import { mergeGoMembers, type MemberShape } from '../../src/encoding/json-go-merge.js';
import { compileBackendShaper } from '../../src/shaping/backend-shaper.js';
import { combine } from '../../src/pipeline/merge.js';
import { dataResult, type Data } from '../../src/core/backend-result.js';

interface Backend {
  body: string;
  allow?: string[];
  group?: string;
}

function general(backends: readonly Backend[]): string {
  const results = backends.map((b) => {
    const shape = compileBackendShaper({ allow: b.allow, group: b.group });
    const data = JSON.parse(b.body) as Data;
    return dataResult(shape ? shape(data) : data, true);
  });
  const r = combine(results, true);
  assert.equal(r.kind, 'data');
  return encodeGoBytes(r.kind === 'data' ? r.data : null).toString('hex');
}

function fast(backends: readonly Backend[]): string | undefined {
  const parts = backends.map((b) => canonicalGoMembers(Buffer.from(b.body)));
  if (parts.some((p) => p === undefined)) return undefined;
  const shapes: MemberShape[] = backends.map((b) => ({
    allow: b.allow && b.allow.length > 0 ? b.allow.map((k) => Buffer.from(k)) : null,
    group: b.group ? Buffer.from(b.group) : null,
  }));
  return mergeGoMembers(parts as NonNullable<(typeof parts)[number]>[], shapes).toString('hex');
}

function same(backends: readonly Backend[]): boolean {
  const got = fast(backends);
  if (got === undefined) return false;
  assert.equal(Buffer.from(got, 'hex').toString(), Buffer.from(general(backends), 'hex').toString(), JSON.stringify(backends));
  return true;
}

describe('mergeGoMembers', () => {
  const body = JSON.stringify({ id: 1042, name: 'n', tags: ['a'], owner: { login: 'b', id: 42 }, items: [{ sku: 'A', qty: 1 }], description: 'x' });

  it('the merge bench row: allow on one backend, allow and group on the other', () => {
    assert.ok(
      same([
        { body, allow: ['id', 'name', 'tags'] },
        { body, allow: ['owner', 'items'], group: 'detail' },
      ]),
    );
  });

  it('later backends win on a shared key; groups replace keys; empty selections', () => {
    assert.ok(same([{ body: '{"a":1,"b":2}' }, { body: '{"b":3,"c":4}' }]));
    assert.ok(same([{ body: '{"g":1,"b":2}' }, { body: '{"b":3}', group: 'g' }]));
    assert.ok(same([{ body: '{"b":3}', group: 'g' }, { body: '{"g":1,"b":2}' }]));
    assert.ok(
      same([
        { body: '{"a":1}', allow: ['zz'] },
        { body: '{"b":1}', allow: ['zz'], group: 'g' },
      ]),
    );
    assert.ok(same([{ body: '{}' }, { body: '{ }' }]));
    assert.ok(
      same([
        { body: '{"__proto__":{"x":1},"a":1}', allow: ['__proto__'] },
        { body: '{"b":{"d":1,"c":2}}', group: '__proto__' },
      ]),
    );
    assert.ok(same([{ body: '{"é":1,"\u{1F600}":2,"\uE000":3}', allow: ['\uE000', '\u{1F600}'] }, { body: '{"a":[1.0,-0,"<"]}' }]));
  });

  it('equals the general path on random bodies and shapes (property)', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'g', 'A', '', 'é', '\u{1F600}', '\uE000', '__proto__', 'id');
    const leaf = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null));
    const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(key, leaf, { maxKeys: 3 }));
    const backend = fc.record({
      body: fc.tuple(fc.dictionary(key, value, { maxKeys: 6 }), fc.boolean()).map(([o, pretty]) => JSON.stringify(o, null, pretty ? 1 : undefined)),
      allow: fc.option(fc.array(key, { maxLength: 3 }), { nil: undefined }),
      group: fc.option(
        key.filter((k) => k !== ''),
        { nil: undefined },
      ),
    });
    let decided = 0;
    fc.assert(
      fc.property(fc.array(backend, { minLength: 2, maxLength: 3 }), (bs) => {
        if (same(bs)) decided++;
      }),
      { numRuns: 1500 },
    );
    assert.ok(decided > 1000, `only ${decided} of 1500 decided`);
  });
});
