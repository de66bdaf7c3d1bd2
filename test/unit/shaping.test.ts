import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { compileBackendShaper } from '../../src/shaping/backend-shaper.js';
import { compileFlatmap, validateFlatmap } from '../../src/shaping/flatmap.js';
import type { Data, FlatmapOp, ShapeOptions } from '../../src/shaping/types.js';

/** Compile + apply, asserting the shaper exists. Input is cloned so literals stay reusable. */
function shape(o: ShapeOptions, d: Data): Data {
  const f = compileBackendShaper(o);
  assert.ok(f, 'expected a shaper');
  return f(structuredClone(d));
}

function fm(ops: FlatmapOp[], d: Data): Data {
  return compileFlatmap(ops)(structuredClone(d));
}

function json(v: unknown): string {
  return JSON.stringify(v);
}

function assertNoPollution(): void {
  const probe: Record<string, unknown> = {};
  assert.equal(probe.polluted, undefined, 'Object.prototype was polluted');
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'x'), false);
}

describe('compileBackendShaper: no options', () => {
  it('returns null when nothing is set', () => {
    assert.equal(compileBackendShaper({}), null);
  });
  it('returns null for empty values', () => {
    assert.equal(compileBackendShaper({ target: '', allow: [], deny: [], mapping: {}, group: '', flatmap: [] }), null);
  });
  it('returns null for identity-only mappings', () => {
    assert.equal(compileBackendShaper({ mapping: { a: 'a' } }), null);
  });
});

describe('target', () => {
  it('extracts a nested object', () => {
    assert.equal(json(shape({ target: 'a.b' }, { a: { b: { c: 1 } } })), '{"c":1}');
  });
  it('single segment', () => {
    assert.deepEqual(shape({ target: 'data' }, { data: { x: 1 }, meta: 2 }), { x: 1 });
  });
  it('missing step -> {}', () => {
    assert.deepEqual(shape({ target: 'a.x' }, { a: { b: 1 } }), {});
    assert.deepEqual(shape({ target: 'nope' }, { a: 1 }), {});
  });
  it('non-object at the end or on the way -> {}', () => {
    assert.deepEqual(shape({ target: 'a' }, { a: [1, 2] }), {});
    assert.deepEqual(shape({ target: 'a' }, { a: 'str' }), {});
    assert.deepEqual(shape({ target: 'a' }, { a: null }), {});
    assert.deepEqual(shape({ target: 'a.0' }, { a: [{ x: 1 }] }), {}, 'targets never walk arrays');
    assert.deepEqual(shape({ target: 'a.b.c' }, { a: { b: 5 } }), {});
  });
  it('never resolves inherited properties', () => {
    assert.deepEqual(shape({ target: '__proto__' }, { a: 1 }), {});
    assert.deepEqual(shape({ target: 'constructor.prototype' }, { a: 1 }), {});
    assert.deepEqual(shape({ target: 'toString' }, { a: 1 }), {});
  });
  it('follows an own "__proto__" key produced by JSON.parse', () => {
    const f = compileBackendShaper({ target: '__proto__' });
    assert.ok(f);
    const out = f(JSON.parse('{"__proto__":{"ok":true}}') as Data);
    assert.deepEqual(out, { ok: true });
  });
  it('does not descend into class instances (e.g. lossless number wrappers)', () => {
    class Num {
      constructor(readonly value: string) {}
    }
    const f = compileBackendShaper({ target: 'n' });
    assert.ok(f);
    assert.deepEqual(f({ n: new Num('12345678901234567890') }), {});
  });
});

