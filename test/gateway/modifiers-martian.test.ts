// modifier/martian wired as a backend's HTTP-level hooks, over real sockets: what the loopback
// backend receives (headers, query, path, body, method filter), skip.RoundTrip never reaching
// it, response modifiers before decoding (JSON and no-op), zero trust for client headers,
// startup errors with their pointer, runtime errors as a 500, and real-looking KrakenD configs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let other: TestBackend;
let gw: RunningGateway;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const M = 'modifier/martian';

function route(endpoint: string, martian: unknown, extra: Record<string, unknown> = {}, backend: Record<string, unknown> = {}) {
  return { endpoint, ...extra, backend: [{ host: [be.origin], url_pattern: `/up${endpoint}`, ...backend, extra_config: { [M]: martian } }] };
}

/** The last request the backend received whose URL starts with `prefix`. */
function last(prefix: string) {
  const s = be.seen.filter((x) => x.url.startsWith(prefix));
  return s[s.length - 1];
}

before(async () => {
  other = await startBackend();
  be = await startBackend((req, res, body) => {
    if (req.url!.startsWith('/up/status')) return void (res.writeHead(404, { 'content-type': 'application/json' }), res.end('{"missing":true}'));
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'yes', 'x-internal-token': 'abc' });
    res.end(JSON.stringify({ got: req.url, method: req.method, body }));
  });
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    endpoints: [
      route(
        '/headers',
        {
          'fifo.Group': {
            scope: ['request'],
            modifiers: [
              { 'header.Modifier': { scope: ['request'], name: 'X-Set', value: 'one' } },
              { 'header.Append': { scope: ['request'], name: 'X-Multi', value: 'a' } },
              { 'header.Append': { scope: ['request'], name: 'X-Multi', value: 'b' } },
              { 'header.Blacklist': { scope: ['request'], names: ['X-Drop'] } },
            ],
          },
        },
        { input_headers: ['X-Drop', 'X-Keep'] },
      ),
      route(
        '/query',
        {
          'fifo.Group': {
            scope: ['request'],
            modifiers: [
              { 'querystring.Modifier': { scope: ['request'], name: 'api_key', value: 'k1' } },
              { 'querystring.Modifier': { scope: ['request'], name: 'b', value: 'x y' } },
            ],
          },
        },
        { input_query_strings: ['a'] },
      ),
      route('/path', { 'url.Modifier': { scope: ['request'], path: '/rewritten/here' } }),
      route(
        '/body',
        { 'body.Modifier': { scope: ['request'], contentType: 'application/xml', body: b64('<a>1</a>') } },
        { method: 'POST' },
        { method: 'POST' },
      ),
      route(
        '/method',
        {
          'method.Filter': {
            scope: ['request'],
            method: 'POST',
            modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Was-Post', value: '1' } },
            else: { 'header.Modifier': { scope: ['request'], name: 'X-Was-Post', value: '0' } },
          },
        },
        { method: 'POST' },
        { method: 'POST' },
      ),
      route('/method-get', {
        'method.Filter': {
          scope: ['request'],
          method: 'POST',
          modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Was-Post', value: '1' } },
          else: { 'header.Modifier': { scope: ['request'], name: 'X-Was-Post', value: '0' } },
        },
      }),
      route('/skip', {
        'fifo.Group': {
          modifiers: [
            { 'skip.RoundTrip': { scope: ['request'] } },
            { 'body.Modifier': { scope: ['response'], contentType: 'application/json', body: b64('{"mocked":true}') } },
          ],
        },
      }),
      route('/resp', {
        'fifo.Group': {
          scope: ['response'],
          modifiers: [{ 'body.Modifier': { scope: ['response'], contentType: 'application/json', body: b64('{"replaced":1}') } }],
        },
      }),
      route('/status', { 'status.Modifier': { scope: ['response'], statusCode: 200 } }),
      route(
        '/noop',
        {
          'fifo.Group': {
            modifiers: [
              { 'header.Modifier': { scope: ['request'], name: 'X-Noop-Req', value: 'r' } },
              { 'header.Modifier': { scope: ['response'], name: 'X-Noop-Resp', value: 's' } },
              { 'header.Blacklist': { scope: ['response'], names: ['X-Internal-Token'] } },
            ],
          },
        },
        { output_encoding: 'no-op' },
        { encoding: 'no-op' },
      ),
      // Zero trust: header.Copy reads the request as the endpoint forwards it.
      route('/copy-unforwarded', { 'header.Copy': { scope: ['request'], from: 'X-Secret', to: 'X-Copied' } }),
      route('/copy-forwarded', { 'header.Copy': { scope: ['request'], from: 'X-Secret', to: 'X-Copied' } }, { input_headers: ['X-Secret'] }),
      route('/id', { 'header.Id': { scope: ['request'] } }),
      // Go's "illegal header multiple" error at request time: the backend is never called.
      route('/fails', { 'header.Append': { scope: ['request'], name: 'Host', value: 'x' } }),
      route('/undeclared', { 'url.Modifier': { scope: ['request'], host: `127.0.0.1:${other.port}` } }),
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
  await other?.close();
});

