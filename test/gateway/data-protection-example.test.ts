// examples/data-protection.json does what it says: the request schema and the CEL tenant check
// refuse bad orders before any backend call, and card numbers, emails and tokens are masked in
// the answer while other fields arrive unchanged. Run as the example is, on a real backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { ROOT, startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  be = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/account')
      res.end(JSON.stringify({ payment: { card: '4111111111111111' }, user: { email: 'ada@example.com', token: 'tok_secret', name: 'Ada' } }));
    else res.end('{"ok":true}');
  });
  const example = JSON.parse(readFileSync(`${ROOT}/examples/data-protection.json`, 'utf8')) as Record<string, unknown>;
  gw = await startGateway({ ...example, host: [be.origin] });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('the example refuses bad orders before the backend and passes good ones', async () => {
  const good = JSON.stringify({ item: 'ABC-1234', quantity: 2 });
  const json = { 'content-type': 'application/json', 'x-tenant': 'acme' };
  assert.equal((await http(gw.port, 'POST', '/orders', json, good)).status, 200);
  const calls = be.seen.length;
  assert.equal((await http(gw.port, 'POST', '/orders', json, JSON.stringify({ item: 'abc', quantity: 2 }))).status, 400, 'pattern');
  assert.equal((await http(gw.port, 'POST', '/orders', json, '{"item":"ABC-1234","quantity":2,"quantity":500}')).status, 400, 'duplicate key');
  assert.equal((await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json', 'x-tenant': 'ACME!' }, good)).status, 500, 'CEL tenant check');
  assert.equal((await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json' }, good)).status, 500, 'no tenant');
  assert.equal(be.seen.length, calls, 'no refused order reached the backend');
});

test('the example masks card, email and token and leaves the rest unchanged', async () => {
  const r = await http(gw.port, 'GET', '/account');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { payment: { card: '************1111' }, user: { email: 'a***@example.com', token: '[redacted]', name: 'Ada' } });
  assert.ok(!r.body.includes('4111111111111111') && !r.body.includes('tok_secret') && !r.body.includes('ada@'));
});