describe('allow', () => {
  it('keeps only listed top-level keys (param_forwarding fixture)', () => {
    const body = { foo: 42, headers: { 'X-A': ['1'] }, path: '/param_forwarding/1', query: {} };
    assert.equal(json(shape({ allow: ['foo'] }, body)), '{"foo":42}');
  });
  it('nested path keeps only the listed leaf', () => {
    assert.equal(json(shape({ allow: ['a.b'] }, { a: { b: 1, c: 2 }, d: 3 })), '{"a":{"b":1}}');
  });
  it('keeps whole sub-trees of listed leaves', () => {
    const d = { a: { b: { deep: [1, { x: 2 }] }, c: 1 }, z: 0 };
    assert.deepEqual(shape({ allow: ['a.b'] }, d), { a: { b: { deep: [1, { x: 2 }] } } });
    assert.deepEqual(shape({ allow: ['a'] }, d), { a: { b: { deep: [1, { x: 2 }] }, c: 1 } });
  });
  it('nothing survives -> {}', () => {
    assert.deepEqual(shape({ allow: ['x'] }, { a: 1 }), {});
    assert.deepEqual(shape({ allow: ['a.x'] }, { a: { b: 1 } }), {});
    assert.deepEqual(shape({ allow: ['a.b'] }, { a: {} }), {});
  });
  it('emptied intermediate objects are removed, siblings kept', () => {
    assert.deepEqual(shape({ allow: ['a.x', 'b'] }, { a: { y: 1 }, b: 2 }), { b: 2 });
  });
  it('does not walk into arrays or scalars', () => {
    assert.deepEqual(shape({ allow: ['a.0'] }, { a: [1, 2] }), {});
    assert.deepEqual(shape({ allow: ['a.b'] }, { a: [{ b: 1 }] }), {});
    assert.deepEqual(shape({ allow: ['a.b'] }, { a: 'scalar' }), {});
  });
  it('parent and child listed: parent kept whole regardless of order', () => {
    const d = { a: { b: 1, c: 2 } };
    assert.deepEqual(shape({ allow: ['a', 'a.b'] }, d), d);
    assert.deepEqual(shape({ allow: ['a.b', 'a'] }, d), d);
  });
  it('multiple paths in the same branch', () => {
    const d = { a: { b: { x: 1, y: 2, z: 3 }, c: 4 } };
    assert.deepEqual(shape({ allow: ['a.b.x', 'a.b.z', 'a.c'] }, d), { a: { b: { x: 1, z: 3 }, c: 4 } });
  });
  it('preserves input key order', () => {
    assert.equal(json(shape({ allow: ['c', 'a'] }, { a: 1, b: 2, c: 3 })), '{"a":1,"c":3}');
  });
  it('deny is ignored when allow is set', () => {
    assert.deepEqual(shape({ allow: ['a'], deny: ['a'] }, { a: 1, b: 2 }), { a: 1 });
  });
  it('inherited names are never exposed', () => {
    assert.deepEqual(shape({ allow: ['__proto__', 'constructor', 'toString'] }, { a: 1 }), {});
  });
  it('own "__proto__" key is kept as an own property, prototype untouched', () => {
    const f = compileBackendShaper({ allow: ['__proto__'] });
    assert.ok(f);
    const out = f(JSON.parse('{"__proto__":{"polluted":true},"b":1}') as Data);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(json(out), '{"__proto__":{"polluted":true}}');
    assertNoPollution();
  });
});

describe('deny', () => {
  it('static fixture: deny message on {"message":"pong"} -> {}', () => {
    assert.equal(json(shape({ deny: ['message'] }, { message: 'pong' })), '{}');
  });
  it('removes top-level and nested paths', () => {
    const d = { a: { b: 1, c: 2 }, d: 3, e: 4 };
    assert.deepEqual(shape({ deny: ['a.b', 'd'] }, d), { a: { c: 2 }, e: 4 });
  });
  it('removes deep paths exactly', () => {
    assert.deepEqual(shape({ deny: ['a.b.c'] }, { a: { b: { c: 1, k: 2 }, x: 1 } }), {
      a: { b: { k: 2 }, x: 1 },
    });
  });
  it('emptied objects stay as {}', () => {
    assert.deepEqual(shape({ deny: ['a.b'] }, { a: { b: 1 } }), { a: {} });
  });
  it('missing paths and non-object steps are no-ops', () => {
    const d = { a: [{ b: 1 }], s: 'x', n: null };
    assert.deepEqual(shape({ deny: ['zz', 'a.b', 'a.0', 's.length', 'n.x', 'q.r.s'] }, d), d);
  });
  it('parent + child denied removes parent in either order', () => {
    assert.deepEqual(shape({ deny: ['a', 'a.b'] }, { a: { b: 1 }, c: 1 }), { c: 1 });
    assert.deepEqual(shape({ deny: ['a.b', 'a'] }, { a: { b: 1 }, c: 1 }), { c: 1 });
  });
  it('deny of inherited names does nothing', () => {
    assert.deepEqual(shape({ deny: ['__proto__', 'constructor', 'toString.x'] }, { a: 1 }), { a: 1 });
    assert.equal(typeof Object.prototype.toString, 'function');
  });
});

