// Real-looking KrakenD martian configs (shapes taken from KrakenD's documentation and published
// configs) run end to end over real sockets: the loopback backend records what it receives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

const last = (prefix: string) => be.seen.filter((s) => s.url.startsWith(prefix)).at(-1);

before(async () => {
  be = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', server: 'legacy-app/1.2', 'x-powered-by': 'php' });
    res.end(JSON.stringify({ path: req.url }));
  });
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    endpoints: [
      // 1. Basic auth + API key to a legacy backend, with the CE legacy namespace name.
      {
        endpoint: '/legacy/{id}',
        backend: [
          {
            host: [be.origin],
            url_pattern: '/v1/items/{id}',
            extra_config: {
              'github.com/devopsfaith/krakend-martian': {
                'fifo.Group': {
                  scope: ['request', 'response'],
                  aggregateErrors: true,
                  modifiers: [
                    { 'header.Modifier': { scope: ['request'], name: 'Authorization', value: 'Basic dXNlcjpwYXNz' } },
                    { 'querystring.Modifier': { scope: ['request'], name: 'apikey', value: 'svc-123' } },
                    { 'header.Blacklist': { scope: ['response'], names: ['Server', 'X-Powered-By'] } },
                  ],
                },
              },
            },
          },
        ],
      },
      // 2. A mocked backend (KrakenD docs: "static response with martian").
      {
        endpoint: '/mocked',
        backend: [
          {
            host: [be.origin],
            url_pattern: '/__mock',
            extra_config: {
              'modifier/martian': {
                'fifo.Group': {
                  scope: ['request', 'response'],
                  aggregateErrors: true,
                  modifiers: [
                    { 'skip.RoundTrip': { scope: ['request'] } },
                    { 'status.Modifier': { scope: ['response'], statusCode: 200 } },
                    { 'body.Modifier': { scope: ['response'], contentType: 'application/json', body: 'eyJtc2ciOiJ5b3Ugcm9jayEifQ==' } },
                  ],
                },
              },
            },
          },
        ],
      },
      // 3. Conditional routing by header and query (tenant header -> query; a regex on the URL).
      {
        endpoint: '/tenants',
        input_headers: ['X-Tenant'],
        input_query_strings: ['debug'],
        backend: [
          {
            host: [be.origin],
            url_pattern: '/tenants',
            extra_config: {
              'modifier/martian': {
                'fifo.Group': {
                  scope: ['request'],
                  modifiers: [
                    {
                      'header.Filter': {
                        scope: ['request'],
                        name: 'X-Tenant',
                        value: 'acme',
                        modifier: { 'querystring.Modifier': { scope: ['request'], name: 'tenant', value: 'acme-prod' } },
                        else: { 'querystring.Modifier': { scope: ['request'], name: 'tenant', value: 'shared' } },
                      },
                    },
                    {
                      'url.RegexFilter': {
                        scope: ['request'],
                        regex: 'debug=1',
                        modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Debug', value: 'on' } },
                      },
                    },
                  ],
                },
              },
            },
          },
        ],
      },
      // 4. Priorities, cookies and response headers (a session cookie upstream, a cache header
      // back). A no-op route: with other encodings KrakenD (and Rampart) send no backend headers.
      {
        endpoint: '/session',
        output_encoding: 'no-op',
        backend: [
          {
            host: [be.origin],
            url_pattern: '/session',
            encoding: 'no-op',
            extra_config: {
              'modifier/martian': {
                'priority.Group': {
                  modifiers: [
                    { priority: 0, modifier: { 'header.Modifier': { scope: ['response'], name: 'Cache-Control', value: 'no-store' } } },
                    { priority: 10, modifier: { 'cookie.Modifier': { scope: ['request'], name: 'backend_session', value: 'static-token' } } },
                    { priority: 5, modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Gateway', value: 'rampart' } } },
                  ],
                },
              },
            },
          },
        ],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('legacy-named config: basic auth and API key upstream, server headers removed', async () => {
  const r = await http(gw.port, 'GET', '/legacy/7', { Authorization: 'Bearer client-token' });
  assert.equal(r.status, 200, r.body);
  const s = last('/v1/items/7')!;
  assert.equal(s.headers.authorization, 'Basic dXNlcjpwYXNz');
  assert.equal(s.url, '/v1/items/7?apikey=svc-123');
  assert.deepEqual(JSON.parse(r.body), { path: '/v1/items/7?apikey=svc-123' });
  assert.ok(gw.output().includes('legacy namespace'), 'the rename is reported');
});

test('mocked backend: the documented static response, the backend never called', async () => {
  const r = await http(gw.port, 'GET', '/mocked');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { msg: 'you rock!' });
  assert.equal(last('/__mock'), undefined);
});

test('conditional tenant routing by header and URL regex', async () => {
  await http(gw.port, 'GET', '/tenants?debug=1', { 'X-Tenant': 'acme' });
  let s = last('/tenants')!;
  assert.equal(s.url, '/tenants?debug=1&tenant=acme-prod');
  assert.equal(s.headers['x-debug'], 'on');
  await http(gw.port, 'GET', '/tenants', { 'X-Tenant': 'other' });
  s = last('/tenants')!;
  assert.equal(s.url, '/tenants?tenant=shared');
  assert.equal(s.headers['x-debug'], undefined);
});

test('priority group: cookie and header upstream, cache header back', async () => {
  const r = await http(gw.port, 'GET', '/session', { Cookie: 'client=evil' });
  assert.equal(r.status, 200, r.body);
  const s = last('/session')!;
  assert.equal(s.headers.cookie, 'backend_session=static-token');
  assert.equal(s.headers['x-gateway'], 'rampart');
  assert.equal(r.headers['cache-control'], 'no-store');
});
