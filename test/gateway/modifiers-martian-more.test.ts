// The remaining martian families through the gateway over real sockets: cookie, querystring,
// url and header-regex filters, stash, port, verifiers, response cookies and status on no-op,
// and body.Modifier honouring a forwarded Range.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let other: TestBackend;
let gw: RunningGateway;
const M = 'modifier/martian';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const last = (t: TestBackend, prefix: string) => t.seen.filter((s) => s.url.startsWith(prefix)).at(-1);
const setX = (name: string, value: string) => ({ 'header.Modifier': { scope: ['request'], name, value } });

function route(endpoint: string, martian: unknown, extra: Record<string, unknown> = {}, backend: Record<string, unknown> = {}) {
  return { endpoint, ...extra, backend: [{ host: [be.origin], url_pattern: `/up${endpoint}`, ...backend, extra_config: { [M]: martian } }] };
}
const noop = [{ output_encoding: 'no-op' }, { encoding: 'no-op' }] as const;

before(async () => {
  other = await startBackend();
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    endpoints: [
      route(
        '/cookief',
        { 'cookie.Filter': { scope: ['request'], name: 'beta', value: 'yes', modifier: setX('X-Beta', '1'), else: setX('X-Beta', '0') } },
        { input_headers: ['Cookie'] },
      ),
      route('/qf', { 'querystring.Filter': { scope: ['request'], name: 'v', value: '2', modifier: setX('X-V2', 'true') } }, { input_query_strings: ['v'] }),
      route('/urlf', { 'url.Filter': { scope: ['request'], path: '/up/urlf', modifier: setX('X-Path', 'matched'), else: setX('X-Path', 'other') } }),
      route(
        '/rf',
        {
          'header.RegexFilter': {
            scope: ['request'],
            header: 'X-Client',
            regex: '^mobile',
            modifier: { 'querystring.Modifier': { scope: ['request'], name: 'platform', value: 'mobile' } },
          },
        },
        { input_headers: ['X-Client'] },
      ),
      route('/stash', { 'stash.Modifier': { scope: ['request'], headerName: 'X-Stash' } }),
      {
        endpoint: '/port',
        backend: [
          { host: [be.origin, other.origin], url_pattern: '/up/port', extra_config: { [M]: { 'port.Modifier': { scope: ['request'], port: other.port } } } },
        ],
      },
      route('/verify', {
        'fifo.Group': {
          modifiers: [
            { 'header.Verifier': { scope: ['request'], name: 'X-Never', value: 'x' } },
            { 'status.Verifier': { scope: ['response'], statusCode: 418 } },
          ],
        },
      }),
      route(
        '/resp-noop',
        {
          'fifo.Group': {
            scope: ['response'],
            modifiers: [
              { 'status.Modifier': { scope: ['response'], statusCode: 202 } },
              { 'cookie.Modifier': { scope: ['response'], name: 'seen', value: '1', httpOnly: true } },
            ],
          },
        },
        ...noop,
      ),
      route(
        '/range',
        { 'body.Modifier': { scope: ['response'], contentType: 'text/plain', body: b64('0123456789') } },
        { ...noop[0], input_headers: ['Range'] },
        noop[1],
      ),
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
  await other?.close();
});

test('cookie.Filter reads the forwarded Cookie header', async () => {
  await http(gw.port, 'GET', '/cookief', { Cookie: 'a=1; beta=yes' });
  assert.equal(last(be, '/up/cookief')!.headers['x-beta'], '1');
  await http(gw.port, 'GET', '/cookief', { Cookie: 'beta=no' });
  assert.equal(last(be, '/up/cookief')!.headers['x-beta'], '0');
});

test('querystring.Filter matches the filtered query', async () => {
  await http(gw.port, 'GET', '/qf?v=2');
  assert.equal(last(be, '/up/qf')!.headers['x-v2'], 'true');
  await http(gw.port, 'GET', '/qf?v=3');
  assert.equal(last(be, '/up/qf')!.headers['x-v2'], undefined);
});

test('url.Filter matches the backend path', async () => {
  await http(gw.port, 'GET', '/urlf');
  assert.equal(last(be, '/up/urlf')!.headers['x-path'], 'matched');
});

test('header.RegexFilter (RE2) adds a query parameter', async () => {
  await http(gw.port, 'GET', '/rf', { 'X-Client': 'mobile-ios' });
  assert.equal(last(be, '/up/rf')!.url, '/up/rf?platform=mobile');
  await http(gw.port, 'GET', '/rf', { 'X-Client': 'desktop' });
  assert.equal(last(be, '/up/rf')!.url, '/up/rf');
});

test('stash.Modifier sends the URL being requested', async () => {
  await http(gw.port, 'GET', '/stash');
  assert.equal(last(be, '/up/stash')!.headers['x-stash'], `${be.origin}/up/stash`);
});

test('port.Modifier moves every call to the declared host on that port, keeping the Host header', async () => {
  for (let i = 0; i < 2; i++) assert.equal((await http(gw.port, 'GET', '/port')).status, 200);
  assert.equal(other.seen.filter((s) => s.url === '/up/port').length, 2);
  assert.equal(last(be, '/up/port'), undefined);
  const hosts = other.seen
    .filter((s) => s.url === '/up/port')
    .map((s) => s.headers.host)
    .sort();
  assert.deepEqual(hosts, [`127.0.0.1:${be.port}`, `127.0.0.1:${other.port}`].sort());
});

test('verifiers are accepted and change nothing', async () => {
  const r = await http(gw.port, 'GET', '/verify');
  assert.equal(r.status, 200, r.body);
  assert.equal(last(be, '/up/verify')!.headers['x-never'], undefined);
});

test('response status and Set-Cookie on a no-op route', async () => {
  const r = await http(gw.port, 'GET', '/resp-noop');
  assert.equal(r.status, 202);
  assert.deepEqual(r.headers['set-cookie'], ['seen=1; HttpOnly']);
});

test('body.Modifier honours a forwarded Range (206, and 416 past the end)', async () => {
  let r = await http(gw.port, 'GET', '/range', { Range: 'bytes=2-4' });
  assert.equal(r.status, 206, r.body);
  assert.equal(r.body, '234');
  assert.equal(r.headers['content-range'], 'bytes 2-4/10');
  r = await http(gw.port, 'GET', '/range', { Range: 'bytes=50-60' });
  assert.equal(r.status, 416);
});