describe('mapping', () => {
  it('renames top-level keys (combination fixture)', () => {
    const d = { collection: [{ id: 1 }, { id: 2 }] };
    assert.equal(json(shape({ mapping: { collection: 'posts' } }, d)), '{"posts":[{"id":1},{"id":2}]}');
  });
  it('only the part before the first dot is the new name', () => {
    assert.deepEqual(shape({ mapping: { a: 'x.y.z' } }, { a: 1 }), { x: 1 });
  });
  it('missing source is a no-op', () => {
    assert.deepEqual(shape({ mapping: { nope: 'x' } }, { a: 1 }), { a: 1 });
  });
  it('only top-level keys are renamed', () => {
    assert.deepEqual(shape({ mapping: { 'a.b': 'c' } }, { a: { b: 1 } }), { a: { b: 1 } });
  });
  it('overwrites an existing destination key', () => {
    assert.deepEqual(shape({ mapping: { a: 'b' } }, { a: 1, b: 2 }), { b: 1 });
  });
  it('several independent renames', () => {
    assert.deepEqual(shape({ mapping: { a: 'x', b: 'y' } }, { a: 1, b: 2, c: 3 }), { x: 1, y: 2, c: 3 });
  });
  it('renames are simultaneous (swap and chains)', () => {
    assert.deepEqual(shape({ mapping: { a: 'b', b: 'a' } }, { a: 1, b: 2 }), { a: 2, b: 1 });
    assert.deepEqual(shape({ mapping: { a: 'b', b: 'c' } }, { a: 1, b: 2 }), { b: 1, c: 2 });
    assert.deepEqual(shape({ mapping: { a: 'b', b: 'c' } }, { a: 1 }), { b: 1 });
  });
  it('identity mapping keeps the key', () => {
    assert.deepEqual(shape({ mapping: { a: 'a', b: 'c' } }, { a: 1, b: 2 }), { a: 1, c: 2 });
  });
  it('mapping to "__proto__" creates an own property, never a prototype', () => {
    const out = shape({ mapping: { a: '__proto__' } }, { a: { polluted: true } });
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal((out as { polluted?: unknown }).polluted, undefined);
    assertNoPollution();
  });
  it('mapping from an inherited name does nothing', () => {
    assert.deepEqual(shape({ mapping: { constructor: 'x', __proto__x: 'y' } }, { a: 1 }), { a: 1 });
  });
});

describe('group', () => {
  it('wraps the data', () => {
    assert.equal(json(shape({ group: 'g' }, { a: 1 })), '{"g":{"a":1}}');
  });
  it('wraps empty data too', () => {
    assert.deepEqual(shape({ group: 'g' }, {}), { g: {} });
  });
  it('group "__proto__" is an own key', () => {
    const out = shape({ group: '__proto__' }, { polluted: true });
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assertNoPollution();
  });
});

describe('ordering of manipulations', () => {
  it('target -> allow -> mapping -> group', () => {
    const d = { data: { a: 1, b: 2, c: 3 }, meta: { x: 1 } };
    const out = shape({ target: 'data', allow: ['a', 'b'], mapping: { a: 'alpha' }, group: 'g' }, d);
    assert.equal(json(out), '{"g":{"b":2,"alpha":1}}');
  });
  it('allow runs on original names (before mapping)', () => {
    assert.deepEqual(shape({ allow: ['a'], mapping: { a: 'b' } }, { a: 1, b: 2 }), { b: 1 });
    assert.deepEqual(shape({ allow: ['b'], mapping: { a: 'b' } }, { a: 1, b: 2 }), { b: 2 });
  });
  it('target -> deny -> mapping -> group', () => {
    const d = { r: { a: 1, secret: 2, n: { s: 1, k: 2 } } };
    const out = shape({ target: 'r', deny: ['secret', 'n.s'], mapping: { n: 'nested' }, group: 'x' }, d);
    assert.deepEqual(out, { x: { a: 1, nested: { k: 2 } } });
  });
  it('missing target still groups {}', () => {
    assert.deepEqual(shape({ target: 'nope', allow: ['a'], group: 'g' }, { a: 1 }), { g: {} });
  });
  it('flatmap replaces allow/deny/mapping but keeps target and group', () => {
    const d = { body: { items: [{ id: 1, pw: 'x' }], keep: 1 }, other: 2 };
    const out = shape(
      {
        target: 'body',
        allow: ['nothing'],
        deny: ['keep'],
        mapping: { keep: 'renamed' },
        flatmap: [{ type: 'del', args: ['items.*.pw'] }],
        group: 'g',
      },
      d,
    );
    assert.deepEqual(out, { g: { items: [{ id: 1 }], keep: 1 } });
  });
  it('invalid flatmap makes compilation throw', () => {
    assert.throws(() => compileBackendShaper({ flatmap: [{ type: 'nope' as 'del', args: ['a'] }] }), /invalid flatmap_filter/);
  });
  it('compiled shaper is reusable across requests without state leaks', () => {
    const f = compileBackendShaper({ allow: ['a.b'], mapping: { a: 'x' }, group: 'g' });
    assert.ok(f);
    assert.deepEqual(f({ a: { b: 1, c: 1 } }), { g: { x: { b: 1 } } });
    assert.deepEqual(f({ z: 1 }), { g: {} });
    assert.deepEqual(f({ a: { b: [2] } }), { g: { x: { b: [2] } } });
  });
});

