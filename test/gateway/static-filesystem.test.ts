// server/static-filesystem and backend/static-filesystem over real sockets: the real gateway
// serving a temporary folder that holds a symlink pointing outside it, a hidden file, a binary
// file, a streamed large file, a directory with and without index.html. Every encoding of '..'
// (and the other ways out) is sent raw on a socket and must never reach the file outside.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http, rawExchange } from '../helpers/http.js';

const SECRET = 'TOPSECRET-outside-the-folder';
const base = mkdtempSync(join(tmpdir(), 'rampart-static-'));
const root = join(base, 'www');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255]);
const big = Buffer.alloc(1024 * 1024 + 7, 'x');
big.write('START', 0);
big.write('END', big.length - 3);
mkdirSync(join(base, 'outside'));
writeFileSync(join(base, 'outside', 'secret.txt'), SECRET);
mkdirSync(root);
writeFileSync(join(root, 'a.txt'), 'hello');
writeFileSync(join(root, 'data.json'), '{"k":1}');
writeFileSync(join(root, 'img.png'), png);
writeFileSync(join(root, 'big.bin'), big);
writeFileSync(join(root, '.env'), SECRET);
mkdirSync(join(root, 'sub'));
writeFileSync(join(root, 'sub', 'b.css'), 'body{}');
writeFileSync(join(root, 'sub', '<x>.txt'), 'x');
writeFileSync(join(root, 'sub', '.hidden'), SECRET);
mkdirSync(join(root, 'withindex'));
writeFileSync(join(root, 'withindex', 'index.html'), '<p>index</p>');
symlinkSync(join(base, 'outside', 'secret.txt'), join(root, 'link-out'));
symlinkSync(join(base, 'outside'), join(root, 'dirlink-out'));
symlinkSync(join(root, 'a.txt'), join(root, 'link-in.txt'));

let be: TestBackend;
let gw: RunningGateway;
let listing: RunningGateway;

before(async () => {
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    extra_config: { 'server/static-filesystem': { prefix: '/static', path: root, skip: ['/static/api'] } },
    endpoints: [
      { endpoint: '/static/api/x', backend: [{ host: [be.origin], url_pattern: '/x' }] },
      {
        endpoint: '/mock',
        backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/data.json', extra_config: { 'backend/static-filesystem': { path: root } } }],
      },
      {
        endpoint: '/mock-missing',
        backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/nope.json', extra_config: { 'backend/static-filesystem': { path: root } } }],
      },
      {
        endpoint: '/raw/{f}',
        output_encoding: 'no-op',
        backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/sub/{f}', encoding: 'no-op', extra_config: { 'backend/static-filesystem': { path: root } } }],
      },
    ],
  });
  listing = await startGateway({
    version: 3,
    extra_config: { 'server/static-filesystem': { prefix: '/', path: root, skip: ['/api'], directory_listing: true } },
    endpoints: [{ endpoint: '/api/x', backend: [{ host: [be.origin], url_pattern: '/x' }] }],
  });
});

after(async () => {
  await gw?.stop();
  await listing?.stop();
  await be?.close();
});

test('files are served with the Content-Type of their extension and nosniff', async () => {
  const a = await http(gw.port, 'GET', '/static/a.txt');
  assert.equal(a.status, 200);
  assert.equal(a.body, 'hello');
  assert.equal(a.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(a.headers['x-content-type-options'], 'nosniff');
  const j = await http(gw.port, 'GET', '/static/data.json');
  assert.equal(j.headers['content-type'], 'application/json');
  const inside = await http(gw.port, 'GET', '/static/link-in.txt');
  assert.equal(inside.status, 200, 'a symlink to a file inside the folder is fine');
  assert.equal(inside.body, 'hello');
});

test('binary files arrive byte for byte; a large one is streamed whole', async () => {
  const { request } = await import('node:http');
  const fetchBytes = (path: string) =>
    new Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: gw.port, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), headers: res.headers }));
      })
        .on('error', reject)
        .end();
    });
  const p = await fetchBytes('/static/img.png');
  assert.equal(p.headers['content-type'], 'image/png');
  assert.ok(p.body.equals(png));
  const b = await fetchBytes('/static/big.bin');
  assert.equal(b.status, 200);
  assert.equal(b.headers['content-type'], 'application/octet-stream');
  assert.equal(Number(b.headers['content-length']), big.length);
  assert.ok(b.body.equals(big));
});

