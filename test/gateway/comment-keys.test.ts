// "@comment" keys are KrakenD's comments in config, and are removed before validation (issue
// #18) — but never where a namespace's value is user data. Over real sockets: a JSON schema
// property named "@comment_id" still constrains request bodies (a wrong type gets 400, a right one
// reaches the backend), the schema's root "@comment" is a comment, and a static answer's
// "@comment" key reaches the client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let backend: TestBackend;
let gw: RunningGateway;

before(async () => {
  backend = await startBackend();
  gw = await startGateway({
    version: 3,
    endpoints: [
      {
        endpoint: '/orders',
        method: 'POST',
        backend: [{ host: [backend.origin], url_pattern: '/orders', method: 'POST' }],
        extra_config: {
          'validation/json-schema': {
            '@comment': 'a comment at the schema root',
            type: 'object',
            properties: { '@comment_id': { type: 'integer' } },
          },
        },
      },
      {
        endpoint: '/static',
        backend: [{ host: [backend.origin], url_pattern: '/s' }],
        extra_config: { proxy: { '@comment': 'a comment', static: { strategy: 'always', data: { '@comment': 'data, not a comment' } } } },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await backend?.close();
});

test('a JSON schema property named "@comment_id" is kept: it still constrains the body', async () => {
  const n = backend.seen.length;
  const bad = await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json' }, '{"@comment_id":"not a number"}');
  assert.equal(bad.status, 400);
  assert.equal(backend.seen.length, n, 'a refused body reached the backend');
  const good = await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json' }, '{"@comment_id":7}');
  assert.equal(good.status, 200);
  assert.equal(backend.seen.length, n + 1);
});

test('a static answer keeps its "@comment" key', async () => {
  const r = await http(gw.port, 'GET', '/static');
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body)['@comment'], 'data, not a comment');
});
