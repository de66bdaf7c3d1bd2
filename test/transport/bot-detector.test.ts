// security/bot-detector: allow list beats deny list and patterns (KrakenD fixtures), patterns are
// unanchored and compiled once, decisions are cached, an empty User-Agent is refused when asked,
// service and endpoint levels both apply. A bot gets 403 with an empty body; the backend is
// never called.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { check } from './helpers/check.js';

let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      'security/bot-detector': {
        deny: ['a', 'b'],
        allow: ['c', 'Pingdom.com_bot_version_1.1'],
        patterns: ['(Pingdom.com_bot_version_).*', '(facebookexternalhit)/.*', '(?i)curl/'],
        cache_size: 100,
        empty_user_agent_is_bot: true,
      },
    },
    endpoints: [
      { endpoint: '/x', backend: [{ url_pattern: '/x' }] },
      { endpoint: '/strict', extra_config: { 'security/bot-detector': { patterns: ['python-requests'] } }, backend: [{ url_pattern: '/strict' }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

async function ua(path: string, value: string | undefined): Promise<number> {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', path, value === undefined ? {} : { 'User-Agent': value });
  if (r.status === 403) {
    assert.equal(r.body, '');
    assert.equal(be.seen.length, n, `backend called for ${value}`);
  }
  return r.status;
}

test('allow beats patterns, deny and patterns reject, everything else passes', async () => {
  // Twice each: the second answer comes from the LRU cache and must be the same.
  for (let round = 0; round < 2; round++) {
    assert.equal(await ua('/x', 'a'), 403);
    assert.equal(await ua('/x', 'b'), 403);
    assert.equal(await ua('/x', 'c'), 200);
    assert.equal(await ua('/x', 'Pingdom.com_bot_version_1.1'), 200);
    assert.equal(await ua('/x', 'Pingdom.com_bot_version_1.14'), 403);
    assert.equal(await ua('/x', 'facebookexternalhit/1.2.3'), 403);
    assert.equal(await ua('/x', 'Mozilla/5.0 (X11; Linux x86_64) CURL/8.5'), 403);
    assert.equal(await ua('/x', 'Mozilla/5.0 (X11; Linux x86_64)'), 200);
  }
});

test('an empty or missing User-Agent is a bot when empty_user_agent_is_bot is set', async () => {
  assert.equal(await ua('/x', undefined), 403);
  assert.equal(await ua('/x', ''), 403);
  assert.equal(await ua('/x', 'Mozilla/5.0'), 200);
});

test('endpoint-level detector adds its own patterns to the service one', async () => {
  assert.equal(await ua('/strict', 'python-requests/2.31'), 403);
  assert.equal(await ua('/x', 'python-requests/2.31'), 200);
  assert.equal(await ua('/strict', 'a'), 403);
  assert.equal(await ua('/strict', 'Mozilla/5.0'), 200);
});

test('an invalid pattern stops startup (KrakenD would run without the detector)', () => {
  const r = check({
    version: 3,
    extra_config: { 'security/bot-detector': { patterns: ['ok', '([unclosed'] } },
    endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }],
  });
  assert.equal(r.code, 1);
  assert.match(r.out, /\/extra_config\/security~1bot-detector\/patterns\/1: invalid regular expression/);
});
