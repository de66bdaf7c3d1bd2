// Property tests of what reaches a backend from the client: headers, query, and the tokens read
// from them; plus the backend decoders and output encoders on arbitrary backend bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import { compileExtractor } from '../../src/components/auth/validator/extract-token.js';
import { compileHeaderFilter } from '../../src/proxy/forward-headers.js';
import { compileQueryFilter } from '../../src/proxy/forward-query.js';
import { headerProperty, queryCapProperty, queryProperty } from '../fuzz/forward-properties.js';
import { tokenProperty } from '../fuzz/token-properties.js';
import { encodingProperty } from '../fuzz/encoding-properties.js';

fc.configureGlobal({ includeErrorInReport: true });

test('property: only declared headers pass; hop-by-hop and Connection-named ones never do', () => {
  fc.assert(headerProperty, { numRuns: 1000 });
});

test('property: the query is filtered, nothing added or lost, keys in Go order', () => {
  fc.assert(queryProperty, { numRuns: 1000 });
});

test('property: no query over MAX_QUERY_PARAMS parameters slips past the cap', () => {
  fc.assert(queryCapProperty, { numRuns: 100 });
});

test('property: token extraction from header and cookie', () => {
  fc.assert(tokenProperty, { numRuns: 1000 });
});

test('property: decoders refuse arbitrary backend bytes cleanly; encoders never crash', async () => {
  await fc.assert(encodingProperty, { numRuns: 400 });
});

test('regression: a quoted cookie with stray text gives no token with whitespace (fuzzing, #14)', () => {
  const extract = compileExtractor('Authorization', 'token');
  const req = (cookie: string) => ({ headers: { cookie } }) as unknown as IncomingMessage;
  assert.equal(extract(req('token="a.b.c" "')), 'a.b.c"');
  assert.equal(extract(req('token=" a.b.c "')), 'a.b.c');
  assert.equal(extract(req('token=""')), undefined);
});

/** Fastest of a few runs (the machine is shared: the minimum is the least disturbed). */
// The fastest of many runs: on a loaded machine (the suite shares 2 cores with other work) most
// runs of a few ms are preempted; with 5 runs every large-input run could be, and the 8x-vs-64x
// verdict flipped (seen: 2026-12-03). A complexity check, not a time budget: only ratios count.
function fastest(f: () => void, runs = 21): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

test('header filtering is linear in headers x Connection tokens', () => {
  const { build } = compileHeaderFilter(['*'], false);
  const input = (n: number) => {
    const raw: string[] = [];
    for (let i = 0; i < n; i++) raw.push(`x-h${i}`, 'v');
    raw.push('Connection', Array.from({ length: n }, (_, i) => `x-t${i}`).join(','));
    return { rawHeaders: raw, clientIp: '127.0.0.1', host: 'h' };
  };
  const small = input(1000);
  const large = input(8000);
  const ratio =
    fastest(() => build(large)) /
    Math.max(
      fastest(() => build(small)),
      0.05,
    );
  // 8x the input: about 8x the time when linear, 64x when quadratic.
  assert.ok(ratio < 25, `8x the headers and tokens took ${ratio.toFixed(1)}x the time`);
});

test('query filtering is linear in distinct parameters', () => {
  const filter = compileQueryFilter(['*'])!;
  const q = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=${i}`).join('&');
  const small = q(2500);
  const large = q(20000);
  const ratio =
    fastest(() => filter(large)) /
    Math.max(
      fastest(() => filter(small)),
      0.05,
    );
  assert.ok(ratio < 25, `8x the parameters took ${ratio.toFixed(1)}x the time`);
});

test('a backend number beyond float64 is rendered as null (documented Go divergence), not Infinity or a crash', async () => {
  const { stringifyGo } = await import('../../src/encoding/json-go.js');
  const { compileDecoder } = await import('../../src/pipeline/decode.js');
  const decode = await compileDecoder('safejson', false);
  const data = decode('2.648689378347624e1116');
  assert.equal(stringifyGo(data), '{"content":null}');
  assert.equal(stringifyGo(decode('{"a":-1e400,"b":[1e999]}')), '{"a":null,"b":[null]}');
});
