import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { stringifyGo } from '../../src/encoding/json-go.js';
import { decodeXml, encodeXml, MAX_XML_DEPTH } from '../../src/encoding/xml.js';
import { encodeYaml } from '../../src/encoding/yaml.js';

const USER_XML =
  '<user type="admin"><name>Elliot</name><social><facebook>https://facebook.com</facebook>' +
  '<twitter>https://twitter.com</twitter><youtube>https://youtube.com</youtube></social></user>';

const USER_MAP = {
  user: {
    '-type': 'admin',
    name: 'Elliot',
    social: { facebook: 'https://facebook.com', twitter: 'https://twitter.com', youtube: 'https://youtube.com' },
  },
};

// What a KrakenD backend echo returns; keys deliberately not in sorted order.
const ECHO = {
  query: {},
  path: '/param_forwarding/',
  headers: {
    'X-Forwarded-Host': ['localhost:8080'],
    'User-Agent': ['KrakenD Version 2.13.8'],
    Referer: ['http://127.0.0.1:8081/param_forwarding'],
    'Accept-Encoding': ['gzip'],
  },
  foo: 42,
};

describe('stringifyGo', () => {
  it('sorts keys and writes compact output like Go json.Marshal', () => {
    assert.equal(
      stringifyGo(ECHO),
      '{"foo":42,"headers":{"Accept-Encoding":["gzip"],"Referer":["http://127.0.0.1:8081/param_forwarding"],' +
        '"User-Agent":["KrakenD Version 2.13.8"],"X-Forwarded-Host":["localhost:8080"]},' +
        '"path":"/param_forwarding/","query":{}}',
    );
  });

  it('sorts keys by byte, uppercase before underscore before lowercase', () => {
    assert.equal(stringifyGo({ b: 1, a: 2, B: 3, _: 4, aa: 5, '': 6 }), '{"":6,"B":3,"_":4,"a":2,"aa":5,"b":1}');
  });

  it('sorts keys by UTF-8 bytes, not UTF-16 units, for characters above U+FFFF', () => {
    // UTF-16 puts U+1F600 (surrogates D83D DE00) before U+E000; UTF-8 (F0.. vs EE..) does not.
    assert.equal(stringifyGo({ '\u{1F600}': 2, '\uE000': 1, a: 0 }), '{"a":0,"\uE000":1,"\u{1F600}":2}');
  });

  it('escapes <, > and & like Go does by default', () => {
    assert.equal(stringifyGo({ html: '<a href="x">Tom & Jerry</a>' }), '{"html":"\\u003ca href=\\"x\\"\\u003eTom \\u0026 Jerry\\u003c/a\\u003e"}');
    assert.equal(stringifyGo({ '<k>': '&' }), '{"\\u003ck\\u003e":"\\u0026"}');
  });

  it('escapes U+2028 and U+2029', () => {
    assert.equal(stringifyGo('a\u2028b\u2029c'), '"a\\u2028b\\u2029c"');
  });

  it('escapes control characters: short forms for \\n \\r \\t \\b \\f, \\u00XX otherwise', () => {
    assert.equal(stringifyGo('\u0000\u0001\b\f\n\r\t\u001f\u007f"\\'), '"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\u007f\\"\\\\"');
    // Same answer on the Go-specific slow path (mixed with an HTML character).
    assert.equal(stringifyGo('<\u0001\b\n"\\'), '"\\u003c\\u0001\\b\\n\\"\\\\"');
  });

  it('keeps valid surrogate pairs and turns lone surrogates into U+FFFD', () => {
    assert.equal(stringifyGo('😀'), '"😀"');
    assert.equal(stringifyGo('a\ud800b\udc00c😀<'), '"a\ufffdb\ufffdc😀\\u003c"');
  });

  it('formats numbers like Go float64 encoding', () => {
    assert.equal(
      stringifyGo([0, 42, -7, 1.5, 0.1, 1e-7, 1.5e-7, 1e21, 123456789012, 1e20]),
      '[0,42,-7,1.5,0.1,1e-7,1.5e-7,1e+21,123456789012,100000000000000000000]',
    );
    assert.equal(stringifyGo(-0), '-0');
    assert.equal(stringifyGo([NaN, Infinity, -Infinity]), '[null,null,null]');
    assert.equal(stringifyGo(12345678901234567890n), '12345678901234567890');
  });

  it('skips undefined, functions and symbols in objects and nulls them in arrays', () => {
    assert.equal(stringifyGo({ a: undefined, b: null, c: () => 1, d: Symbol('x'), e: 1 }), '{"b":null,"e":1}');
    assert.equal(stringifyGo([undefined, () => 1, null]), '[null,null,null]');
    assert.equal(stringifyGo({ only: undefined }), '{}');
    assert.equal(stringifyGo(undefined), 'null');
  });

  it('handles nested arrays and objects', () => {
    assert.equal(stringifyGo([[1, [2, []]], {}, [{ z: [true, false], a: 'x' }]]), '[[1,[2,[]]],{},[{"a":"x","z":[true,false]}]]');
  });

  it('uses toJSON (Date) and writes byte arrays as base64 like Go []byte', () => {
    assert.equal(stringifyGo({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }), '{"at":"2024-01-02T03:04:05.000Z"}');
    assert.equal(stringifyGo({ b: Buffer.from('hi!') }), '{"b":"aGkh"}');
  });

  it('matches JSON.stringify on data with nothing Go-specific', () => {
    const data = { a: 'plain text', b: [1, 2.5, 'x\ny'], c: { d: null, e: true, f: 'quote " back \\ slash' } };
    assert.equal(stringifyGo(data), JSON.stringify(data));
  });

  it('throws a TypeError for cyclic or too deeply nested values', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => stringifyGo(cyclic), TypeError);
    let deep: unknown = 1;
    for (let i = 0; i < 1001; i++) deep = [deep];
    assert.throws(() => stringifyGo(deep), TypeError);
    let ok: unknown = 1;
    for (let i = 0; i < 999; i++) ok = [ok];
    assert.equal(stringifyGo(ok), '['.repeat(999) + '1' + ']'.repeat(999));
  });
});

