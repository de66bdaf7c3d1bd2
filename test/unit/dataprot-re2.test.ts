// The test-only RE2 programs (re2/linear-regexp.ts compileLinearTester), which ajv `pattern`
// and CEL matches() use: re2js past its one-pass engine (the DFA answers a yes/no faster), with
// the same answers as the full compiled pattern, and the same refusals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { compileLinear, compileLinearTester, testerSkipsOnePass, type LinearRegExp } from '../../src/data-protection/re2/linear-regexp.js';

const PATTERNS = [
  '^c-[0-9]{1,12}$',
  '^[A-Z]-[0-9]{3}$',
  '^[A-Z]+-[0-9]{4}$',
  '^/orders(-[a-z]+)?$',
  '^[a-z0-9-]{1,64}$',
  '(a+)+$',
  '^(a|ab)(c|bcd)(d*)$',
  '\\bword\\b',
  '(?i)^héllo wörld$',
  '^\\p{L}+$',
  '[^@]+@[^@]+\\.[a-z]{2,}',
  '^$',
  '',
];

describe('compileLinearTester', () => {
  it('skips the one-pass engine of an anchored pattern (re2js internals still where expected)', () => {
    const t = compileLinearTester('^[A-Z]-[0-9]{3}$');
    assert.equal(typeof t, 'object');
    assert.equal(testerSkipsOnePass(t as Exclude<typeof t, string>), true);
    // The full pattern keeps its one-pass program (masking asks it for groups).
    const full = compileLinear('^[A-Z]-[0-9]{3}$') as LinearRegExp;
    assert.notEqual((full.re2() as unknown as { onepass: unknown }).onepass, null);
  });

  it('refuses what compileLinear refuses, with the same reason', () => {
    for (const p of ['(?=a)', '(a)\\1', 'x'.repeat(5000), '[']) {
      const a = compileLinear(p);
      const b = compileLinearTester(p);
      assert.equal(typeof a, 'string');
      assert.equal(b, a);
    }
  });

  it('answers as the full pattern on arbitrary input', () => {
    const compiled = PATTERNS.map((p) => [compileLinear(p) as LinearRegExp, compileLinearTester(p) as { test(s: string): boolean }] as const);
    const input = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'A', 'Z', '0', '9', '-', '/', '@', '.', 'é', 'ö', ' ', 'w', 'o', 'r') }),
      fc.constantFrom('c-1042', 'A-100', 'WINTER-2026', '/orders-checked', '/orders', 'acme-shop', 'HÉLLO WÖRLD', 'a word here', 'x@y.io', ''),
      fc.string({ unit: 'grapheme' }),
    );
    fc.assert(
      fc.property(input, (s) => compiled.every(([full, tester]) => full.test(s) === tester.test(s))),
      { numRuns: 3000 },
    );
  });

  it('a catastrophic pattern on a long input is answered (linear engines only)', () => {
    // Exponential on a backtracking engine; a worker stuck here would time the test out.
    const t = compileLinearTester('^(a+)+$') as { test(s: string): boolean };
    assert.equal(t.test('a'.repeat(100_000) + '!'), false);
    assert.equal(t.test('a'.repeat(100_000)), true);
  });
});
