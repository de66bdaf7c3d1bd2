// KrakenD's flexible configuration end to end: examples/flexible-config (settings, partials,
// sub-templates, env, marshal, include, range over a list and a map) rendered by the real
// `rampart run` (FC_ENABLE=1 ...) in front of a real loopback backend; and `rampart check` on a
// broken template, which names the template file and line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, ROOT, startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

const EXAMPLE = join(ROOT, 'examples', 'flexible-config');

function fcEnv(dir: string, out: string): Record<string, string> {
  return { FC_ENABLE: '1', FC_SETTINGS: join(dir, 'settings'), FC_PARTIALS: join(dir, 'partials'), FC_TEMPLATES: join(dir, 'templates'), FC_OUT: out };
}

describe('flexible configuration: rampart run renders the example and serves it', () => {
  let api: TestBackend;
  let gw: RunningGateway;
  let out: string;
  before(async () => {
    api = await startBackend((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, tenant: req.headers['x-tenant'] ?? null }));
    });
    out = join(mkdtempSync(join(tmpdir(), 'rampart-fc-out-')), 'rendered.json');
    // USERS_API reaches the template through `env` (the settings' default_backend is unused).
    gw = await startGateway({}, { file: join(EXAMPLE, 'krakend.tmpl'), env: { ...fcEnv(EXAMPLE, out), USERS_API: api.origin } });
  });
  after(async () => {
    await gw?.stop();
    await api?.close();
  });

  it('routes the endpoints made by range over the settings list, with their headers', async () => {
    const r = await http(gw.port, 'GET', '/users/7', { 'x-tenant': 'acme', 'x-other': 'dropped' });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { path: '/api/users/7', tenant: 'acme' });
    const o = await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json' }, '{}');
    assert.equal(o.status, 200);
    assert.equal(JSON.parse(o.body).path, '/api/orders');
    // The method came through `default "get" | upper`: GET is not declared for /orders.
    assert.equal((await http(gw.port, 'GET', '/orders')).status, 405);
  });

  it('routes the endpoints made by range over a settings map (sorted keys)', async () => {
    assert.equal(JSON.parse((await http(gw.port, 'GET', '/health/users')).body).path, '/status');
    assert.equal(JSON.parse((await http(gw.port, 'GET', '/health/billing')).body).path, '/billing/status');
  });

  it('wrote the rendered config to FC_OUT, with the partial and the env value in place', () => {
    const rendered = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(rendered.name, 'flexible-example');
    assert.deepEqual(
      rendered.endpoints.map((e: { endpoint: string }) => e.endpoint),
      ['/users/{id}', '/orders', '/catalog', '/health/billing', '/health/users'],
    );
    assert.deepEqual(rendered.endpoints[1].backend[0].extra_config['qos/ratelimit/proxy'], { max_rate: 100, capacity: 100 });
    assert.equal(rendered.endpoints[0].backend[0].host[0], api.origin);
    assert.deepEqual(rendered.extra_config['security/cors'].allow_origins, ['https://app.example.com']);
  });
});

describe('flexible configuration: rampart check reports where a template is wrong', () => {
  function copy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-fc-ex-'));
    cpSync(EXAMPLE, dir, { recursive: true });
    return dir;
  }
  function check(dir: string, extra: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', join(dir, 'krakend.tmpl')], {
      env: { ...process.env, ...fcEnv(dir, join(dir, 'out.json')), ...extra },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { code: r.status, err: r.stderr, out: r.stdout };
  }

  it('passes on the example as shipped', () => {
    const r = check(copy());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /ok \(5 endpoints\)/);
  });

  it('a template error: exit 1, the sub-template file and line:column', () => {
    const dir = copy();
    const t = join(dir, 'templates', 'backend.tmpl');
    writeFileSync(t, readFileSync(t, 'utf8').replace('{{ .path }}', '{{ .path | lowercase }}'));
    const r = check(dir);
    assert.equal(r.code, 1);
    assert.match(r.err, /templates\/backend\.tmpl:3:38: template: function "lowercase" not defined/);
  });

  it('a bad value in the rendered config: its pointer, the rendered line and the settings-driven template line', () => {
    const dir = copy();
    const s = join(dir, 'settings', 'endpoints.json');
    writeFileSync(s, readFileSync(s, 'utf8').replace('"method": "post"', '"method": "brew"'));
    const r = check(dir);
    assert.equal(r.code, 1);
    const rendered = readFileSync(join(dir, 'out.json'), 'utf8').split('\n');
    const line = rendered.findIndex((l) => l.includes('"BREW"')) + 1;
    assert.ok(line > 0);
    assert.match(r.err, new RegExp(`/endpoints/1/method: .*\\(line ${line} of the rendered config .*out\\.json, written by .*templates/endpoint\\.tmpl:3\\)`));
  });

  it('a problem found while building the components is mapped to the template line too', () => {
    const dir = copy();
    const t = join(dir, 'templates', 'endpoint.tmpl');
    const jwks = '{ "auth/validator": { "alg": "RS256", "jwk_local_path": "/nonexistent/jwks.json" } }';
    writeFileSync(t, readFileSync(t, 'utf8').replace('"backend": [', `"extra_config": ${jwks},\n      "backend": [`));
    const r = check(dir);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /\/endpoints\/0\/extra_config\/auth~1validator\/jwk_local_path: cannot read .*\(line \d+ of the rendered config .*out\.json, written by .*templates\/endpoint\.tmpl:7\)/,
    );
  });

  it('KRAKEND_PORT overrides the rendered port, and a bad one names the variable', () => {
    const r = check(copy(), { KRAKEND_PORT: 'http' });
    assert.equal(r.code, 1);
    assert.match(r.err, /\/port: KRAKEND_PORT: not an integer/);
  });
});