describe('flatmap: conformance', () => {
  it('flatmap_1 fixture (byte-for-byte)', () => {
    const data = { collection: Array.from({ length: 10 }, (_, i) => ({ i, path: '/collection/2' })) };
    const ops: FlatmapOp[] = [
      { type: 'move', args: ['collection', 'paths'] },
      { type: 'del', args: ['paths.*.i'] },
      { type: 'move', args: ['paths.*.path', 'paths.*.url'] },
    ];
    const expected = '{"paths":[' + Array.from({ length: 10 }, () => '{"url":"/collection/2"}').join(',') + ']}';
    assert.equal(json(fm(ops, data)), expected);
    // Through the backend shaper as the pipeline uses it.
    assert.equal(json(shape({ flatmap: ops }, data)), expected);
  });
});

describe('flatmap: move', () => {
  it('renames a top-level key', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['a', 'b'] }], { a: 42 }), { b: 42 });
  });
  it('renames inside an object', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['b.a', 'b.c'] }], { a: 1, b: { a: 42 } }), {
      a: 1,
      b: { c: 42 },
    });
  });
  it('embeds deeper, creating intermediate objects', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['b.a', 'b.x.y.z'] }], { b: { a: 42 } }), {
      b: { x: { y: { z: 42 } } },
    });
    assert.deepEqual(fm([{ type: 'move', args: ['a', 'a.b'] }], { a: [1] }), { a: { b: [1] } });
  });
  it('extracts (promotes) a nested value; emptied parent stays {}', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['b.a', 'c'] }], { a: 1, b: { a: 42 } }), {
      a: 1,
      b: {},
      c: 42,
    });
  });
  it('extracts through an array index', () => {
    const d = { schools: [{ students: ['a'] }, { students: ['b', 'c'] }] };
    assert.deepEqual(fm([{ type: 'move', args: ['schools.1.students', 'alumni'] }], d), {
      schools: [{ students: ['a'] }, {}],
      alumni: ['b', 'c'],
    });
  });
  it('overwrites an existing destination', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['a', 'b'] }], { a: 1, b: 2 }), { b: 1 });
  });
  it('missing source is a no-op', () => {
    const d = { a: { b: 1 }, l: [1, 2] };
    assert.deepEqual(
      fm(
        [
          { type: 'move', args: ['x', 'y'] },
          { type: 'move', args: ['a.x', 'a.y'] },
          { type: 'move', args: ['a.b.c', 'z'] },
          { type: 'move', args: ['l.5', 'z'] },
          { type: 'move', args: ['l.x', 'z'] },
          { type: 'move', args: ['n.*.a', 'n.*.b'] },
        ],
        d,
      ),
      d,
    );
  });
  it('wildcard over object keys', () => {
    const d = {
      c: 42,
      b: { first: { c: { d: 42 } }, last: { m: 42, c: { d: 42 } } },
    };
    assert.deepEqual(fm([{ type: 'move', args: ['b.*.c', 'b.*.x'] }], d), {
      c: 42,
      b: { first: { x: { d: 42 } }, last: { m: 42, x: { d: 42 } } },
    });
  });
  it('wildcard over array elements, skipping elements without the key', () => {
    const d = { b: [{ c: 42 }, { c: { d: 42 } }, { other: 1 }, 7] };
    assert.deepEqual(fm([{ type: 'move', args: ['b.*.c', 'b.*.x'] }], d), {
      b: [{ x: 42 }, { x: { d: 42 } }, { other: 1 }, 7],
    });
  });
  it('nested wildcards', () => {
    const d = {
      a: [
        {
          b: [
            { c: { a: 1 }, aa: 1 },
            { c: { a: 2 }, aa: 1 },
          ],
          aa: 1,
        },
        { b: [{ c: { a: 1 }, aa: 1 }], aa: 1 },
      ],
      tupu: false,
    };
    assert.deepEqual(fm([{ type: 'move', args: ['a.*.b.*.c', 'a.*.b.*.x'] }], d), {
      a: [
        {
          b: [
            { x: { a: 1 }, aa: 1 },
            { x: { a: 2 }, aa: 1 },
          ],
          aa: 1,
        },
        { b: [{ x: { a: 1 }, aa: 1 }], aa: 1 },
      ],
      tupu: false,
    });
  });
  it('wildcard embedding and promotion keep element-wise placement', () => {
    const d = {
      l: [
        { c: 1, k: { v: 'a' } },
        { c: 2, k: { v: 'b' } },
      ],
    };
    assert.deepEqual(fm([{ type: 'move', args: ['l.*.c', 'l.*.meta.count'] }], d), {
      l: [
        { k: { v: 'a' }, meta: { count: 1 } },
        { k: { v: 'b' }, meta: { count: 2 } },
      ],
    });
    assert.deepEqual(fm([{ type: 'move', args: ['l.*.k.v', 'l.*.v'] }], d), {
      l: [
        { c: 1, k: {}, v: 'a' },
        { c: 2, k: {}, v: 'b' },
      ],
    });
  });
  it('wildcard move to another parent with aligned wildcards', () => {
    const d = { src: { x: { v: 1 }, y: { v: 2 } } };
    assert.deepEqual(fm([{ type: 'move', args: ['src.*.v', 'dst.*.v'] }], d), {
      src: { x: {}, y: {} },
      dst: { x: { v: 1 }, y: { v: 2 } },
    });
  });
  it('moving an array element out shrinks the array', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['a.0', 'first'] }], { a: ['x', 'y', 'z'] }), {
      a: ['y', 'z'],
      first: 'x',
    });
  });
  it('replaces an existing array slot', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['v', 'a.1'] }], { a: [1, 2, 3], v: 'new' }), {
      a: [1, 'new', 3],
    });
  });
  it('unreachable array destination drops the value', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['v', 'a.9'] }], { a: [1], v: 2 }), { a: [1] });
    assert.deepEqual(fm([{ type: 'move', args: ['v', 'a.key.x'] }], { a: [1], v: 2 }), { a: [1] });
  });
  it('embedding through a scalar replaces it with an object', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['v', 's.x'] }], { s: 'str', v: 1 }), { s: { x: 1 } });
  });
  it('numeric segment matches object keys too', () => {
    assert.deepEqual(fm([{ type: 'move', args: ['o.0', 'o.zero'] }], { o: { '0': 'a' } }), { o: { zero: 'a' } });
  });
  it('non-canonical indexes do not match array slots', () => {
    const d = { a: ['x', 'y'] };
    assert.deepEqual(fm([{ type: 'move', args: ['a.01', 'z'] }], d), d);
    assert.deepEqual(fm([{ type: 'move', args: ['a.-1', 'z'] }], d), d);
  });
});

