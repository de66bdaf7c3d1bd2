// CORS in a real browser (headless Chromium via playwright-core): a page served from an allowed
// origin reads Rampart's answer to a credentialed, pre-flighted fetch; the same fetch from a
// page on another origin is blocked by the browser, and its pre-flighted PUT never reaches the
// backend. Chromium is Debian's /usr/bin/chromium (scripts/ci-deps.sh).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let be: TestBackend;
let gw: RunningGateway;
let browser: Browser;
const pages: Server[] = [];

/** A loopback page server: its origin is http://127.0.0.1:<port>. */
async function pageServer(): Promise<string> {
  const s = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>'));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  pages.push(s);
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

let allowed: string;
let other: string;

before(async () => {
  allowed = await pageServer();
  other = await pageServer();
  be = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, secret: 'only-for-allowed-origins' }));
  });
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      'security/cors': {
        allow_origins: [allowed],
        allow_methods: ['GET', 'PUT'],
        allow_headers: ['Content-Type', 'X-Api-Key'],
        allow_credentials: true,
        max_age: '1s',
      },
    },
    endpoints: [
      { endpoint: '/data', backend: [{ url_pattern: '/data' }] },
      { endpoint: '/data', method: 'PUT', backend: [{ url_pattern: '/data' }] },
    ],
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await gw?.stop();
  await be?.close();
  for (const s of pages) s.close();
});

/** Runs a cross-origin fetch from a page of `origin`; returns the body or the browser's error. */
async function fetchFrom(origin: string, method: string): Promise<{ ok: boolean; text: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    return await page.evaluate(
      async ([url, m]) => {
        try {
          const init: RequestInit = { method: m, credentials: 'include' };
          if (m === 'PUT') Object.assign(init, { headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k' }, body: '{}' });
          const r = await fetch(url, init);
          return { ok: true, text: await r.text() };
        } catch (e) {
          return { ok: false, text: String(e) };
        }
      },
      [`${gw.url}/data`, method] as const,
    );
  } finally {
    await page.close();
  }
}

test('a page from an allowed origin reads the answer (pre-flighted, credentialed PUT and simple GET)', async () => {
  const put = await fetchFrom(allowed, 'PUT');
  assert.equal(put.ok, true, put.text);
  assert.deepEqual(JSON.parse(put.text), { method: 'PUT', secret: 'only-for-allowed-origins' });
  const get = await fetchFrom(allowed, 'GET');
  assert.equal(get.ok, true, get.text);
  assert.equal(JSON.parse(get.text).method, 'GET');
});

test('a page from another origin is blocked by the browser; its pre-flighted PUT never reaches the backend', async () => {
  const puts = () => be.seen.filter((s) => s.method === 'PUT').length;
  const before = puts();
  const put = await fetchFrom(other, 'PUT');
  assert.equal(put.ok, false);
  assert.match(put.text, /TypeError/);
  assert.equal(puts(), before);
  const get = await fetchFrom(other, 'GET');
  assert.equal(get.ok, false, 'the response must stay unreadable to the other origin');
  assert.doesNotMatch(get.text, /only-for-allowed-origins/);
  // The allowed origin is still served afterwards.
  assert.equal((await fetchFrom(allowed, 'GET')).ok, true);
});
