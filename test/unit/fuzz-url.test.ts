// Property tests of URL templating: no value, under any encoding, takes a backend outside the
// url_pattern's fixed prefix (issue #14 item 3), in process and through the real gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileUrlTemplate, UNSAFE_VALUE } from '../../src/proxy/url-template.js';
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