describe('flatmap: del', () => {
  it('plain key', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['supu'] }], { supu: 42, tupu: false }), { tupu: false });
  });
  it('nested key; emptied object stays {}', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['i.s'] }], { i: { s: 42, t: false }, t: 1 }), { i: { t: false }, t: 1 });
    assert.deepEqual(fm([{ type: 'del', args: ['i.s'] }], { i: { s: 42 } }), { i: {} });
  });
  it('wildcard in the middle over objects and arrays', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['a.*.supu'] }], { a: { f: { supu: 1, t: 1 }, l: { supu: 1 } } }), {
      a: { f: { t: 1 }, l: {} },
    });
    assert.deepEqual(fm([{ type: 'del', args: ['a.*.b.*.c'] }], { a: [{ b: [{ c: 1, k: 1 }, { c: 2 }] }, { b: 3 }] }), {
      a: [{ b: [{ k: 1 }, {}] }, { b: 3 }],
    });
  });
  it('trailing wildcard empties arrays and objects', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['l.*'] }], { l: [1, 2, 3], o: { a: 1 } }), { l: [], o: { a: 1 } });
    assert.deepEqual(fm([{ type: 'del', args: ['o.*'] }], { o: { a: 1, b: 2 } }), { o: {} });
    assert.deepEqual(fm([{ type: 'del', args: ['*'] }], { a: 1, b: 2 }), {});
  });
  it('array index', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['l.1'] }], { l: ['a', 'b', 'c'] }), { l: ['a', 'c'] });
  });
  it('indexes refer to the original positions within one run', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['l.0', 'l.1'] }], { l: ['a', 'b', 'c', 'd'] }), { l: ['c', 'd'] });
    assert.deepEqual(
      fm(
        [
          { type: 'del', args: ['l.1'] },
          { type: 'move', args: ['l.2', 'picked'] },
        ],
        { l: ['a', 'b', 'c', 'd'] },
      ),
      { l: ['a', 'd'], picked: 'c' },
    );
  });
  it('deleting the same index twice is idempotent', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['l.0', 'l.0'] }], { l: [1, 2] }), { l: [2] });
  });
  it('several args', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['a', 'b.c', 'missing'] }], { a: 1, b: { c: 1, d: 2 }, e: 3 }), {
      b: { d: 2 },
      e: 3,
    });
  });
  it('missing paths and paths through scalars are no-ops', () => {
    const d = { a: 1, s: 'str', n: null, l: [1] };
    assert.deepEqual(fm([{ type: 'del', args: ['x', 'a.b', 's.length', 'n.x', 'l.3', 'l.0.x', 'x.*.y', 'l.*.y'] }], d), d);
  });
  it('similar names are not confused', () => {
    const d = { a: { a: { a: { a: 1 }, aa: 1 }, aa: 1 }, tupu: false };
    assert.deepEqual(fm([{ type: 'del', args: ['a.a.a'] }], d), { a: { a: { aa: 1 }, aa: 1 }, tupu: false });
  });
  it('does not touch inherited properties', () => {
    assert.deepEqual(fm([{ type: 'del', args: ['toString', 'a.hasOwnProperty'] }], { a: {} }), { a: {} });
    assert.equal(typeof Object.prototype.hasOwnProperty, 'function');
  });
});

