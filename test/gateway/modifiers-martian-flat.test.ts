// Martian request header/query modifiers compiled into one flat rewrite (keeps the direct no-op
// path; components/modifier/martian/flat-rewrite.ts) send exactly what the engine's own steps
// send: the same block once alone (flattened) and once with a verifier added (which does nothing
// but cannot be flattened, so the engine runs), over real sockets, on no-op and JSON routes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

const MODS = [
  { 'header.Modifier': { scope: ['request'], name: 'X-Gateway', value: 'rampart' } },
  { 'header.Modifier': { scope: ['request'], name: 'X-Env', value: 'bench' } },
  { 'header.Append': { scope: ['request'], name: 'X-Tags', value: 'a' } },
  { 'header.Blacklist': { scope: ['request'], names: ['X-Drop'] } },
  { 'querystring.Modifier': { scope: ['request'], name: 'apikey', value: 'k y' } },
  { 'querystring.Modifier': { scope: ['request'], name: 'v', value: '2' } },
];
const VERIFY = { 'header.Verifier': { scope: ['request'], name: 'X-Gateway', value: 'rampart' } };

function route(path: string, mods: object[], encoding: 'no-op' | 'json') {
  return {
    endpoint: path,
    input_headers: ['X-Tags', 'X-Drop', 'X-Env'],
    input_query_strings: ['a', 'b', 'apikey'],
    ...(encoding === 'no-op' ? { output_encoding: 'no-op' } : {}),
    backend: [
      {
        host: [be.origin],
        url_pattern: '/up',
        ...(encoding === 'no-op' ? { encoding: 'no-op' } : {}),
        extra_config: { 'modifier/martian': { 'fifo.Group': { scope: ['request'], modifiers: mods } } },
      },
    ],
  };
}

before(async () => {
  be = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    endpoints: [
      route('/flat', MODS, 'no-op'),
      route('/engine', [...MODS, VERIFY], 'no-op'),
      route('/flat-json', MODS, 'json'),
      route('/engine-json', [...MODS, VERIFY], 'json'),
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

async function sent(path: string): Promise<{ url: string; headers: Record<string, unknown> }> {
  be.seen.length = 0;
  const r = await http(gw.port, 'GET', `${path}?b=2&a=1&apikey=client&zz=no`, { 'x-tags': 'client', 'x-drop': 'secret', 'x-env': 'prod' });
  assert.equal(r.status, 200);
  assert.equal(be.seen.length, 1);
  const h = be.seen[0].headers;
  return { url: be.seen[0].url, headers: { g: h['x-gateway'], env: h['x-env'], tags: h['x-tags'], drop: h['x-drop'] } };
}

test('the flat rewrite sends what the engine sends (no-op and JSON routes)', async () => {
  for (const [flat, engine] of [
    ['/flat', '/engine'],
    ['/flat-json', '/engine-json'],
  ]) {
    const a = await sent(flat);
    const b = await sent(engine);
    assert.deepEqual(a, b);
    // Go's Encode: sorted keys, the client's apikey replaced, query-escaped values.
    assert.equal(a.url, '/up?a=1&apikey=k+y&b=2&v=2');
    assert.deepEqual(a.headers, { g: 'rampart', env: 'bench', tags: 'client, a', drop: undefined });
  }
});
