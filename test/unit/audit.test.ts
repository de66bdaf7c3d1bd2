// `rampart audit` (issue #15) run as the real CLI: KrakenD's rule ids on an insecure config and
// exit 1, nothing on a hardened one (exit 0), --ignore / --ignore-file / --severity / --format /
// --json, and no secret of the config in the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { BIN, writeConfig } from '../helpers/gateway.js';

const SECRET = 'audit-secret-8812';

const insecure = {
  version: 3,
  echo_endpoint: true,
  timeout: '90s',
  extra_config: { router: { return_error_msg: true }, 'auth/basic': { users: { admin: `$2b$04$${SECRET}` } } },
  endpoints: [
    { endpoint: '/all', input_headers: ['*'], input_query_strings: ['*'], backend: [{ host: ['http://10.0.0.1'], url_pattern: '/x' }] },
    { endpoint: '/none', backend: [] },
  ],
};

const hardened = {
  version: 3,
  name: 'hardened',
  listen_ip: '10.0.0.5',
  timeout: '2s',
  tls: { keys: [{ public_key: '/etc/tls/cert.pem', private_key: '/etc/tls/key.pem' }] },
  extra_config: {
    router: { hide_version_header: true, trusted_proxies: ['10.0.0.0/8'] },
    'security/http': { frame_deny: true },
    'security/cors': { allow_origins: ['https://app.example'] },
    'security/bot-detector': { deny: ['BadBot'] },
    'telemetry/logging': { level: 'INFO', stdout: true },
    'telemetry/opentelemetry': {
      trace_sample_rate: 0.1,
      exporters: { otlp: [{ name: 'c', host: 'https://collector.example', disable_metrics: true }], prometheus: [{ name: 'p' }] },
    },
  },
  endpoints: [
    {
      endpoint: '/orders/{id}',
      extra_config: {
        'auth/validator': { alg: 'RS256', jwk_url: 'https://idp.example/jwks', audience: ['orders'] },
        'qos/ratelimit/router': { client_max_rate: 10, strategy: 'ip' },
      },
      backend: [
        { host: ['http://orders'], url_pattern: '/o/{id}', extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 3 } } },
        { host: ['http://users'], url_pattern: '/u/{id}' },
      ],
    },
  ],
};

function audit(cfg: object, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'audit', '-c', writeConfig(cfg), ...args], { encoding: 'utf8' });
}

const ids = (stderr: string) =>
  stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]);

test('an insecure config: KrakenD rule ids and Rampart value rules on stderr, exit 1, no secret', () => {
  const r = audit(insecure);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  const got = ids(r.stderr);
  for (const id of ['1.1.1', '1.2.1', '2.1.2', '2.1.7', '2.2.2', '2.2.3', '2.2.4', '3.1.2', '3.1.3', '3.3.4', '5.1.3', '5.2.1', '10.1.1', '10.4.1'])
    assert.ok(got.includes(id), `${id} missing from\n${r.stderr}`);
  assert.match(r.stderr, /^1\.1\.1\t\[HIGH\] {3}\tAvoid using basic authentication\.$/m);
  assert.ok(!r.stderr.includes(SECRET));
});

test('a hardened config: nothing to report, exit 0', () => {
  const r = audit(hardened);
  assert.equal(r.stderr, '', r.stderr);
  assert.equal(r.status, 0);
});

test('--ignore, --ignore-file and --severity narrow the report', () => {
  const all = ids(audit(insecure).stderr);
  const r = audit(insecure, '-i', '1.1.1,2.2.3');
  assert.ok(!ids(r.stderr).includes('1.1.1') && !ids(r.stderr).includes('2.2.3'));
  assert.equal(ids(r.stderr).length, all.length - 2);
  const file = writeConfig({}).replace(/rampart\.json$/, 'ignore.txt');
  writeFileSync(file, ' 1.2.1 \n\n3.3.4\n');
  const f = audit(insecure, '-I', file);
  assert.ok(!ids(f.stderr).includes('1.2.1') && !ids(f.stderr).includes('3.3.4'));
  const crit = audit(insecure, '-s', 'CRITICAL');
  assert.deepEqual(ids(crit.stderr).sort(), ['3.3.4', '5.2.1']);
  assert.equal(audit(hardened, '-s', 'CRITICAL').status, 0);
});

test('--format templates and --json', () => {
  const m = audit(insecure, '-f', '{{ marshal . }}', '-s', 'CRITICAL');
  const j = JSON.parse(m.stderr);
  assert.deepEqual(j.stats, {});
  assert.deepEqual(j.recommendations.map((x: { rule: string }) => x.rule).sort(), ['3.3.4', '5.2.1']);
  const range = audit(insecure, '-f', '{{range .Recommendations}}{{.Rule}};{{end}}', '-s', 'CRITICAL');
  assert.equal(range.stderr, '3.3.4;5.2.1;');
  const json = audit(insecure, '--json', '-s', 'CRITICAL');
  assert.equal(json.status, 1);
  assert.equal(JSON.parse(json.stdout).recommendations.length, 2);
  const bad = audit(insecure, '-f', '{{ .Rule | printf }}');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /rampart audit: unsupported template action/);
  const notJson = spawnSync(process.execPath, [BIN, 'audit', '-c', '/nonexistent.json'], { encoding: 'utf8' });
  assert.equal(notJson.status, 1);
  assert.match(notJson.stderr, /rampart audit: \/nonexistent\.json: cannot read file: ENOENT/);
});