describe('flatmap: append', () => {
  it('appends src onto dst and removes src', () => {
    assert.deepEqual(fm([{ type: 'append', args: ['a', 'b'] }], { a: [3, 4], b: [1, 2], c: 0 }), {
      b: [1, 2, 3, 4],
      c: 0,
    });
  });
  it('nested paths and array indexes', () => {
    const d = { x: { more: [{ id: 3 }] }, list: [[{ id: 1 }], [{ id: 2 }]] };
    assert.deepEqual(fm([{ type: 'append', args: ['x.more', 'list.1'] }], d), {
      x: {},
      list: [[{ id: 1 }], [{ id: 2 }, { id: 3 }]],
    });
  });
  it('empty arrays', () => {
    assert.deepEqual(fm([{ type: 'append', args: ['a', 'b'] }], { a: [], b: [1] }), { b: [1] });
    assert.deepEqual(fm([{ type: 'append', args: ['a', 'b'] }], { a: [1], b: [] }), { b: [1] });
  });
  it('no-op unless both sides are arrays', () => {
    for (const d of [{ a: [1] }, { b: [1] }, { a: 1, b: [1] }, { a: [1], b: { x: 1 } }, { a: { x: 1 }, b: [1] }] as Data[]) {
      assert.deepEqual(fm([{ type: 'append', args: ['a', 'b'] }], d), d);
    }
  });
  it('holes from earlier operations never leak', () => {
    const d = { a: [1, 2, 3], b: [4, 5, 6] };
    const out = fm(
      [
        { type: 'del', args: ['a.0', 'b.1'] },
        { type: 'append', args: ['a', 'b'] },
      ],
      d,
    );
    assert.equal(json(out), '{"b":[4,6,2,3]}');
  });
  it('documentation example (append, extract, del, rename)', () => {
    const d = {
      kindergarten: [{ PK_ID: 9, password: 'k' }],
      schools: [{ students: [{ PK_ID: 1, password: 'a', name: 'x' }] }, { students: [{ PK_ID: 2, password: 'b' }] }],
    };
    const out = fm(
      [
        { type: 'append', args: ['kindergarten', 'schools'] },
        { type: 'move', args: ['schools.0.students', 'alumni'] },
        { type: 'del', args: ['schools'] },
        { type: 'del', args: ['alumni.*.password'] },
        { type: 'move', args: ['alumni.*.PK_ID', 'alumni.*.id'] },
      ],
      d,
    );
    assert.deepEqual(out, { alumni: [{ name: 'x', id: 1 }] });
  });
});

