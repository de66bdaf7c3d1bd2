// The direct path: an endpoint with one no-op backend and nothing around it is answered straight
// from the backend's callbacks (compile-endpoint's forwardDirect), not through the merged proxy.
// Everything the merged path does for such an endpoint must still hold there: forwarding rules,
// redirects only within the declared hosts, the endpoint timeout, a clean 500 for a dead backend,
// backend calls cancelled when the client goes away, large bodies streamed, request bodies sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let a: TestBackend;
let evil: TestBackend;
let gw: RunningGateway;
let deadPort: number;
/** Backend requests whose connection closed before the backend answered. */
let cancelled = 0;
const BIG = 'x'.repeat(300 * 1024); // above the 64 KiB a no-op answer is buffered up to

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

before(async () => {
  evil = await startBackend((_req, res) => res.end('{"stolen":true}'));
  a = await startBackend((req, res, body) => {
    const u = req.url!;
    if (u.startsWith('/slow')) {
      const t = setTimeout(() => res.end('{"late":true}'), 1500);
      res.on('close', () => {
        if (!res.writableFinished) {
          cancelled++;
          clearTimeout(t);
        }
      });
      return;
    }
    if (u.startsWith('/redirect-out')) return void (res.writeHead(302, { location: `${evil.origin}/x` }), res.end());
    if (u.startsWith('/redirect-in')) return void (res.writeHead(307, { location: '/target?from=redirect' }), res.end());
    if (u.startsWith('/big')) return void (res.writeHead(200, { 'content-type': 'text/plain' }), res.end(BIG));
    if (u.startsWith('/echo')) return void (res.writeHead(201, { 'content-type': 'text/plain' }), res.end(`${req.method} ${body}`));
    res.writeHead(200, { 'content-type': 'application/json', 'x-up': 'a', 'set-cookie': ['s1=a', 's2=b'], connection: 'keep-alive' });
    res.end(
      JSON.stringify({
        url: u,
        ua: req.headers['user-agent'],
        xff: req.headers['x-forwarded-for'],
        secret: req.headers['x-secret'] ?? null,
        kept: req.headers['x-kept'] ?? null,
      }),
    );
  });
  deadPort = await freePort();
  const noop = (endpoint: string, url_pattern: string, host = a.origin, extra: object = {}) => ({
    endpoint,
    output_encoding: 'no-op',
    ...extra,
    backend: [{ host: [host], url_pattern, encoding: 'no-op' }],
  });
  gw = await startGateway({
    version: 3,
    timeout: '1s',
    endpoints: [
      noop('/plain/{id}', '/target/{id}', a.origin, { input_headers: ['X-Kept'], input_query_strings: ['q'] }),
      noop('/in', '/redirect-in'),
      noop('/out', '/redirect-out'),
      noop('/slow', '/slow'),
      noop('/dead', '/x', `http://127.0.0.1:${deadPort}`),
      noop('/big', '/big'),
      { ...noop('/echo', '/echo'), method: 'POST' },
    ],
  });
});

after(async () => {
  await gw?.stop();
  for (const x of [a, evil]) await x?.close();
});

test('direct path: status, headers and body pass through; only declared headers and queries reach the backend', async () => {
  const r = await http(gw.port, 'GET', '/plain/7?q=1&token=s3cr3t', { 'X-Kept': 'yes', 'X-Secret': 'no', 'User-Agent': 'client/1' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers['set-cookie'], ['s1=a', 's2=b']);
  assert.equal(r.headers['x-up'], 'a');
  assert.equal(r.headers['x-rampart-completed'], 'false');
  const seen = JSON.parse(r.body);
  assert.equal(seen.url, '/target/7?q=1');
  assert.equal(seen.kept, 'yes');
  assert.equal(seen.secret, null);
  assert.match(seen.ua, /^Rampart/);
  assert.equal(seen.xff, '127.0.0.1');
});

test('direct path: a path parameter cannot add segments or traverse', async () => {
  const r = await http(gw.port, 'GET', '/plain/..');
  assert.equal(r.status, 400);
  // An encoded separator would be a separator again for a backend that decodes once (issue #14).
  const n = a.seen.length;
  for (const p of ['/plain/a%2F..%2Fadmin', '/plain/a%2Fb', '/plain/..%5Cadmin', '/plain/%2e%2e%2fadmin']) {
    const enc = await http(gw.port, 'GET', p);
    assert.equal(enc.status, 400, p);
  }
  assert.equal(a.seen.length, n, 'the backend was never called');
  const ok = await http(gw.port, 'GET', '/plain/a%20b');
  assert.equal(ok.status, 200);
  assert.equal(a.seen[n].url, '/target/a%20b', 'other values stay one encoded segment');
});

test('direct path: a redirect within the declared host is followed, one elsewhere is not', async () => {
  const inside = await http(gw.port, 'GET', '/in');
  assert.equal(inside.status, 200);
  assert.equal(JSON.parse(inside.body).url, '/target?from=redirect');
  assert.equal(a.seen[a.seen.length - 1].headers.referer, `${a.origin}/redirect-in`);
  const before = evil.seen.length;
  const out = await http(gw.port, 'GET', '/out');
  assert.equal(out.status, 302, 'a no-op endpoint hands the redirect to the client as it is');
  assert.equal(evil.seen.length, before, 'gateway followed a redirect to an undeclared host');
});

test('direct path: the endpoint timeout ends the call with a clean error and cancels the backend request', async () => {
  const c0 = cancelled;
  const t = Date.now();
  const r = await http(gw.port, 'GET', '/slow');
  const took = Date.now() - t;
  assert.ok(took >= 900 && took < 1400, `took ${took} ms with a 1 s endpoint timeout`);
  assert.equal(r.status, 500);
  assert.equal(r.body, '');
  assert.equal(r.headers['x-rampart-completed'], 'false');
  await waitFor(() => cancelled > c0, 'backend request was not cancelled');
});

test('direct path: a client that goes away cancels the backend call', async () => {
  const c0 = cancelled;
  const n = a.seen.length;
  const req = request({ host: '127.0.0.1', port: gw.port, path: '/slow', agent: false });
  req.on('error', () => undefined);
  req.end();
  await waitFor(() => a.seen.length > n, 'backend never saw the request');
  req.destroy();
  await waitFor(() => cancelled > c0, 'backend request was not cancelled');
  // The gateway keeps serving.
  assert.equal((await http(gw.port, 'GET', '/plain/1')).status, 200);
});

test('direct path: a backend that refuses connections is a clean 500 without details', async () => {
  const r = await http(gw.port, 'GET', '/dead');
  assert.equal(r.status, 500);
  assert.equal(r.body, '');
  assert.doesNotMatch(JSON.stringify(r.headers), /ECONNREFUSED|127\.0\.0\.1/);
});

test('direct path: a large answer is streamed whole, a request body is forwarded', async () => {
  const big = await http(gw.port, 'GET', '/big');
  assert.equal(big.status, 200);
  assert.equal(big.body.length, BIG.length);
  const e = await http(gw.port, 'POST', '/echo', { 'content-type': 'text/plain' }, 'hello');
  assert.equal(e.status, 201);
  assert.equal(e.body, 'POST hello');
});

async function waitFor(cond: () => boolean, message: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(message);
    await new Promise((r) => setTimeout(r, 20));
  }
}