describe('decodeXml', () => {
  it('decodes into mxj-style maps', () => {
    const out = decodeXml(USER_XML);
    assert.deepEqual(out, USER_MAP);
    assert.equal(
      JSON.stringify(out),
      '{"user":{"-type":"admin","name":"Elliot","social":{"facebook":"https://facebook.com","twitter":"https://twitter.com","youtube":"https://youtube.com"}}}',
    );
  });

  it('turns repeated elements into arrays and keeps text as strings', () => {
    assert.deepEqual(decodeXml('<r><i>1</i><j>true</j><i>2</i><i>3.5</i></r>'), { r: { i: ['1', '2', '3.5'], j: 'true' } });
  });

  it('handles empty elements, attributes with and without text', () => {
    assert.deepEqual(decodeXml('<r><e/><f></f><g a="1"/><h a="1"> t </h><w>  </w></r>'), {
      r: { e: '', f: '', g: { '-a': '1' }, h: { '-a': '1', '#text': 't' }, w: '' },
    });
    assert.deepEqual(decodeXml('<r/>'), { r: '' });
  });

  it('puts text of mixed content under #text', () => {
    assert.deepEqual(decodeXml('<r>hello <b>x</b></r>'), { r: { b: 'x', '#text': 'hello' } });
  });

  it('ignores the prolog, comments, processing instructions and a BOM', () => {
    const xml = '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi -->\n<r><?pi x?><!-- c --><a>1</a></r>\n';
    assert.deepEqual(decodeXml(xml), { r: { a: '1' } });
  });

  it('decodes predefined entities and character references, keeps CDATA literal', () => {
    assert.deepEqual(decodeXml('<r x="&quot;&lt;&gt;&amp;&apos;"><t>&#65;&#x42;&#x1F600;</t><c><![CDATA[<b> &amp; </b>]]></c></r>'), {
      r: { '-x': '"<>&\'', t: 'AB😀', c: '<b> &amp; </b>' },
    });
  });

  it('drops namespace prefixes like Go xml.Decoder Name.Local', () => {
    const xml = '<s:Envelope xmlns:s="urn:s" xmlns="urn:d"><s:Body s:id="1"><v>1</v></s:Body></s:Envelope>';
    assert.deepEqual(decodeXml(xml), { Envelope: { '-s': 'urn:s', '-xmlns': 'urn:d', Body: { '-id': '1', v: '1' } } });
  });

  it('keeps "__proto__" as data without touching prototypes', () => {
    const out = decodeXml('<r><__proto__><polluted>yes</polluted></__proto__></r>');
    const r = out.r as Record<string, unknown>;
    assert.ok(Object.hasOwn(r, '__proto__'));
    assert.deepEqual(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, { polluted: 'yes' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
  });

  it('refuses DOCTYPE and entity declarations (XXE, billion laughs)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
    const laughs =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    for (const xml of [xxe, laughs, '<!doctype r><r/>', '<!ENTITY x "y"><r/>', '<r><!ENTITY x "y"></r>']) {
      assert.throws(() => decodeXml(xml), /not allowed/);
    }
  });

  it('does not mistake declarations inside comments or CDATA for real ones', () => {
    assert.deepEqual(decodeXml('<r><!-- <!DOCTYPE x> --><c><![CDATA[<!ENTITY y>]]></c></r>'), { r: { c: '<!ENTITY y>' } });
  });

  it('bounds nesting depth', () => {
    const nest = (n: number) => '<a>'.repeat(n) + 'x' + '</a>'.repeat(n);
    let v: unknown = decodeXml(nest(MAX_XML_DEPTH));
    for (let i = 0; i < MAX_XML_DEPTH; i++) v = (v as Record<string, unknown>).a;
    assert.equal(v, 'x');
    assert.throws(() => decodeXml(nest(MAX_XML_DEPTH + 1)), /deeper than 100/);
    assert.throws(() => decodeXml(nest(100_000)), /deeper than 100/);
  });

  it('throws on malformed XML', () => {
    const bad = [
      '',
      '   ',
      'just text',
      '<a>',
      '<a><b></a>',
      '<a></b>',
      '<a>1</a><b>2</b>',
      '<a/>trailing',
      '<a x="1" x="2"/>',
      '<a x=1/>',
      '<a>&nbsp;</a>',
      '<a>x & y</a>',
      '<a x="&bogus;"/>',
      '<a>&#0;</a>',
      '<a>\u0001</a>',
      '<a><!-- unterminated </a>',
    ];
    for (const xml of bad) assert.throws(() => decodeXml(xml), Error, JSON.stringify(xml));
  });
});

describe('encodeXml', () => {
  it('round-trips the user document byte for byte', () => {
    assert.equal(encodeXml(decodeXml(USER_XML)), USER_XML);
  });

  it('wraps multi-key maps in <doc>, sorts keys, repeats arrays, self-closes empty maps', () => {
    assert.equal(
      encodeXml(ECHO),
      '<doc><foo>42</foo><headers><Accept-Encoding>gzip</Accept-Encoding><Referer>http://127.0.0.1:8081/param_forwarding</Referer>' +
        '<User-Agent>KrakenD Version 2.13.8</User-Agent><X-Forwarded-Host>localhost:8080</X-Forwarded-Host></headers>' +
        '<path>/param_forwarding/</path><query/></doc>',
    );
  });

  it('matches krakend-xml render test output', () => {
    assert.equal(
      encodeXml({ a: { content: 'supu & tupu' }, content: 'tupu', foo: 42 }),
      '<doc><a><content>supu &amp; tupu</content></a><content>tupu</content><foo>42</foo></doc>',
    );
  });

  it('escapes text and attribute values', () => {
    assert.equal(
      encodeXml({ r: { '-q': `a"b'<&>`, t: `<x> & "y" 'z'` } }),
      '<r q="a&quot;b&apos;&lt;&amp;&gt;"><t>&lt;x&gt; &amp; &quot;y&quot; &apos;z&apos;</t></r>',
    );
  });

  it('replaces characters XML cannot carry with U+FFFD', () => {
    assert.equal(encodeXml({ r: 'a\u0001b\ud800c😀\tok' }), '<r>a\ufffdb\ufffdc😀\tok</r>');
  });

  it('writes attributes, #text and children in mxj order', () => {
    assert.equal(encodeXml({ r: { b: 1, '-z': true, '-a': 1.5, '#text': 'hi' } }), '<r a="1.5" z="true">hi<b>1</b></r>');
    assert.equal(encodeXml({ r: { '-a': 'x' } }), '<r a="x"/>');
    assert.equal(encodeXml({ r: { '-a': 'x', '#text': '' } }), '<r a="x"></r>');
  });

  it('flattens nested arrays and self-closes empty values', () => {
    assert.equal(
      encodeXml({ i: [1, [2, 3], { '-k': 'v' }, null, ''], e: [], n: null, s: '', m: {} }),
      '<doc><e/><i>1</i><i>2</i><i>3</i><i k="v"/><i/><i/><m/><n/><s/></doc>',
    );
  });

  it('picks the root like mxj, but never emits several root elements', () => {
    assert.equal(encodeXml({ msg: 'hi' }), '<msg>hi</msg>');
    assert.equal(encodeXml({ list: [{ a: 1 }] }), '<list><a>1</a></list>');
    assert.equal(encodeXml({ list: [{ a: 1 }, { a: 2 }] }), '<doc><list><a>1</a></list><list><a>2</a></list></doc>');
    assert.equal(encodeXml({ list: ['x'] }), '<doc><list>x</list></doc>');
    assert.equal(encodeXml({ '-attr': 'x' }), '<doc attr="x"/>');
    assert.equal(encodeXml({}), '<doc/>');
  });

  it('replaces characters of keys that are not XML names with "_"', () => {
    assert.equal(
      encodeXml({ '1st item': 'x', '': 1, 'a b': { '-x y': 1, '-x_y': 2 }, 'ns:ok': 2, ':x': 3, é: 4 }),
      '<doc><_>1</_><_st_item>x</_st_item><_x>3</_x><a_b x_y="1"/><ns:ok>2</ns:ok><é>4</é></doc>',
    );
  });

  it('rejects attribute values mxj cannot encode', () => {
    assert.throws(() => encodeXml({ r: { '-a': { x: 1 } } }), TypeError);
    assert.throws(() => encodeXml({ r: { '-a': null } }), TypeError);
  });

  it('throws a TypeError for cyclic values', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => encodeXml({ a: cyclic, b: 1 }), TypeError);
  });
});