describe('flatmap: compiled closure', () => {
  it('empty op list is the identity', () => {
    const d = { a: 1 };
    assert.equal(compileFlatmap([])(d), d);
  });
  it('mutates and returns the same object', () => {
    const d: Data = { a: 1 };
    assert.equal(compileFlatmap([{ type: 'move', args: ['a', 'b'] }])(d), d);
    assert.deepEqual(d, { b: 1 });
  });
  it('is reusable across inputs without leaking state', () => {
    const f = compileFlatmap([
      { type: 'del', args: ['l.0'] },
      { type: 'move', args: ['l.*.p', 'l.*.q'] },
    ]);
    assert.deepEqual(f({ l: [{ p: 1 }, { p: 2 }] }), { l: [{ q: 2 }] });
    assert.deepEqual(f({ x: 1 }), { x: 1 });
    assert.deepEqual(f({ l: [{ p: 3 }] }), { l: [] });
    assert.deepEqual(f({ l: [{ p: 4 }, { p: 5 }, { z: 6 }] }), { l: [{ q: 5 }, { z: 6 }] });
  });
  it('treats class instances as leaves', () => {
    class Num {
      constructor(readonly value: string) {}
    }
    const n = new Num('1');
    const d: Data = { n, l: [n] };
    const out = compileFlatmap([
      { type: 'del', args: ['n.value', 'l.*.value'] },
      { type: 'move', args: ['n.value', 'v'] },
    ])(d);
    assert.equal(n.value, '1');
    assert.deepEqual(Object.keys(out), ['n', 'l']);
  });
  it('throws on invalid operations', () => {
    assert.throws(() => compileFlatmap([{ type: 'move', args: ['a'] }]), /invalid flatmap_filter/);
    assert.throws(() => compileFlatmap([{ type: 'del', args: ['__proto__.x'] }]), /forbidden segment/);
  });
});

describe('flatmap: prototype pollution', () => {
  it('wildcard binding "__proto__" from data is written as an own key', () => {
    const d = JSON.parse('{"a":{"__proto__":{"x":{"polluted":true}}}}') as Data;
    const out = compileFlatmap([{ type: 'move', args: ['a.*.x', 'b.*.x'] }])(d);
    const b = out.b as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(b), Object.prototype);
    assert.ok(Object.hasOwn(b, '__proto__'));
    assert.equal(json(out), '{"a":{"__proto__":{}},"b":{"__proto__":{"x":{"polluted":true}}}}');
    assertNoPollution();
  });
  it('renaming into an own "__proto__" element stays own', () => {
    const d = JSON.parse('{"l":[{"k":{"polluted":true}}]}') as Data;
    // `__proto__` as a literal segment is refused, so go through data-provided keys instead.
    const out = compileFlatmap([{ type: 'move', args: ['l.*.k', 'l.*.kk'] }])(d);
    assert.deepEqual(out, { l: [{ kk: { polluted: true } }] });
    assertNoPollution();
  });
  it('deleting through an own "__proto__" key only touches data', () => {
    const d = JSON.parse('{"__proto__":{"x":1,"y":2}}') as Data;
    const out = compileFlatmap([{ type: 'del', args: ['*.x'] }])(d);
    assert.equal(json(out), '{"__proto__":{"y":2}}');
    assertNoPollution();
  });
  it('validateFlatmap refuses forbidden segments', () => {
    for (const bad of ['__proto__', 'a.__proto__.polluted', 'constructor.prototype.polluted', 'a.prototype']) {
      const errs = validateFlatmap([{ type: 'del', args: [bad] }]);
      assert.equal(errs.length, 1, bad);
      assert.match(errs[0], /forbidden segment/);
      assert.equal(validateFlatmap([{ type: 'move', args: ['a', bad] }]).length, 1);
      assert.equal(validateFlatmap([{ type: 'append', args: [bad, 'b'] }]).length, 1);
    }
  });
});

