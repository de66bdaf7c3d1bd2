// modifier/response-body engine (issue #16): literal, regexp (RE2 + Go templates), upper,
// lower, trim; field paths through objects only; field-less = every string; copy-on-write;
// masked values absent from every serialisation; refusals with pointers; bounded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RE2JS } from 're2js';

import { DataProtectionConfigError } from '../../src/data-protection/compile-error.js';
import { compileMasking } from '../../src/data-protection/masking/compile-masking.js';
import { parseGoTemplate } from '../../src/data-protection/masking/go-template.js';
import { goReplaceAll } from '../../src/data-protection/masking/replace-all.js';
import { runMasking, runMaskingText } from '../../src/data-protection/masking/run-masking.js';
import type { ModifierConfig } from '../../src/data-protection/masking/types.js';

const P = '/endpoints/0/extra_config/modifier~1response-body';
const mask = (modifiers: ModifierConfig[], data: unknown) => {
  const r = runMasking(compileMasking({ modifiers }, P), data);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  return r.data;
};
const goReplace = (pattern: string, src: string, template: string) => {
  const re = RE2JS.compile(pattern);
  return goReplaceAll(re, src, parseGoTemplate(template, re.groupCount(), re.namedGroups()));
};

function refused(fn: () => unknown, pointer: string, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataProtectionConfigError, String(e));
    assert.equal(e.pointer, pointer);
    assert.match(e.reason, reason);
    return true;
  });
}

describe('masking: the documented use', () => {
  const modifiers: ModifierConfig[] = [
    { regexp: { field: 'payment.card', find: '^\\d{12}(\\d{4})$', replace: '************$1' } },
    { regexp: { field: 'user.email', find: '^([^@])[^@]*@', replace: '${1}***@' } },
    { literal: { field: 'user.token', find: 'tok_', replace: '' } },
    { regexp: { field: 'user.token', find: '.+', replace: '[redacted]' } },
  ];
  const data = { payment: { card: '4111111111111111', amount: 10 }, user: { email: 'alice@example.com', token: 'tok_s3cr3t', name: 'Alice' }, other: 'kept' };

  it('masks card, email and token; leaves everything else unchanged', () => {
    const out = mask(modifiers, data) as typeof data;
    assert.deepEqual(out, {
      payment: { card: '************1111', amount: 10 },
      user: { email: 'a***@example.com', token: '[redacted]', name: 'Alice' },
      other: 'kept',
    });
    for (const secret of ['4111111111111111', '411111111111', 'alice@', 's3cr3t']) {
      assert.ok(!JSON.stringify(out).includes(secret), `${secret} in JSON`);
      assert.ok(!encodeURIComponent(JSON.stringify(out)).includes(encodeURIComponent(secret)), `${secret} url-encoded`);
    }
  });

  it('copy-on-write: the input object is not changed', () => {
    const before = structuredClone(data);
    mask(modifiers, data);
    assert.deepEqual(data, before);
  });

  it('without field: every string value, in arrays too (keys untouched)', () => {
    const out = mask([{ regexp: { find: '\\b\\d{4}-\\d{4}-\\d{4}-(\\d{4})\\b', replace: 'xxxx-$1' } }], {
      items: [{ note: 'card 4111-1111-1111-1234 used', n: 4111 }, 'also 5500-0000-0000-0004'],
      '4111-1111-1111-1234': true,
    });
    assert.deepEqual(out, { items: [{ note: 'card xxxx-1234 used', n: 4111 }, 'also xxxx-0004'], '4111-1111-1111-1234': true });
  });
});

describe('masking: operations', () => {
  it('literal is case-sensitive and replaces every occurrence', () => {
    assert.deepEqual(mask([{ literal: { field: 'a', find: 'x', replace: 'y' } }], { a: 'xXxx' }), { a: 'yXyy' });
  });
  it('upper, lower, trim (Go strings.Trim cutset)', () => {
    assert.deepEqual(
      mask([{ upper: { field: 'a' } }, { lower: { field: 'b' } }, { trim: { field: 'c', find: ' -*' } }], { a: 'abc', b: 'ABC', c: '*- x - y -* ' }),
      { a: 'ABC', b: 'abc', c: 'x - y' },
    );
  });
  it('field goes through objects, not arrays; only strings change; missing paths are ignored', () => {
    const data = { a: [{ b: 'x' }], n: { b: 5 }, s: { b: 'x' } };
    assert.deepEqual(mask([{ upper: { field: 'a.b' } }, { upper: { field: 'n.b' } }, { upper: { field: 's.b' } }, { upper: { field: 'no.such' } }], data), {
      a: [{ b: 'x' }],
      n: { b: 5 },
      s: { b: 'X' },
    });
  });
  it('a __proto__ field is an ordinary own key, never the prototype', () => {
    const data = JSON.parse('{"__proto__":{"k":"secret"}}');
    const out = mask([{ literal: { field: '__proto__.k', find: 'secret', replace: '***' } }], data) as Record<string, unknown>;
    assert.equal(JSON.stringify(out), '{"__proto__":{"k":"***"}}');
    assert.equal(({} as Record<string, unknown>).k, undefined);
  });

  it('several field modifiers under one object: one copy per object, the input never changed', () => {
    const data = { a: { x: 'secret-1', y: 'secret-2', z: { w: 'secret-3' } }, b: { keep: 'secret-4' } };
    const before = structuredClone(data);
    const out = mask(
      [
        { literal: { field: 'a.x', find: 'secret', replace: '***' } },
        { regexp: { field: 'a.y', find: '^secret', replace: '###' } },
        { literal: { field: 'a.z.w', find: 'secret', replace: '***' } },
        { literal: { field: 'a.x', find: '***', replace: '+++' } }, // sees the first modifier's result
      ],
      data,
    ) as typeof data;
    assert.deepEqual(out, { a: { x: '+++-1', y: '###-2', z: { w: '***-3' } }, b: { keep: 'secret-4' } });
    assert.deepEqual(data, before);
    assert.equal(out.b, data.b); // untouched branches are shared, not copied
  });

  it('__proto__ under a path masked twice stays an own key of the copy', () => {
    const data = JSON.parse('{"o":{"__proto__":{"k":"secret"},"p":"secret"}}');
    const out = mask(
      [{ literal: { field: 'o.p', find: 'secret', replace: '***' } }, { literal: { field: 'o.__proto__.k', find: 'secret', replace: '***' } }],
      data,
    ) as Record<string, Record<string, unknown>>;
    assert.equal(JSON.stringify(out), '{"o":{"__proto__":{"k":"***"},"p":"***"}}');
    assert.equal(Object.getPrototypeOf(out.o), Object.prototype);
    assert.equal(JSON.stringify(data), '{"o":{"__proto__":{"k":"secret"},"p":"secret"}}');
  });
});

