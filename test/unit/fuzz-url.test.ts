// Property tests of URL templating: no value, under any encoding, takes a backend outside the
// url_pattern's fixed prefix (issue #14 item 3), in process and through the real gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileUrlTemplate, MAX_EXTRA_DECODINGS, UNSAFE_VALUE, unsafePathValue } from '../../src/proxy/url-template.js';
import { decodeOnce, normalisePath, urlTemplateProperty } from '../fuzz/url-properties.js';
import { startGatewayUrlProperty } from '../fuzz/gateway-url-properties.js';
import { startBackend } from '../helpers/backend.js';
import { startGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

fc.configureGlobal({ includeErrorInReport: true });

test('the model of a backend: decode once, then remove dot segments with \\ as /', () => {
  assert.equal(normalisePath(decodeOnce('/users/a%2F..%2F..%2Fadmin')), '/admin');
  assert.equal(normalisePath(decodeOnce('/users/..%5Cadmin')), '/admin');
  assert.equal(decodeOnce('%zz%2'), '%zz%2');
});

test('property: built paths stay inside the url_pattern prefix, or the value is refused', () => {
  fc.assert(urlTemplateProperty, { numRuns: 1000 });
});

test('property: through the real gateway, what the backend receives stays inside the prefix', async () => {
  const { property, stats, stop } = await startGatewayUrlProperty();
  try {
    await fc.assert(property, { numRuns: 300 });
    // Both sides of the property were exercised (a generator that only makes 404s tests nothing).
    assert.ok(stats.forwarded > 20 && stats.refused > 20, JSON.stringify(stats));
  } finally {
    await stop();
  }
});

// Regressions found by fuzzing (issue #14).
test('regression: a value that only a lenient double decoder reads as a separator is refused', () => {
  const build = compileUrlTemplate('/users/{id}');
  for (const v of ['%c0%ae%2F', '%zz%2F..', '%2e%2E', 'a%5c']) assert.equal(build({ params: { id: v } }), UNSAFE_VALUE, v);
  assert.equal(build({ params: { id: '100%' } }), '/users/100%25');
  assert.equal(build({ params: { id: '%zz' } }), '/users/%25zz');
});

test('regression: many layers of percent-encoding are refused in linear time, without recursion', () => {
  // `%` + `25` x n decodes to itself minus one layer: n passes over n characters before.
  const v = '%' + '25'.repeat(30_000);
  const t = performance.now();
  assert.equal(unsafePathValue(v), 'percent-encoded too many times for a path value');
  assert.ok(performance.now() - t < 200, `${(performance.now() - t).toFixed(0)} ms`);
  // Up to MAX_EXTRA_DECODINGS extra layers are checked, not refused for their depth.
  assert.equal(unsafePathValue('a' + '%25'.repeat(1) + '41'), undefined);
  assert.equal(unsafePathValue('%252541'), undefined); // "A" after 3 more decodings
  assert.equal(unsafePathValue('%25252541'), 'percent-encoded too many times for a path value'); // 4
  assert.equal(unsafePathValue('%25252F'), 'path separator in a path value');
  assert.equal(MAX_EXTRA_DECODINGS, 3);
});

test('regression: a 60 KB {resp0_...} value of encoding layers is refused at once (sequential proxy)', async () => {
  // Path parameters are capped by the router (find-my-way: 100 characters); values taken from a
  // backend answer or a claim are not, so the check itself must be bounded.
  const layered = '%' + '25'.repeat(30_000);
  const be = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url === '/a' ? JSON.stringify({ id: layered }) : '{"second":true}');
  });
  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/seq', extra_config: { proxy: { sequential: true } }, backend: [{ url_pattern: '/a' }, { url_pattern: '/b/{resp0_id}' }] }],
  });
  try {
    const t = performance.now();
    const r = await http(gw.port, 'GET', '/seq');
    const ms = performance.now() - t;
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
    // Before: 500 after ~4.4 s (the recursive check overflowed the stack). Now the second call
    // fails at once and the first backend's data comes back marked incomplete.
    assert.equal(r.status, 200, r.body.slice(0, 200));
    assert.equal(r.headers['x-rampart-completed'], 'false');
    assert.ok(!be.seen.some((s) => s.url.startsWith('/b/')), 'the second backend was never called with it');
  } finally {
    await gw.stop();
    await be.close();
  }
});

test('regression: an unpaired surrogate in a claim or backend value is sent as U+FFFD, not a crash', () => {
  const build = compileUrlTemplate('/b/{resp0_user.id}/{JWT.sub}');
  assert.equal(build({ params: {}, responses: [{ user: { id: 'a\ud800' } }], claims: { sub: '\udc00' } }), '/b/a%EF%BF%BD/%EF%BF%BD');
});

test('regression: sequential proxy with an unpaired surrogate in the first backend answer', async () => {
  const be = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url === '/a' ? '{"user":{"id":"x\\ud800"}}' : JSON.stringify({ url: req.url }));
  });
  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/seq', extra_config: { proxy: { sequential: true } }, backend: [{ url_pattern: '/a' }, { url_pattern: '/b/{resp0_user.id}' }] }],
  });
  try {
    const r = await http(gw.port, 'GET', '/seq');
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).url, '/b/x%EF%BF%BD');
  } finally {
    await gw.stop();
    await be.close();
  }
});