test('every way out of the folder is refused, the secret never leaves', async () => {
  const attempts = [
    '/static/../outside/secret.txt',
    '/static/%2e%2e/outside/secret.txt',
    '/static/%2E%2E%2Foutside%2Fsecret.txt',
    '/static/.%2e/outside/secret.txt',
    '/static/%252e%252e/outside/secret.txt',
    '/static/%252e%252e%252foutside%252fsecret.txt',
    '/static/..%5coutside%5csecret.txt',
    '/static/..\\outside\\secret.txt',
    '/static/%c0%ae%c0%ae/outside/secret.txt',
    '/static/%c0%ae%c0%ae%c0%afoutside%c0%afsecret.txt',
    '/static/%e0%80%ae%e0%80%ae/outside/secret.txt',
    '/static/a.txt%00.png',
    '/static/%00../outside/secret.txt',
    `/static/${encodeURIComponent(join(base, 'outside', 'secret.txt'))}`,
    `/static/${join(base, 'outside', 'secret.txt')}`,
    '/static//etc/passwd',
    '/static/sub/../../outside/secret.txt',
    '/static/sub/%2e%2e/%2e%2e/outside/secret.txt',
    '/static/link-out',
    '/static/dirlink-out/secret.txt',
    '/static/.env',
    '/static/%2eenv',
    '/static/sub/.hidden',
  ];
  for (const path of attempts) {
    const r = await rawExchange(gw.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(r.text)?.[1]);
    assert.ok(status >= 400 && status < 500, `${path}: ${status}`);
    assert.ok(!r.text.includes(SECRET), `${path} leaked the secret`);
    assert.ok(!r.text.includes('root:'), `${path} leaked /etc/passwd`);
  }
  // The backend form refuses the same (a placeholder value encoding a way out).
  for (const f of ['..%2f..%2foutside%2fsecret.txt', '%2e%2e%2f%2e%2e%2foutside%2fsecret.txt', '..%5c..%5coutside%5csecret.txt']) {
    const r = await http(gw.port, 'GET', `/raw/${f}`);
    assert.notEqual(r.status, 200, f);
    assert.ok(!r.body.includes(SECRET), f);
  }
});

test('directories: redirect to the trailing slash, index.html, no listing unless configured', async () => {
  const r = await http(gw.port, 'GET', '/static/sub');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/static/sub/');
  assert.equal((await http(gw.port, 'GET', '/static/sub/')).status, 404);
  const idx = await http(gw.port, 'GET', '/static/withindex/');
  assert.equal(idx.status, 200);
  assert.equal(idx.body, '<p>index</p>');
  assert.equal(idx.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal((await http(gw.port, 'GET', '/static/a.txt/')).status, 404, 'a file is not a directory');
});

test('directory_listing: names escaped, hidden entries and symlinks out left out', async () => {
  const r = await http(listing.port, 'GET', '/sub/');
  assert.equal(r.status, 200);
  assert.match(r.body, /<a href="b\.css">b\.css<\/a>/);
  assert.ok(r.body.includes('&#60;x&#62;.txt') && !r.body.includes('<x>'), r.body);
  assert.ok(!r.body.includes('.hidden'));
  assert.equal(r.headers['content-security-policy'], "default-src 'none'");
  const top = await http(listing.port, 'GET', '/');
  assert.ok(top.body.includes('a.txt') && !top.body.includes('.env'));
  const out = await http(listing.port, 'GET', '/dirlink-out/');
  assert.equal(out.status, 404);
});

test('skip and methods: skipped prefixes are routed, only GET and HEAD serve files', async () => {
  const routed = await http(gw.port, 'GET', '/static/api/x');
  assert.equal(routed.status, 200);
  assert.deepEqual(JSON.parse(routed.body), { ok: true });
  const api = await http(listing.port, 'GET', '/api/x');
  assert.equal(api.status, 200);
  const post = await http(gw.port, 'POST', '/static/a.txt', {}, 'x');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  const head = await http(gw.port, 'HEAD', '/static/a.txt');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await http(gw.port, 'GET', '/staticx/a.txt')).status, 404, 'the prefix ends at a segment');
});

test('backend/static-filesystem: the url_pattern names the file, decoded by the encoding; a missing one fails the backend', async () => {
  const r = await http(gw.port, 'GET', '/mock');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { k: 1 });
  const raw = await http(gw.port, 'GET', '/raw/b.css');
  assert.equal(raw.status, 200);
  assert.equal(raw.body, 'body{}');
  assert.equal(raw.headers['content-type'], 'text/css; charset=utf-8');
  assert.equal((await http(gw.port, 'GET', '/raw/nope.css')).status, 404);
  assert.equal((await http(gw.port, 'GET', '/mock-missing')).status, 500);
});

test('a folder that does not exist stops startup with the pointer', async () => {
  await assert.rejects(
    startGateway({ version: 3, extra_config: { 'server/static-filesystem': { prefix: '/s', path: join(base, 'nope') } }, endpoints: [] }),
    /extra_config\/server~1static-filesystem\/path: folder .* does not exist/,
  );
});