describe('validateFlatmap', () => {
  it('accepts valid lists (and the empty list)', () => {
    assert.deepEqual(validateFlatmap([]), []);
    assert.deepEqual(
      validateFlatmap([
        { type: 'move', args: ['collection', 'paths'] },
        { type: 'del', args: ['paths.*.i', 'x', '*', 'a.*'] },
        { type: 'move', args: ['paths.*.path', 'paths.*.url'] },
        { type: 'move', args: ['a.*.b.*.c', 'a.*.b.*.c.d.e'] },
        { type: 'move', args: ['a.*.b.c', 'a.*.c'] },
        { type: 'move', args: ['schools.42.students', 'alumni'] },
        { type: 'append', args: ['kindergarten', 'schools.0.list'] },
      ]),
      [],
    );
  });
  it('refuses a non-array and non-object entries', () => {
    assert.equal(validateFlatmap({}).length, 1);
    assert.equal(validateFlatmap('x').length, 1);
    assert.match(validateFlatmap([null])[0], /flatmap_filter\[0\]: operation must be an object/);
    assert.match(validateFlatmap([[1]])[0], /must be an object/);
  });
  it('refuses unknown types', () => {
    const errs = validateFlatmap([{ type: 'copy', args: ['a', 'b'] }, { args: ['a'] }]);
    assert.equal(errs.length, 2);
    assert.match(errs[0], /flatmap_filter\[0\]: unknown operation type "copy"/);
    assert.match(errs[1], /flatmap_filter\[1\]: unknown operation type/);
  });
  it('refuses bad args', () => {
    assert.match(validateFlatmap([{ type: 'del' }])[0], /"args" must be an array of strings/);
    assert.match(validateFlatmap([{ type: 'del', args: [1] }])[0], /"args" must be an array of strings/);
    assert.match(validateFlatmap([{ type: 'del', args: 'a' }])[0], /"args" must be an array of strings/);
  });
  it('refuses wrong argument counts', () => {
    assert.match(validateFlatmap([{ type: 'del', args: [] }])[0], /at least 1 argument/);
    assert.match(validateFlatmap([{ type: 'move', args: ['a'] }])[0], /exactly 2 arguments, got 1/);
    assert.match(validateFlatmap([{ type: 'move', args: ['a', 'b', 'c'] }])[0], /exactly 2 arguments, got 3/);
    assert.match(validateFlatmap([{ type: 'append', args: ['a'] }])[0], /exactly 2 arguments/);
  });
  it('refuses empty paths and segments', () => {
    assert.match(validateFlatmap([{ type: 'del', args: [''] }])[0], /path is empty/);
    assert.match(validateFlatmap([{ type: 'del', args: ['a..b'] }])[0], /empty segment/);
    assert.match(validateFlatmap([{ type: 'move', args: ['a.', 'b'] }])[0], /empty segment/);
  });
  it('refuses mismatched wildcard counts', () => {
    const errs = validateFlatmap([{ type: 'move', args: ['a.*.b1.*.c', 'a.*.c'] }]);
    assert.equal(errs.length, 1);
    assert.match(errs[0], /mismatched wildcard counts/);
    assert.match(validateFlatmap([{ type: 'move', args: ['a.*.b1.*.c', 'a.*.b1.*.d.*.e'] }])[0], /mismatched wildcard counts/);
    assert.match(validateFlatmap([{ type: 'move', args: ['a.*.b', 'c'] }])[0], /mismatched wildcard counts/);
  });
  it('refuses misaligned wildcards', () => {
    assert.match(validateFlatmap([{ type: 'move', args: ['a.*.b', 'x.y.*.b'] }])[0], /same positions/);
  });
  it('refuses trailing wildcards in move', () => {
    assert.match(validateFlatmap([{ type: 'move', args: ['a.*', 'b.*'] }])[0], /must not end with a wildcard/);
    assert.match(validateFlatmap([{ type: 'move', args: ['a.b', 'a.*'] }])[0], /must not end with a wildcard/);
  });
  it('refuses wildcards in append', () => {
    assert.match(validateFlatmap([{ type: 'append', args: ['a.*.b', 'c'] }])[0], /wildcards are not supported/);
    assert.match(validateFlatmap([{ type: 'append', args: ['a', 'c.*'] }])[0], /wildcards are not supported/);
  });
  it('reports every bad operation with its index', () => {
    const errs = validateFlatmap([
      { type: 'move', args: ['a', 'b'] },
      { type: 'bad', args: [] },
      { type: 'del', args: [] },
    ]);
    assert.equal(errs.length, 2);
    assert.match(errs[0], /^flatmap_filter\[1\]/);
    assert.match(errs[1], /^flatmap_filter\[2\]/);
  });
});
