// qos/http-cache over real sockets: the real gateway (bin/rampart) in front of a real loopback
// HTTP backend that counts its calls. Freshness (max-age, expiry), what a shared cache must not
// store (no-store, private, Set-Cookie, Authorization without public), Vary, the query in the
// key, max_items eviction, ETag revalidation (304), invalidation by an unsafe method, and the
// store shared by backends with `shared: true`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

/** How many times the backend was called for a path (query included). */
const calls = (url: string) => be.seen.filter((s) => s.url === url).length;

const RESPONSES: Record<string, Record<string, string>> = {
  '/fresh': { 'cache-control': 'max-age=60' },
  '/inval': { 'cache-control': 'max-age=60' },
  '/nostore': { 'cache-control': 'no-store, max-age=60' },
  '/private': { 'cache-control': 'private, max-age=60' },
  '/cookie': { 'cache-control': 'max-age=60', 'set-cookie': 'sid=secret; HttpOnly' },
  '/auth': { 'cache-control': 'max-age=60' },
  '/auth-public': { 'cache-control': 'public, max-age=60' },
  '/vary': { 'cache-control': 'max-age=60', vary: 'Accept-Language' },
  '/short': { 'cache-control': 'max-age=1' },
  '/q': { 'cache-control': 'max-age=60' },
  '/shared': { 'cache-control': 'max-age=60' },
  '/noop': { 'cache-control': 'max-age=60', 'x-up': 'yes' },
};

