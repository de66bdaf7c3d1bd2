// security/policies getCookie() over real sockets, as KrakenD's own EE playground uses it
// (`/track-user`: input_headers ["Cookie"], req policy `getCookie('GDPR') == 'yes'`, error 403):
// the request reaches the backend only with the cookie set to "yes"; any other value, no cookie,
// or the name in another case is refused with the configured status before the backend is
// called. A resp policy with getCookie() stops startup with its pointer (it reads the request).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let backend: TestBackend;
let gw: RunningGateway;

const endpoint = (policies: object) => ({
  endpoint: '/track-user',
  input_headers: ['Cookie'],
  backend: [{ host: [backend.origin], url_pattern: '/__debug/cookie' }],
  extra_config: { 'security/policies': policies },
});

before(async () => {
  backend = await startBackend();
  gw = await startGateway({
    version: 3,
    endpoints: [endpoint({ req: { error: { body: 'User did not accept the cookie', status: 403 }, policies: ["getCookie('GDPR') == 'yes'"] } })],
  });
});

after(async () => {
  await gw?.stop();
  await backend?.close();
});

test("getCookie('GDPR') == 'yes': only a request carrying GDPR=yes reaches the backend", async () => {
  const cases: [Record<string, string>, number][] = [
    [{ Cookie: 'GDPR=yes' }, 200],
    [{ Cookie: 'session=abc; GDPR=yes; theme=dark' }, 200],
    [{ Cookie: 'GDPR="yes"' }, 200], // a quoted value, as Go's net/http reads it
    [{ Cookie: 'GDPR=no' }, 403],
    [{ Cookie: 'gdpr=yes' }, 403], // cookie names are case-sensitive
    [{ Cookie: 'XGDPR=yes' }, 403],
    [{ Cookie: 'GDPR=yess' }, 403],
    [{}, 403],
  ];
  for (const [headers, status] of cases) {
    const before = backend.seen.length;
    const r = await http(gw.port, 'GET', '/track-user', headers);
    assert.equal(r.status, status, `${JSON.stringify(headers)}: ${r.status} ${r.body}`);
    assert.equal(backend.seen.length - before, status === 200 ? 1 : 0, `${JSON.stringify(headers)}: backend calls`);
  }
});

test('getCookie() in a resp policy stops startup with its pointer (it reads the request)', () => {
  const file = writeConfig({ version: 3, endpoints: [endpoint({ resp: { policies: ["getCookie('GDPR') == 'yes'"] } })] });
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /\/endpoints\/0\/extra_config\/security~1policies\/resp\/policies\/0/);
  assert.doesNotMatch(r.stderr + r.stdout, /at .*\.js:\d+/); // no stack trace
});
