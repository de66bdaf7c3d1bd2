// Issue #15, judged as a whole: one gateway with every telemetry output on (logstash lines,
// access lines, GELF, /__stats, Prometheus, OTLP traces with report_headers, the security event
// log) receives requests carrying a unique bearer token, cookie, basic password, API key and
// query value — accepted and refused — and none of them appears in any log line, metric, span,
// audit or surface output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { startBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { makeKey, mint, writeJwksFile, jwks } from '../auth/helpers/tokens.js';

test('no token, cookie, password, API key or query value in any telemetry output', async () => {
  const key = await makeKey('k1');
  const SALT = 's';
  const API_KEY = 'ak-' + Math.random().toString(36).slice(2) + 'Zq';
  const PASSWORD = 'pw-' + Math.random().toString(36).slice(2) + 'Zq';
  const COOKIE = 'ck-' + Math.random().toString(36).slice(2) + 'Zq';
  const QUERY = 'qv-' + Math.random().toString(36).slice(2) + 'Zq';
  const token = await mint(key, { sub: 'u1', roles: ['user'] });
  const SECRETS = { token, signature: token.split('.')[2], API_KEY, PASSWORD, COOKIE, QUERY };

  const be = await startBackend();
  const otlp = await startOtlpReceiver();
  const udp = createSocket('udp4');
  const gelf: string[] = [];
  udp.on('message', (m) => gelf.push(m.toString('latin1')));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const statsPort = await freePort();
  const promPort = await freePort();
  const validator = { alg: 'RS256', jwk_local_path: writeJwksFile(jwks(key)), cookie_key: 'session', roles_key: 'roles', roles: ['user'] };
  const config = {
    version: 3,
    host: [be.origin],
    extra_config: {
      'telemetry/logging': { level: 'DEBUG', stdout: true, format: 'logstash', access_log_format: 'json' },
      'telemetry/gelf': { address: `127.0.0.1:${(udp.address() as { port: number }).port}` },
      'telemetry/metrics': { collection_time: '100ms', listen_address: `127.0.0.1:${statsPort}` },
      'telemetry/opentelemetry': {
        trace_sample_rate: 1,
        layers: { global: { report_headers: true }, proxy: { report_headers: true }, backend: { traces: { report_headers: true } } },
        exporters: {
          otlp: [{ name: 'rx', host: 'http://127.0.0.1', port: otlp.port, use_http: true, disable_metrics: true }],
          prometheus: [{ name: 'p', port: promPort }],
        },
      },
      'auth/api-keys': {
        hash: 'sha256',
        salt: SALT,
        keys: [
          {
            key: createHash('sha256')
              .update(SALT + API_KEY)
              .digest('hex'),
            roles: ['svc'],
          },
        ],
      },
      'auth/basic': { users: { alice: bcrypt.hashSync(PASSWORD, 4) } },
    },
    endpoints: [
      {
        endpoint: '/jwt/{id}',
        input_headers: ['*'],
        input_query_strings: ['*'],
        extra_config: { 'auth/validator': validator },
        backend: [{ url_pattern: '/jwt/{id}' }],
      },
      { endpoint: '/key', input_query_strings: ['q'], extra_config: { 'auth/api-keys': { roles: ['svc'] } }, backend: [{ url_pattern: '/key' }] },
      { endpoint: '/basic', extra_config: { 'auth/basic': {} }, backend: [{ url_pattern: '/basic' }] },
    ],
  };
  const gw = await startGateway(config, { env: { RAMPART_LOG_LEVEL: '' }, debug: true });
  try {
    const basic = (pw: string) => 'Basic ' + Buffer.from(`alice:${pw}`).toString('base64');
    const all = { cookie: `session=${token}; other=${COOKIE}`, 'x-api-key': API_KEY };
    const sends: [string, string, Record<string, string>, number][] = [
      ['GET', `/jwt/1?token=${QUERY}&q=${QUERY}`, { authorization: `Bearer ${token}`, ...all }, 200],
      ['GET', `/jwt/1?token=${QUERY}`, { authorization: `Bearer ${token}x` }, 401],
      ['GET', `/jwt/1?q=${QUERY}`, { cookie: `session=${token}; other=${COOKIE}` }, 200],
      ['GET', `/key?q=${QUERY}`, { authorization: `Bearer ${API_KEY}` }, 200],
      ['GET', `/key?q=${QUERY}`, { authorization: `Bearer ${API_KEY}x` }, 401],
      ['GET', `/basic?x=${QUERY}`, { authorization: basic(PASSWORD), cookie: `c=${COOKIE}` }, 200],
      ['GET', `/basic?x=${QUERY}`, { authorization: basic(PASSWORD + 'x') }, 401],
      ['GET', `/missing?token=${QUERY}`, { authorization: `Bearer ${token}`, cookie: `c=${COOKIE}` }, 404],
      ['GET', `/__debug/x?token=${QUERY}`, { authorization: `Bearer ${token}` }, 200],
    ];
    for (const [m, path, headers, status] of sends) assert.equal((await http(gw.port, m, path, headers)).status, status, path);
    // The backend did receive the forwarded credentials (so the telemetry had them in hand).
    assert.ok(be.seen.some((s) => String(s.headers.cookie ?? '').includes(COOKIE)));
    await sleep(1800);
    const outputs: Record<string, string> = {
      'stdout/stderr': gw.output(),
      gelf: gelf.join('\n'),
      '/__stats': (await http(statsPort, 'GET', '/__stats')).body,
      '/metrics': await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text(),
      spans: otlp.raw.join('\n'),
      audit: spawnSync(process.execPath, [BIN, 'audit', '-c', writeConfig(config)], { encoding: 'utf8' }).stderr,
      surface: spawnSync(process.execPath, [BIN, 'surface', '-c', writeConfig(config), '--format', 'json'], { encoding: 'utf8' }).stdout,
    };
    assert.ok(otlp.spans.length >= 9, `${otlp.spans.length} spans`);
    assert.ok(outputs['stdout/stderr'].includes('request refused'), 'the security events are part of what was checked');
    assert.ok(gelf.length > 5 && outputs['/__stats'].includes('krakend.router') && outputs['/metrics'].includes('http_server_duration'));
    for (const [where, text] of Object.entries(outputs)) {
      for (const [what, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `${what} found in ${where}`);
    }
  } finally {
    await gw.stop();
    await otlp.close();
    udp.close();
    await be.close();
  }
});