test('request scope sets, appends and removes headers upstream', async () => {
  const r = await http(gw.port, 'GET', '/headers', { 'X-Drop': 'd', 'X-Keep': 'k' });
  assert.equal(r.status, 200, r.body);
  const s = last('/up/headers');
  assert.equal(s.headers['x-set'], 'one');
  assert.equal(s.headers['x-multi'], 'a, b');
  assert.equal(s.headers['x-drop'], undefined);
  assert.equal(s.headers['x-keep'], 'k');
});

test('querystring.Modifier adds parameters to the filtered query (Go encoding, sorted)', async () => {
  const r = await http(gw.port, 'GET', '/query?a=1&z=2');
  assert.equal(r.status, 200, r.body);
  assert.equal(last('/up/query').url, '/up/query?a=1&api_key=k1&b=x+y');
});

test('url.Modifier rewrites the path sent', async () => {
  const r = await http(gw.port, 'GET', '/path');
  assert.equal(r.status, 200, r.body);
  assert.equal(JSON.parse(r.body).got, '/rewritten/here');
});

test('body.Modifier replaces the request body and its content type', async () => {
  const r = await http(gw.port, 'POST', '/body', { 'content-type': 'application/json' }, '{"orig":1}');
  assert.equal(r.status, 200, r.body);
  const s = last('/up/body');
  assert.equal(s.body, '<a>1</a>');
  assert.equal(s.headers['content-type'], 'application/xml');
});

test('method.Filter picks the branch by the upstream method', async () => {
  assert.equal((await http(gw.port, 'POST', '/method', {}, '')).status, 200);
  assert.equal(last('/up/method').headers['x-was-post'], '1');
  assert.equal((await http(gw.port, 'GET', '/method-get')).status, 200);
  assert.equal(last('/up/method-get').headers['x-was-post'], '0');
});

test('skip.RoundTrip answers without calling the backend; response modifiers run on it', async () => {
  const r = await http(gw.port, 'GET', '/skip');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { mocked: true });
  assert.equal(be.seen.filter((s) => s.url.startsWith('/up/skip')).length, 0);
});

test('response scope replaces the body before decoding', async () => {
  const r = await http(gw.port, 'GET', '/resp');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { replaced: 1 });
});

test('status.Modifier changes the status before the gateway judges it', async () => {
  const r = await http(gw.port, 'GET', '/status');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { missing: true });
});

test('no-op backends: request and response header modifiers', async () => {
  const r = await http(gw.port, 'GET', '/noop');
  assert.equal(r.status, 200, r.body);
  assert.equal(last('/up/noop').headers['x-noop-req'], 'r');
  assert.equal(r.headers['x-noop-resp'], 's');
  assert.equal(r.headers['x-internal-token'], undefined);
  assert.equal(r.headers['x-backend'], 'yes');
  assert.equal(JSON.parse(r.body).got, '/up/noop');
});

