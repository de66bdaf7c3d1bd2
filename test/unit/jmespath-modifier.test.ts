import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { compileJmespath, runJmespath, wrapResult, JmespathRunError, JMESPATH_SCHEMA } from '../../src/modifiers/jmespath/index.js';
import { MartianConfigError } from '../../src/modifiers/martian/index.js';

const students = { students: [{ name: 'Bill', age: 23 }, { name: 'Mary', age: 16 }, { name: 'Jessica', age: 19 }] };

function refused(cfg: unknown, pointer: string, re: RegExp): void {
  assert.throws(() => compileJmespath(cfg, '/endpoints/0/extra_config/modifier~1jmespath'), (e: unknown) => {
    assert.ok(e instanceof MartianConfigError, String(e));
    assert.equal(e.pointer, pointer);
    assert.match(e.reason, re);
    return true;
  });
}

describe('modifier/jmespath', () => {
  it('KrakenD docs example: names of students over 18, wrapped as a collection', () => {
    const j = compileJmespath({ expr: 'students[?age > `18`].name' });
    const out = runJmespath(j, students);
    assert.deepEqual(out, ['Bill', 'Jessica']);
    assert.deepEqual(wrapResult(out), { collection: ['Bill', 'Jessica'] });
  });
  it('an object result replaces the data; a scalar goes under content', () => {
    const j = compileJmespath({ expr: '{adults: length(students[?age >= `18`]), first: students[0].name}' });
    assert.deepEqual(wrapResult(runJmespath(j, students)), { adults: 2, first: 'Bill' });
    assert.deepEqual(wrapResult(runJmespath(compileJmespath({ expr: 'students[0].age' }), students)), { content: 23 });
  });
  it('sorting, projections and functions', () => {
    const j = compileJmespath({ expr: 'sort_by(students, &age)[*].{n: name, a: age} | [0]' });
    assert.deepEqual(runJmespath(j, students), { n: 'Mary', a: 16 });
  });
  it('the result is a fresh copy: changing it leaves the input alone', () => {
    const data = structuredClone(students);
    const out = runJmespath(compileJmespath({ expr: 'students[0]' }), data) as Record<string, unknown>;
    out.name = 'changed';
    assert.equal(data.students[0].name, 'Bill');
  });
  it('prototype names resolve to null/{} and never hand out host functions', () => {
    for (const expr of ['constructor', 'toString', '__proto__.constructor', '[constructor, toString]']) {
      const out = runJmespath(compileJmespath({ expr }), {});
      assert.ok(out === null || Array.isArray(out), `${expr} -> ${String(out)}`);
      if (Array.isArray(out)) assert.deepEqual(out, [null, null]);
    }
    assert.deepEqual(runJmespath(compileJmespath({ expr: '__proto__' }), {}), {});
    const own = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "own"}');
    const out = runJmespath(compileJmespath({ expr: '@' }), own) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__', 'constructor']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  it('runtime type errors fail the call with a JmespathRunError', () => {
    const j = compileJmespath({ expr: 'abs(students)' });
    assert.throws(() => runJmespath(j, students), JmespathRunError);
  });
  it('a result past the size budget is refused, not built', () => {
    const j = compileJmespath({ expr: '[@, @, @, @, @, @, @, @]' });
    const big = { a: Array.from({ length: 200_000 }, (_, i) => i) };
    assert.throws(() => runJmespath(j, big), /size limit/);
  });
});

describe('modifier/jmespath config errors', () => {
  const base = '/endpoints/0/extra_config/modifier~1jmespath';
  it('syntax errors and unknown functions stop startup with the pointer of expr', () => {
    refused({ expr: 'students[?age > ' }, `${base}/expr`, /invalid JMESPath expression/);
    refused({ expr: 'foo(@)' }, `${base}/expr`, /unknown JMESPath function foo/);
    refused({ expr: 'a | nope(b)' }, `${base}/expr`, /nope/);
  });
  it('missing, empty or non-string expr; unknown keys', () => {
    refused({}, base, /needs "expr"/);
    refused({ expr: '' }, `${base}/expr`, /non-empty/);
    refused({ expr: 3 }, `${base}/expr`, /non-empty string/);
    refused({ expr: 'a', exp: 'b' }, `${base}/exp`, /only "expr"/);
    refused('a.b', base, /must be an object/);
    assert.doesNotThrow(() => compileJmespath({ expr: 'a', '@comment': 'ok' }));
  });
  it('amplifying expressions are refused at startup', () => {
    refused({ expr: "pad_left(a, `1000000000`, 'x')" }, `${base}/expr`, /literal width/);
    refused({ expr: 'pad_right(a, b)' }, `${base}/expr`, /literal width/);
    assert.doesNotThrow(() => compileJmespath({ expr: "pad_left(a, `8`, '0')" }));
    const chain = Array.from({ length: 20 }, () => '[@, @][]').join(' | ');
    refused({ expr: chain }, `${base}/expr`, /copy the data/);
    refused({ expr: 'a'.repeat(9000) }, `${base}/expr`, /longer than/);
  });
  it('schema shape', () => {
    assert.deepEqual(JMESPATH_SCHEMA.required, ['expr']);
  });
});
