// The plain-query fast path of input_query_strings (src/proxy/forward-query.ts, issue #20) must
// forward exactly what the URLSearchParams path forwards: a property over queries built from
// the characters that switch between the two paths (%, +, =, &, unreserved and reserved ones).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sortGoKeys } from '../../src/encoding/go-order.js';
import { compileQueryFilter, compileQueryGroups } from '../../src/proxy/forward-query.js';

/** The filter as it was before the fast path: URLSearchParams, grouped, Go key order, encoded. */
function reference(allowed: readonly string[], raw: string): string {
  if (raw === '') return '';
  const all = allowed.includes('*');
  const byKey = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(raw)) {
    if (!all && !allowed.includes(k)) continue;
    byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  const enc = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');
  const out: string[] = [];
  for (const k of sortGoKeys([...byKey.keys()])) for (const v of byKey.get(k) ?? []) out.push(enc(k) + '=' + enc(v));
  return out.join('&');
}

const alphabet = fc.constantFrom('a', 'b', 'Z', '0', '-', '_', '.', '~', '*', "'", '(', '!', '=', '&', '+', '%', '%20', '%3D', '%zz', ' ', ';', '/', 'é');
const query = fc.array(alphabet, { maxLength: 24 }).map((xs) => xs.join(''));

test('the fast path forwards what URLSearchParams forwards (wildcard and named keys)', () => {
  const star = compileQueryFilter(['*']);
  const named = compileQueryFilter(['a', 'b', 'a=b', '']);
  assert.ok(star && named);
  fc.assert(
    fc.property(query, (raw) => {
      assert.equal(star(raw), reference(['*'], raw), `query ${JSON.stringify(raw)}`);
      assert.equal(named(raw), reference(['a', 'b', 'a=b', ''], raw), `query ${JSON.stringify(raw)}`);
    }),
    { numRuns: 3000 },
  );
});

test('plain queries take the fast path; others do not, and both group repeated keys in order', () => {
  const groups = compileQueryGroups(['*']);
  assert.ok(groups);
  const plain = groups('page=1&sort=name&page=2&flag');
  assert.equal(plain?.plain, true);
  assert.deepEqual(plain?.keys, ['flag', 'page', 'sort']);
  assert.deepEqual(plain?.byKey.get('page'), ['1', '2']);
  assert.deepEqual(plain?.byKey.get('flag'), ['']);
  for (const raw of ['q=a+b', 'q=%41', 'q=a=b']) assert.equal(groups(raw)?.plain, false, raw);
  assert.equal(groups('a=b=c')?.byKey.get('a')?.[0], 'b=c');
  assert.equal(groups(''), null);
  assert.equal(groups(`a=${'b'.repeat(3000)}`)?.plain, false, 'long queries take URLSearchParams');
  assert.equal(compileQueryGroups([]), null);
});
