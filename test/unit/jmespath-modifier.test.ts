import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { compileJmespath, runJmespath, wrapResult, JmespathRunError, JMESPATH_SCHEMA } from '../../src/modifiers/jmespath/index.js';
import { MartianConfigError } from '../../src/modifiers/martian/index.js';
import jmespath from 'jmespath';

const students = {
  students: [
    { name: 'Bill', age: 23 },
    { name: 'Mary', age: 16 },
    { name: 'Jessica', age: 19 },
  ],
};

function refused(cfg: unknown, pointer: string, re: RegExp): void {
  assert.throws(
    () => compileJmespath(cfg, '/endpoints/0/extra_config/modifier~1jmespath'),
    (e: unknown) => {
      assert.ok(e instanceof MartianConfigError, String(e));
      assert.equal(e.pointer, pointer);
      assert.match(e.reason, re);
      return true;
    },
  );
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
  it('prototype names are plain missing fields: null, never host functions', () => {
    for (const expr of ['constructor', 'toString', '__proto__', '__proto__.constructor', '[constructor, toString]']) {
      const out = runJmespath(compileJmespath({ expr }), {});
      assert.ok(out === null || Array.isArray(out), `${expr} -> ${String(out)}`);
      if (Array.isArray(out)) assert.deepEqual(out, [null, null]);
    }
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
  it('a fan-out that doubles the data 30 times stops at the step budget', () => {
    const chain = Array.from({ length: 30 }, () => '[@, @][]').join(' | ');
    assert.throws(() => runJmespath(compileJmespath({ expr: chain }), { a: 1 }), /exceeds 1000000 steps/);
  });
  it('JMESPath semantics: slices, flatten, filters, or/and/not, literals, functions', () => {
    const d = { a: [0, 1, 2, 3, 4, 5], n: [[1, 2], 3, [4]], p: [{ x: 1, t: ['a'] }, { x: 5 }, { x: 'no' }], s: 'héllo', o: { b: 2, a: 1 } };
    const run = (expr: string): unknown => runJmespath(compileJmespath({ expr }), d);
    assert.deepEqual(run('a[1:4]'), [1, 2, 3]);
    assert.deepEqual(run('a[::-2]'), [5, 3, 1]);
    assert.deepEqual(run('a[-1]'), 5);
    assert.deepEqual(run('n[]'), [1, 2, 3, 4]);
    assert.deepEqual(run('p[?x > `2`].x'), [5]);
    assert.deepEqual(run('p[?x == `1`].t[]'), ['a']);
    assert.deepEqual(run('p[*].t'), [['a']]);
    assert.deepEqual(run('missing || o.a'), 1);
    assert.deepEqual(run('o.a && o.b'), 2);
    assert.deepEqual(run('!missing'), true);
    assert.deepEqual(run('o.*'), [2, 1]);
    assert.deepEqual(run('`{"l": [1]}`.l'), [1]);
    assert.deepEqual(run("'raw'"), 'raw');
    assert.deepEqual(run('length(s)'), 5);
    assert.deepEqual(run('keys(o)'), ['b', 'a']);
    assert.deepEqual(run('sort(keys(o))'), ['a', 'b']);
    assert.deepEqual(run('max_by(p[:2], &x).x'), 5);
    assert.deepEqual(run('map(&x, p)'), [1, 5, 'no']);
    assert.deepEqual(run('sum(a) == `15`'), true);
    assert.deepEqual(run('avg(a)'), 2.5);
    assert.deepEqual(run("join('-', ['a', 'b'])"), 'a-b');
    assert.deepEqual(run('contains(p[*].x, `5`)'), true);
    assert.deepEqual(run("to_number('12.5')"), 12.5);
    assert.deepEqual(run('to_string(o)'), '{"b":2,"a":1}');
    assert.deepEqual(run('type(a)'), 'array');
    assert.deepEqual(run('not_null(missing, `null`, o.b)'), 2);
    assert.deepEqual(run('merge(o, `{"c": 3}`)'), { b: 2, a: 1, c: 3 });
    assert.deepEqual(run('reverse(s)'), 'olléh');
    assert.deepEqual(run('a[?@ > `3`] | [0]'), 4);
  });
});

describe('the Rampart interpreter agrees with the reference implementation', () => {
  const data = {
    people: [
      { name: 'a', age: 30, tags: ['x', 'y'] },
      { name: 'b', age: 20, tags: [] },
      { name: 'c', age: 40, tags: ['z'] },
    ],
    m: { k1: { v: 1 }, k2: { v: 2 }, k3: null },
    nested: [[1, [2]], [3], 4],
    s: 'abc',
    e: [],
    f: 1.5,
  };
  const exprs = [
    'people[*].name',
    'people[?age > `25`].name',
    'people[?tags].name',
    'people[].tags[]',
    'people[*].tags[0]',
    'm.*.v',
    'nested[]',
    'nested[][]',
    'people[0:2].{n: name, a: age}',
    'people[-1:].name',
    'people[::-1].name',
    'sort_by(people, &age)[*].name',
    'min_by(people, &age).name',
    'length(people[?age < `35`])',
    'people[?name == `"b"`] | [0].age',
    '[people[0].name, s, f]',
    'e || s',
    'e && s',
    '!e',
    'm.k3.v',
    'people[?!tags]',
    'keys(m)',
    'values(m)[?v]',
    'max(people[*].age)',
    'avg(people[*].age)',
    "starts_with(s, 'ab')",
    'floor(f)',
    'ceil(f)',
    'abs(`-3`)',
    'to_array(s)',
    'to_string(`[1,2]`)',
    "contains(s, 'b')",
    'reverse(people[*].name)',
    'not_null(m.k3, s)',
    'type(m)',
    'sum(people[*].age)',
    'people[?age >= `30` && age <= `40`].name',
    'people | length(@)',
    'people[*].[name, age][]',
    'sort(people[*].name)',
    'merge(m.k1, m.k2)',
    'map(&length(tags), people)',
    'people[1].tags == `[]`',
  ];
  for (const expr of exprs) {
    it(expr, () => {
      assert.deepEqual(runJmespath(compileJmespath({ expr }), structuredClone(data)), jmespath.search(structuredClone(data), expr));
    });
  }
});

describe('modifier/jmespath config errors', () => {
  const base = '/endpoints/0/extra_config/modifier~1jmespath';
  it('syntax errors and unknown functions stop startup with the pointer of expr', () => {
    refused({ expr: 'students[?age > ' }, `${base}/expr`, /invalid JMESPath expression/);
    refused({ expr: 'foo(@)' }, `${base}/expr`, /unknown JMESPath function foo/);
    refused({ expr: 'a | nope(b)' }, `${base}/expr`, /nope/);
    refused({ expr: 'pad_left(a, `5`)' }, `${base}/expr`, /unknown JMESPath function pad_left/);
  });
  it('missing, empty or non-string expr; unknown keys', () => {
    refused({}, base, /needs "expr"/);
    refused({ expr: '' }, `${base}/expr`, /non-empty/);
    refused({ expr: 3 }, `${base}/expr`, /non-empty string/);
    refused({ expr: 'a', exp: 'b' }, `${base}/exp`, /only "expr"/);
    refused('a.b', base, /must be an object/);
    assert.doesNotThrow(() => compileJmespath({ expr: 'a', '@comment': 'ok' }));
  });
  it('wrong arities and over-long expressions are refused at startup', () => {
    refused({ expr: 'length(a, b)' }, `${base}/expr`, /takes 1 argument/);
    refused({ expr: 'merge()' }, `${base}/expr`, /at least 1/);
    refused({ expr: 'a'.repeat(9000) }, `${base}/expr`, /longer than/);
  });
  it('schema shape', () => {
    assert.deepEqual(JMESPATH_SCHEMA.required, ['expr']);
  });
});
