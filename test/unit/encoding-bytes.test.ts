// encodeGoBytes (the response writer's JSON encoder) must equal Buffer.from(stringifyGo(v)) byte
// for byte: the same Go encoding/json output, written as UTF-8 without the intermediate string.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { stringifyGo } from '../../src/encoding/json-go.js';
import { encodeGoBytes } from '../../src/encoding/json-go-bytes.js';

function same(v: unknown, expected?: string): void {
  const got = encodeGoBytes(v);
  assert.ok(Buffer.isBuffer(got));
  assert.equal(got.toString('hex'), Buffer.from(stringifyGo(v)).toString('hex'), `for ${String(stringifyGo(v)).slice(0, 80)}`);
  if (expected !== undefined) assert.equal(got.toString('utf8'), expected);
}

describe('encodeGoBytes', () => {
  it('sorts keys (by UTF-8 bytes) and writes compact output like Go json.Marshal', () => {
    same({ b: 1, a: 2, B: 3, _: 4, aa: 5, '': 6 }, '{"":6,"B":3,"_":4,"a":2,"aa":5,"b":1}');
    // UTF-16 puts U+1F600 (surrogates D83D DE00) before U+E000; UTF-8 (F0.. vs EE..) does not.
    same({ '\u{1F600}': 2, '\uE000': 1, a: 0 }, '{"a":0,"\uE000":1,"\u{1F600}":2}');
    same({ z: { '\u{1F600}x': 1, '\uFFFF': 2, '<': 3 }, a: [{ '\u{10000}': 1, '\uE001': 0 }] });
    // A surrogate key whose value is skipped, and one after an escaped key.
    same({ '\u{1F600}': undefined, '\uE000': 1, b: 2 });
    same({ '&\u{1F600}': 1, '\uE000': 2, '"': 3 });
  });

  it('escapes <, > and &, U+2028 and U+2029, and control characters like Go', () => {
    same({ html: '<a href="x">Tom & Jerry</a>' }, '{"html":"\\u003ca href=\\"x\\"\\u003eTom \\u0026 Jerry\\u003c/a\\u003e"}');
    same({ '<k>': '&' }, '{"\\u003ck\\u003e":"\\u0026"}');
    same('a\u2028b\u2029c', '"a\\u2028b\\u2029c"');
    same('\u0000\u0001\b\f\n\r\t\u001f\u007f"\\', '"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\u007f\\"\\\\"');
    // The same in strings long enough for the one-write path, which must not take them.
    same('x'.repeat(40) + '<' + 'y'.repeat(40));
    same('x'.repeat(40) + '\u2028');
    same('x'.repeat(40) + '\n');
  });

  it('writes UTF-8: 2-, 3- and 4-byte characters, pairs kept, lone surrogates as U+FFFD', () => {
    same('é中😀', '"é中😀"');
    same('a\ud800b\udc00c😀<', '"a\ufffdb\ufffdc😀\\u003c"');
    same('\ud83d', '"\ufffd"');
    same('\ude00\ud83d', '"\ufffd\ufffd"');
    // Long strings (the one-write path) with non-ASCII text and lone surrogates.
    same('Привет, мир! '.repeat(10));
    same('x'.repeat(30) + '\ud800' + 'y'.repeat(30) + '\udfff');
    same('😀'.repeat(50));
  });

  it('formats numbers like Go float64 encoding', () => {
    same([0, 42, -7, 1.5, 0.1, 1e-7, 1.5e-7, 1e21, 123456789012, 1e20], '[0,42,-7,1.5,0.1,1e-7,1.5e-7,1e+21,123456789012,100000000000000000000]');
    same(-0, '-0');
    same([-0, 0, -0.0], '[-0,0,-0]');
    same([NaN, Infinity, -Infinity], '[null,null,null]');
    same(12345678901234567890n, '12345678901234567890');
    same([2147483647, -2147483648, 2147483648, -2147483649, 9007199254740991, -9007199254740991]);
    same([5e-324, 1.7976931348623157e308, 1e-6, 1e-5, 123e-20, 98.6, 9.99, -19.5, 1, 10, 100, 999999, 1000000]);
    same(JSON.parse('[12345678901234567890, 1E400, 1e-400, 0.1e1, -1e2]'));
  });

  it('skips undefined, functions and symbols in objects and nulls them in arrays', () => {
    same({ a: undefined, b: null, c: () => 1, d: Symbol('x'), e: 1 }, '{"b":null,"e":1}');
    same([undefined, () => 1, null], '[null,null,null]');
    same({ only: undefined }, '{}');
    same(undefined, 'null');
  });

  it('handles nested arrays, empty objects and arrays, and duplicate keys as JSON.parse leaves them', () => {
    same([[1, [2, []]], {}, [{ z: [true, false], a: 'x' }]], '[[1,[2,[]]],{},[{"a":"x","z":[true,false]}]]');
    same({ a: {}, b: [], c: [{}], d: [[]] }, '{"a":{},"b":[],"c":[{}],"d":[[]]}');
    same(JSON.parse('{"a":1,"b":2,"a":3}'), '{"a":3,"b":2}');
    same(JSON.parse('{"__proto__":{"x":1},"constructor":2}'), '{"__proto__":{"x":1},"constructor":2}');
  });

  it('uses toJSON (Date), also when a toJSON encodes in turn, and writes byte arrays as base64', () => {
    same({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }, '{"at":"2024-01-02T03:04:05.000Z"}');
    same({ b: Buffer.from('hi!'), u: new Uint8Array([1, 2, 3]) }, '{"b":"aGkh","u":"AQID"}');
    const reentrant = { toJSON: () => encodeGoBytes({ y: 1, x: '<' }).toString() };
    assert.equal(encodeGoBytes({ r: reentrant, a: 1 }).toString(), '{"a":1,"r":"{\\"x\\":\\"\\\\u003c\\",\\"y\\":1}"}');
  });

  it('throws a TypeError for cyclic or too deeply nested values, and works on afterwards', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => encodeGoBytes(cyclic), TypeError);
    let deep: unknown = 1;
    for (let i = 0; i < 1001; i++) deep = [deep];
    assert.throws(() => encodeGoBytes(deep), TypeError);
    let ok: unknown = 1;
    for (let i = 0; i < 999; i++) ok = [ok];
    same(ok, '['.repeat(999) + '1' + ']'.repeat(999));
    same({ after: 'error' }, '{"after":"error"}');
  });

  it('large outputs: escapes across the capacity checks, and earlier results never overwritten', () => {
    // Over 4096 code units of escapes, with a surrogate pair across a 4096-unit boundary.
    same('<'.repeat(4095) + '😀' + '&'.repeat(5000));
    same('é'.repeat(10000) + '\n');
    const big = { list: Array.from({ length: 3000 }, (_, i) => ({ i, s: `item <${i}> é ${'z'.repeat(i % 50)}` })) };
    const first = encodeGoBytes(big);
    const small = encodeGoBytes({ a: 'small' });
    const second = encodeGoBytes({ ...big, extra: true });
    assert.equal(first.toString(), stringifyGo(big));
    assert.equal(small.toString(), '{"a":"small"}');
    assert.equal(second.toString(), stringifyGo({ ...big, extra: true }));
    // Small results are copies: the next encoding does not change them.
    const x = encodeGoBytes({ k: 'one' });
    encodeGoBytes({ k: 'two' });
    assert.equal(x.toString(), '{"k":"one"}');
  });

  it('equals stringifyGo on random values', () => {
    // A seeded generator (mulberry32): the same values every run.
    let seed = 20;
    const rnd = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = [
      'a',
      'Z',
      '0',
      ' ',
      '"',
      '\\',
      '/',
      '<',
      '>',
      '&',
      '\n',
      '\t',
      '\u0000',
      '\u001f',
      '\u007f',
      'é',
      'ÿ',
      '中',
      '\u2028',
      '\u2029',
      '\uE000',
      '\uFFFF',
      '😀',
      '\ud800',
      '\udfff',
    ];
    const str = (): string => {
      const n = rnd() < 0.2 ? Math.floor(rnd() * 80) : Math.floor(rnd() * 8);
      let s = '';
      for (let i = 0; i < n; i++) s += rnd() < 0.6 ? 'x' : alphabet[Math.floor(rnd() * alphabet.length)];
      return s;
    };
    const numbers = [0, -0, 1, -1, 42, 2147483647, -2147483648, 2147483648, 1.5, -2.25, 1e-7, 1e21, 1e300, 0.1, 123456.789, NaN, Infinity];
    const value = (d: number): unknown => {
      const r = rnd();
      if (d > 4 || r < 0.3) return str();
      if (r < 0.45) return rnd() < 0.5 ? numbers[Math.floor(rnd() * numbers.length)] : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 10);
      if (r < 0.5) return [true, false, null, undefined][Math.floor(rnd() * 4)];
      if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 5) }, () => value(d + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 6); i > 0; i--) o[str()] = value(d + 1);
      return o;
    };
    for (let i = 0; i < 3000; i++) same(value(0));
  });
});