describe('encodeYaml', () => {
  it('writes yaml.v2 style block YAML', () => {
    assert.equal(
      encodeYaml(USER_MAP),
      'user:\n  -type: admin\n  name: Elliot\n  social:\n    facebook: https://facebook.com\n' +
        '    twitter: https://twitter.com\n    youtube: https://youtube.com\n',
    );
  });

  it('does not indent sequences under a key, and nests sequences', () => {
    assert.equal(
      encodeYaml({ list: ['a', 'b'], maps: [{ y: 2, x: [1, 2] }, [3, [4]]], empty: [], none: {} }),
      'empty: []\nlist:\n- a\n- b\nmaps:\n- x:\n  - 1\n  - 2\n  "y": 2\n- - 3\n  - - 4\nnone: {}\n',
    );
  });

  it('sorts keys in yaml.v2 natural order', () => {
    assert.equal(encodeYaml({ b: 1, a10: 2, a2: 3, B: 4, 'a-b': 5, ab: 6 }), 'B: 4\na-b: 5\na2: 3\na10: 2\nab: 6\nb: 1\n');
  });

  it('quotes strings like yaml.v2', () => {
    const data = {
      k01: 'yes',
      k02: 'On',
      k03: '123',
      k04: '1_000',
      k05: '0x1F',
      k06: '1.5',
      k07: '.5',
      k08: 'null',
      k09: '~',
      k10: '',
      k11: '2024-01-15',
      k12: '1:20',
      k13: '- x',
      k14: 'a: b',
      k15: ' lead',
      k16: '@at',
      k17: 'a #b',
      k18: "it's",
      k19: 'a#b',
      k20: 'http://x/y?z=1',
      k21: '2024-02-30',
      k22: 'tab\there',
      k23: 'smile 😀',
      k24: '\u007f',
    };
    assert.equal(
      encodeYaml(data),
      'k01: "yes"\nk02: "On"\nk03: "123"\nk04: "1_000"\nk05: "0x1F"\nk06: "1.5"\nk07: ".5"\nk08: "null"\nk09: "~"\n' +
        "k10: \"\"\nk11: \"2024-01-15\"\nk12: \"1:20\"\nk13: '- x'\nk14: 'a: b'\nk15: ' lead'\nk16: '@at'\nk17: 'a #b'\n" +
        'k18: it\'s\nk19: a#b\nk20: http://x/y?z=1\nk21: 2024-02-30\nk22: "tab\\there"\nk23: "smile \\U0001F600"\n' +
        'k24: "\\x7F"\n',
    );
    assert.equal(encodeYaml({ y: 1, n: 2, true: 3 }), '"n": 2\n"true": 3\n"y": 1\n');
  });

  it('writes multi-line strings as literal blocks', () => {
    assert.equal(encodeYaml({ a: 'one\ntwo', b: 'one\n', c: 'x\n\n' }), 'a: |-\n  one\n  two\nb: |\n  one\nc: |+\n  x\n\n');
  });

  it('formats numbers, booleans and null like yaml.v2', () => {
    assert.equal(
      encodeYaml({ a: 42, b: -3, c: 1.5, d: 0.0001, e: 0.00001, f: 1234567.5, g: 1e21, h: true, i: false, j: null }),
      'a: 42\nb: -3\nc: 1.5\nd: 0.0001\ne: 1e-05\nf: 1.2345675e+06\ng: 1e+21\nh: true\ni: false\nj: null\n',
    );
  });

  it('handles top-level scalars and empty collections', () => {
    assert.equal(encodeYaml({}), '{}\n');
    assert.equal(encodeYaml([]), '[]\n');
    assert.equal(encodeYaml('x'), 'x\n');
  });

  it('repeats shared objects instead of using anchors', () => {
    const shared = { x: 1 };
    assert.equal(encodeYaml({ a: shared, b: shared }), 'a:\n  x: 1\nb:\n  x: 1\n');
  });
});