test('zero trust: header.Copy cannot copy a client header the endpoint does not forward', async () => {
  await http(gw.port, 'GET', '/copy-unforwarded', { 'X-Secret': 's3cr3t' });
  const s = last('/up/copy-unforwarded');
  assert.equal(s.headers['x-secret'], undefined);
  assert.ok(!JSON.stringify(s.rawHeaders).includes('s3cr3t'), JSON.stringify(s.rawHeaders));
  await http(gw.port, 'GET', '/copy-forwarded', { 'X-Secret': 's3cr3t' });
  assert.equal(last('/up/copy-forwarded').headers['x-copied'], 's3cr3t');
});

test('zero trust: header.Id sends a fresh id, never a client one', async () => {
  await http(gw.port, 'GET', '/id', { 'X-Krakend-Id': 'client-chosen' });
  const id = last('/up/id').headers['x-krakend-id'] as string;
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('a martian error at request time fails the backend with 500, without calling it', async () => {
  const r = await http(gw.port, 'GET', '/fails');
  assert.equal(r.status, 500);
  assert.equal(be.seen.filter((s) => s.url.startsWith('/up/fails')).length, 0);
  assert.ok(!r.body.includes('illegal'), r.body);
});

test('a url.Modifier towards an undeclared host fails instead of connecting; martian errors show only under return_error_msg', async () => {
  const r = await http(gw.port, 'GET', '/undeclared');
  assert.equal(r.status, 500);
  // A live server is listening there: it was never called.
  assert.equal(other.seen.length, 0);
  assert.equal(be.seen.filter((s) => s.url.startsWith('/up/undeclared')).length, 0);
  assert.equal(r.body, '');
  // With return_error_msg the client sees why: refused by the adapter, not a crash further down.
  const verbose = await startGateway({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: [
      route('/undeclared', { 'url.Modifier': { scope: ['request'], host: `127.0.0.1:${other.port}` } }),
      route('/fails', { 'header.Append': { scope: ['request'], name: 'Host', value: 'x' } }),
    ],
  });
  try {
    const u = await http(verbose.port, 'GET', '/undeclared');
    assert.equal(u.status, 500);
    assert.match(u.body, /modified URL points outside the backend hosts/);
    assert.equal(other.seen.length, 0);
    const f = await http(verbose.port, 'GET', '/fails');
    assert.equal(f.status, 500);
    assert.match(f.body, /martian: .*illegal header multiple/);
  } finally {
    await verbose.stop();
  }
});

function check(config: object) {
  const file = writeConfig(config);
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('a malformed or unknown modifier stops startup with its pointer', () => {
  const at = '/endpoints/0/backend/0/extra_config/modifier~1martian';
  const mk = (m: unknown) => ({
    version: 3,
    endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/a', extra_config: { [M]: m } }] }],
  });
  let r = check(mk({ 'header.Nope': { name: 'x' } }));
  assert.equal(r.code, 1, r.out);
  assert.ok(r.out.includes(at), r.out);
  assert.match(r.out, /header\.Nope/);
  assert.doesNotMatch(r.out, /\n\s+at /);
  r = check(mk({ 'fifo.Group': { modifiers: [{ 'header.Modifier': { name: 'X-A', value: 'a' } }, { 'header.Modifier': { name: 'Bad Name', value: 'x' } }] } }));
  assert.equal(r.code, 1, r.out);
  assert.ok(r.out.includes(`${at}/fifo.Group/modifiers/1/header.Modifier/name: `), r.out);
  r = check(mk({ 'url.RegexFilter': { regex: '(a)\\1', modifier: { 'header.Modifier': { name: 'X', value: 'y' } } } }));
  assert.equal(r.code, 1, r.out);
  assert.ok(r.out.includes(`${at}/url.RegexFilter/regex: `), r.out);
  // Endpoint level is not a martian place.
  r = check({
    version: 3,
    endpoints: [{ endpoint: '/a', extra_config: { [M]: { 'skip.RoundTrip': {} } }, backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/a' }] }],
  });
  assert.equal(r.code, 1, r.out);
  // The legacy name is read as modifier/martian (and checked alike).
  r = check({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/a', extra_config: { 'github.com/devopsfaith/krakend-martian': { 'header.Nope': {} } } }],
      },
    ],
  });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /header\.Nope/);
});