describe("masking: Go's replacement templates and ReplaceAll", () => {
  it('$1, ${1}, $$, $name, ${name}, $1x (a group named "1x": empty), malformed $', () => {
    assert.equal(goReplace('(a)(b)', 'ab', '[$2$1]'), '[ba]');
    assert.equal(goReplace('(a)(b)', 'ab', '${1}x'), 'ax');
    assert.equal(goReplace('(a)(b)', 'ab', '$1x'), '');
    assert.equal(goReplace('(a)', 'a', '$$1'), '$1');
    assert.equal(goReplace('(?P<w>a)', 'a', '<$w><${w}>'), '<a><a>');
    assert.equal(goReplace('(a)', 'a', '$9|$nope|${1'), '||${1');
    assert.equal(goReplace('(a)', 'a', 'cost $ 5 $'), 'cost $ 5 $');
    assert.equal(goReplace('(a)(b)?', 'a', '[$2]'), '[]', 'unmatched group: empty');
    assert.equal(goReplace('(a)', 'a', '$01'), 'a', 'leading zeros');
  });
  it('empty matches follow Go (no replacement right after a match; advance one character)', () => {
    // Go: regexp.MustCompile(`a*`).ReplaceAllString("baaac", "x") == "xbxcx"
    assert.equal(goReplace('a*', 'baaac', 'x'), 'xbxcx');
    assert.equal(goReplace('', 'abc', '-'), '-a-b-c-');
    assert.equal(goReplace('x*', '', '-'), '-');
    assert.equal(goReplace('b', '😀b😀', '$0$0'), '😀bb😀');
    assert.equal(goReplace('', '😀', '-'), '-😀-', 'a surrogate pair is one character');
  });
  it('a catastrophic pattern on a long string finishes with the right answer', () => {
    const long = 'a'.repeat(100_000);
    assert.deepEqual(mask([{ regexp: { field: 'v', find: '^(a+)+$', replace: 'ok' } }], { v: long }), { v: 'ok' });
    assert.deepEqual(mask([{ regexp: { field: 'v', find: '^(a+)+$', replace: 'ok' } }], { v: long + '!' }), { v: long + '!' });
  });
});

describe('masking: refusals and bounds', () => {
  it('startup errors with pointers', () => {
    refused(() => compileMasking({ modifiers: [] }, P), `${P}/modifiers`, /non-empty/);
    refused(() => compileMasking({ modifiers: [{ regexp: { find: '(?<=a)b' } }] }, P), `${P}/modifiers/0/regexp/find`, /RE2/);
    refused(() => compileMasking({ modifiers: [{ literal: { field: 'a', replace: 'x' } }] } as never, P), `${P}/modifiers/0/literal/find`, /non-empty string/);
    refused(() => compileMasking({ modifiers: [{ upper: { field: 'a..b' } }] }, P), `${P}/modifiers/0/upper/field`, /dot path/);
    refused(() => compileMasking({ modifiers: [{ upper: {}, lower: {} }] } as never, P), `${P}/modifiers/0`, /exactly one/);
    refused(
      () => compileMasking({ modifiers: [{ trim: { field: 'a', find: 'x', replace: 'y' } }] } as never, P),
      `${P}/modifiers/0/trim/replace`,
      /unknown field/,
    );
  });
  it('a body too deep to walk fails closed instead of going out unmasked', () => {
    let deep: unknown = 'secret';
    for (let i = 0; i < 300; i++) deep = [deep];
    const r = runMasking(compileMasking({ modifiers: [{ literal: { find: 'secret', replace: '***' } }] }, P), deep);
    assert.equal(r.ok, false);
  });
  it('raw (undecoded) bodies: field-less modifiers apply; field ones fail closed', () => {
    const free = compileMasking({ modifiers: [{ regexp: { find: '\\d{16}', replace: '****' } }] }, P);
    assert.deepEqual(runMaskingText(free, '<card>4111111111111111</card>'), { ok: true, data: '<card>****</card>' });
    const field = compileMasking({ modifiers: [{ upper: { field: 'a' } }] }, P);
    assert.equal(runMaskingText(field, 'x').ok, false);
  });
});
