// `rampart check` / startup refusal: a bad config never starts a gateway, and every problem is
// listed with FILE: /json/pointer: message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { BIN, writeConfig } from '../helpers/gateway.js';

function check(config: unknown, extraArgs: string[] = [], env: Record<string, string> = {}) {
  const file = typeof config === 'string' ? config : writeConfig(config as object);
  const r = spawnSync(process.execPath, [BIN, ...(extraArgs.length ? extraArgs : ['check', '-c', file])], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { file, code: r.status, out: r.stdout + r.stderr };
}

const backend = { url_pattern: '/x', host: ['http://127.0.0.1:9'] };
const ok = { version: 3, endpoints: [{ endpoint: '/a', backend: [backend] }] };

test('a valid config passes check with exit 0', () => {
  const r = check(ok);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /ok \(1 endpoints\)/);
});

test('check lists every problem with file and JSON pointer, exit 1', () => {
  const r = check({
    version: 3,
    timeout: '3 seconds',
    tsl: { public_key: 'x' },
    extra_config: { 'auth/validtor': {} },
    endpoints: [
      { endpoint: '/a', method: 'GET', backend: [{ ...backend, encodnig: 'json' }] },
      { endpoint: '/b', backend: [] },
    ],
  });
  assert.equal(r.code, 1, r.out);
  const lines = r.out.trim().split('\n');
  assert.ok(
    lines.every((l) => l.startsWith(r.file + ': /')),
    r.out,
  );
  assert.match(r.out, /: \/timeout: invalid duration/);
  assert.match(r.out, /: \/tsl: unknown field "tsl" \(did you mean "tls"\?\)/);
  assert.match(r.out, /: \/extra_config\/auth~1validtor: unknown namespace "auth\/validtor" \(did you mean "auth\/validator"\?\)/);
  assert.match(r.out, /: \/endpoints\/0\/backend\/0\/encodnig: unknown field "encodnig" \(did you mean "encoding"\?\)/);
  assert.match(r.out, /: \/endpoints\/1\/backend: must NOT have fewer than 1 items/);
  assert.ok(lines.length >= 5, r.out);
});

test('a tls block whose files cannot be read is refused: never a silent plain-HTTP gateway', () => {
  const r = check({ ...ok, tls: { keys: [{ public_key: '/nonexistent/a.pem', private_key: '/nonexistent/b.pem' }] } });
  assert.equal(r.code, 1);
  assert.match(r.out, /\/tls\/keys\/0: cannot read "\/nonexistent\/a.pem"/);
});

test('KrakenD namespaces Rampart lacks are refused, not ignored; legacy names are read', () => {
  const r = check({ ...ok, extra_config: { 'server/virtualhost': { hosts: ['a.example'] } } });
  assert.equal(r.code, 1);
  assert.match(r.out, /namespace "server\/virtualhost" is not implemented by Rampart/);
  const legacy = check({ ...ok, extra_config: { 'github_com/luraproject/lura/router/gin': { return_error_msg: false } } });
  assert.equal(legacy.code, 0, legacy.out);
  assert.match(legacy.out, /legacy namespace/);
});

test('namespace placed at the wrong level is an error', () => {
  const r = check({ version: 3, endpoints: [{ endpoint: '/a', backend: [{ ...backend, extra_config: { router: {} } }] }] });
  assert.equal(r.code, 1);
  assert.match(r.out, /\/endpoints\/0\/backend\/0\/extra_config\/router: namespace "router" is not allowed at backend level/);
});

test('semantic errors: undefined placeholder, duplicate endpoint, reserved path, no host, bad host, no-op with 2 backends', () => {
  const r = check({
    version: 3,
    endpoints: [
      { endpoint: '/u/{id}', backend: [{ url_pattern: '/x/{name}', host: ['http://127.0.0.1:9'] }] },
      { endpoint: '/a', backend: [backend] },
      { endpoint: '/a', backend: [backend] },
      { endpoint: '/__health', backend: [backend] },
      { endpoint: '/nohost', backend: [{ url_pattern: '/x' }] },
      { endpoint: '/badhost', backend: [{ url_pattern: '/x', host: ['http://user:pw@evil/path'] }] },
      { endpoint: '/noop', output_encoding: 'no-op', backend: [backend, backend] },
    ],
  });
  assert.equal(r.code, 1);
  assert.match(r.out, /\/endpoints\/0\/backend\/0\/url_pattern: undefined output param 'name'/);
  assert.match(r.out, /\/endpoints\/2: duplicate endpoint GET \/a/);
  assert.match(r.out, /\/endpoints\/3\/endpoint: endpoint "\/__health" is reserved/);
  assert.match(r.out, /\/endpoints\/4\/backend\/0\/host: no host/);
  assert.match(r.out, /\/endpoints\/5\/backend\/0\/host\/0: invalid host/);
  assert.match(r.out, /\/endpoints\/6\/output_encoding: can not use no-op/);
});

test('invalid durations are errors, never zero; Go durations are accepted', () => {
  assert.equal(check({ ...ok, timeout: '1h30m', read_header_timeout: '1.5s' }).code, 0);
  for (const bad of ['5', '1d', '-1s', 's', '']) {
    const r = check({ ...ok, timeout: bad });
    assert.equal(r.code, 1, `${bad}: ${r.out}`);
    assert.match(r.out, /\/timeout: invalid duration/);
  }
});

test('version other than 3 and broken JSON are refused', () => {
  assert.match(check({ ...ok, version: 2 }).out, /\/version: unsupported version: 2 \(want: 3\)/);
  const file = writeConfig({});
  writeFileSync(file, '{"version": 3,');
  const r = check(file, ['check', '-c', file]);
  assert.equal(r.code, 1);
  assert.match(r.out, /not valid JSON/);
});

test('a misspelled field inside a namespace gets a suggestion', () => {
  const r = check({ ...ok, extra_config: { router: { return_error_mgs: true } } });
  assert.equal(r.code, 1);
  assert.match(r.out, /\/extra_config\/router\/return_error_mgs: unknown field "return_error_mgs" \(did you mean "return_error_msg"\?\)/);
});

test('--version, --help, RAMPART_CONFIG and usage errors', () => {
  assert.match(check(null, ['--version']).out, /^rampart \d+\.\d+\.\d+/);
  assert.match(check(null, ['--help']).out, /rampart run/);
  const file = writeConfig(ok);
  const env = check(null, ['check'], { RAMPART_CONFIG: file });
  assert.equal(env.code, 0, env.out);
  assert.equal(check(null, ['check'], { RAMPART_CONFIG: '' }).code, 2);
  assert.equal(check(null, ['frobnicate']).code, 2);
});

test('run refuses to start on a bad config', () => {
  const file = writeConfig({ version: 3, endpoints: [{ endpoint: 'nope', backend: [backend] }] });
  const r = check(null, ['run', '-c', file, '--workers', '1', '--port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.out, /\/endpoints\/0\/endpoint: endpoint "nope" must start with "\/"/);
});