before(async () => {
  be = await startBackend((req, res) => {
    const path = req.url!.split('?')[0];
    const n = calls(req.url!);
    if (path === '/etag') {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'no-cache' });
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'cache-control': 'no-cache' });
      return void res.end(JSON.stringify({ path, n }));
    }
    const extra = path.startsWith('/item/') ? { 'cache-control': 'max-age=60' } : (RESPONSES[path] ?? {});
    const body = JSON.stringify({ path, n, lang: req.headers['accept-language'] ?? null, method: req.method });
    // A length, so a no-op answer is read whole (unknown lengths are streamed, never cached).
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...extra });
    res.end(body);
  });
  const cache = { 'qos/http-cache': {} };
  const ep = (endpoint: string, urlPattern: string, more: Record<string, unknown> = {}, backendMore: Record<string, unknown> = {}) => ({
    endpoint,
    ...more,
    backend: [{ host: [be.origin], url_pattern: urlPattern, extra_config: cache, ...backendMore }],
  });
  gw = await startGateway({
    version: 3,
    timeout: '3s',
    endpoints: [
      ep('/fresh', '/fresh'),
      ep('/inval', '/inval', {}, { extra_config: { 'qos/http-cache': { shared: true } } }),
      ep('/inval', '/inval', { method: 'POST' }, { method: 'POST', extra_config: { 'qos/http-cache': { shared: true } } }),
      ep('/uncached', '/fresh', {}, { extra_config: {} }),
      ep('/nostore', '/nostore'),
      ep('/private', '/private'),
      ep('/cookie', '/cookie'),
      ep('/auth', '/auth', { input_headers: ['Authorization'] }),
      ep('/auth-public', '/auth-public', { input_headers: ['Authorization'] }),
      ep('/vary', '/vary', { input_headers: ['Accept-Language'] }),
      ep('/short', '/short'),
      ep('/q', '/q', { input_query_strings: ['x'] }),
      ep('/etag', '/etag'),
      ep('/noop', '/noop', { output_encoding: 'no-op' }, { encoding: 'no-op' }),
      ep('/item/{n}', '/item/{n}', {}, { extra_config: { 'qos/http-cache': { max_items: 2, max_size: 1048576 } } }),
      ep('/shared-a', '/shared', {}, { extra_config: { 'qos/http-cache': { shared: true } } }),
      ep('/shared-b', '/shared', {}, { extra_config: { 'qos/http-cache': { shared: true } } }),
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const r = await http(gw.port, 'GET', path, headers);
  assert.equal(r.status, 200, `${path}: ${r.body}`);
  return r;
}

test('an answer with max-age is fetched once for two requests; the same backend without the cache is called each time', async () => {
  const a = await get('/fresh');
  const b = await get('/fresh');
  assert.deepEqual(JSON.parse(b.body), JSON.parse(a.body));
  assert.equal(calls('/fresh'), 1);
  await get('/uncached');
  await get('/uncached');
  assert.equal(calls('/fresh'), 3);
});

test('a successful POST to the same URL through the same store drops the cached answer (RFC 9111 §4.4)', async () => {
  await get('/inval');
  await get('/inval');
  assert.equal(calls('/inval'), 1, 'cached');
  const p = await http(gw.port, 'POST', '/inval', { 'content-type': 'application/json' }, '{}');
  assert.equal(p.status, 200);
  await get('/inval');
  assert.equal(calls('/inval'), 3, 'the POST, then a fresh GET');
});

test('no-store, private and Set-Cookie answers are never served from the cache', async () => {
  for (const path of ['/nostore', '/private', '/cookie']) {
    await get(path);
    await get(path);
    assert.equal(calls(path), 2, path);
  }
});

test('an answer to a request with Authorization is not stored unless it says public', async () => {
  await get('/auth', { authorization: 'Bearer alice' });
  const bob = await get('/auth', { authorization: 'Bearer bob' });
  assert.equal(calls('/auth'), 2);
  assert.equal(JSON.parse(bob.body).n, 2, "bob got his own answer, not alice's");
  await get('/auth', { authorization: 'Bearer alice' });
  assert.equal(calls('/auth'), 3);
  // public: shareable among authenticated requests, but never given to an anonymous one.
  await get('/auth-public', { authorization: 'Bearer alice' });
  await get('/auth-public', { authorization: 'Bearer bob' });
  assert.equal(calls('/auth-public'), 1);
  await get('/auth-public');
  assert.equal(calls('/auth-public'), 2);
});

test('Vary: each Accept-Language gets its own answer', async () => {
  const en1 = await get('/vary', { 'accept-language': 'en' });
  const fr1 = await get('/vary', { 'accept-language': 'fr' });
  const en2 = await get('/vary', { 'accept-language': 'en' });
  const fr2 = await get('/vary', { 'accept-language': 'fr' });
  assert.equal(JSON.parse(en1.body).lang, 'en');
  assert.equal(JSON.parse(fr1.body).lang, 'fr');
  assert.equal(JSON.parse(en2.body).lang, 'en');
  assert.equal(JSON.parse(fr2.body).lang, 'fr');
  // One entry per URL: the latest variant stays; a different one is fetched again.
  assert.ok(calls('/vary') >= 2 && calls('/vary') <= 4, String(calls('/vary')));
  assert.deepEqual(
    be.seen.filter((s) => s.url === '/vary').map((s) => s.headers['accept-language']),
    ['en', 'fr', 'en', 'fr'].slice(0, calls('/vary')),
  );
});

test('the query string is part of the key', async () => {
  await get('/q?x=1');
  await get('/q?x=2');
  await get('/q?x=1');
  assert.equal(calls('/q?x=1'), 1);
  assert.equal(calls('/q?x=2'), 1);
});

test('an entry expires with its max-age', async () => {
  await get('/short');
  await get('/short');
  assert.equal(calls('/short'), 1);
  await new Promise((r) => setTimeout(r, 2100));
  await get('/short');
  assert.equal(calls('/short'), 2);
});

test('max_items: the least recently used entry is evicted', async () => {
  await get('/item/1');
  await get('/item/2');
  await get('/item/1'); // 1 is now the most recent
  await get('/item/3'); // evicts 2
  await get('/item/1');
  await get('/item/2');
  assert.equal(calls('/item/1'), 1);
  assert.equal(calls('/item/2'), 2);
  assert.equal(calls('/item/3'), 1);
});

test('a stale entry with an ETag is revalidated with If-None-Match; the 304 serves the stored body', async () => {
  const a = await get('/etag');
  const b = await get('/etag');
  assert.deepEqual(JSON.parse(b.body), JSON.parse(a.body));
  const seen = be.seen.filter((s) => s.url === '/etag');
  assert.equal(seen.length, 2);
  assert.equal(seen[0].headers['if-none-match'], undefined);
  assert.equal(seen[1].headers['if-none-match'], '"v1"');
});

test('no-op answers are cached whole, with their headers and an Age', async () => {
  const a = await get('/noop');
  const b = await get('/noop');
  assert.equal(calls('/noop'), 1);
  assert.equal(b.body, a.body);
  assert.equal(b.headers['x-up'], 'yes');
  assert.ok(b.headers['age'] !== undefined, 'Age on a cached answer');
});

test('shared: true backends of two endpoints use one store', async () => {
  await get('/shared-a');
  await get('/shared-b');
  assert.equal(calls('/shared'), 1);
});
