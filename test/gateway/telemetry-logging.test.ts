// `telemetry/logging` over real sockets (issue #15): KrakenD's level, prefix, stdout, syslog and
// format fields, and the EE access-log formats; every format stays one line per record and
// carries no secret (query values, tokens, cookies), whatever the client sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';

const SECRET = 'tok-9f8e7d6c5b4a';
// The level comes from the config in these tests, not the helper's debug override.
const env = { RAMPART_LOG_LEVEL: '' };

function config(be: TestBackend, logging: object): object {
  return {
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/ok', input_query_strings: ['token'], backend: [{ url_pattern: '/ok' }] }],
    extra_config: { 'telemetry/logging': logging },
  };
}

/** A few requests carrying secrets in every place a client can put one. */
async function traffic(gw: RunningGateway): Promise<void> {
  const headers = { authorization: `Bearer ${SECRET}`, cookie: `session=${SECRET}`, 'user-agent': 'evil"agent\tx', 'x-api-key': SECRET };
  assert.equal((await http(gw.port, 'GET', `/ok?token=${SECRET}&x=1`, headers)).status, 200);
  assert.equal((await http(gw.port, 'GET', `/missing?token=${SECRET}`, headers)).status, 404);
  await sleep(100);
}

function lines(gw: RunningGateway): string[] {
  return gw
    .output()
    .split('\n')
    .filter((l) => l.length > 0);
}

test('format default: KrakenD-style lines with the prefix; access lines in the default access format', async () => {
  const be = await startBackend();
  const gw = await startGateway(config(be, { level: 'INFO', prefix: '[GW-A]', stdout: true }), { env });
  try {
    await traffic(gw);
    const out = lines(gw);
    const listening = out.find((l) => l.includes('rampart listening'))!;
    assert.match(listening, /^\[GW-A\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d\.\d{3} ▶ INFO rampart listening port=\d+ endpoints=1$/);
    const access = out.filter((l) => l.includes('[AccessLog]'));
    assert.equal(access.length, 2, out.join('\n'));
    assert.match(access[0], /^\[GW-A\] \S+ - \S+ \[AccessLog\] \| 200 \| [\d.]+ms \| 127\.0\.0\.1 \| GET "\/ok"$/);
    assert.match(access[1], /\| 404 \| .* GET "\/missing"$/);
    assert.ok(!gw.output().includes(SECRET), 'a secret reached the log');
    assert.ok(!out.some((l) => l.includes('"level":30')), 'no pino JSON lines left');
  } finally {
    await gw.stop();
    await be.close();
  }
});

test('format logstash: every application line is valid JSON with @timestamp, level and message', async () => {
  const be = await startBackend();
  const gw = await startGateway(config(be, { level: 'DEBUG', prefix: '[X]', stdout: true, format: 'logstash', access_log_format: 'json' }), {
    env,
    debug: true,
  });
  try {
    await traffic(gw);
    // A debug line carrying a client-chosen path with a quote and a backslash.
    await http(gw.port, 'GET', '/__debug/a"b\\c');
    await sleep(100);
    const out = lines(gw);
    for (const l of out) JSON.parse(l); // throws on a line that is not JSON
    const listening = out.map((l) => JSON.parse(l)).find((j) => j.message === 'rampart listening');
    assert.equal(listening.level, 'INFO');
    assert.equal(listening['@version'], 1);
    assert.ok(!Number.isNaN(Date.parse(listening['@timestamp'])));
    assert.equal(typeof listening.port, 'number');
    const debugHit = out.map((l) => JSON.parse(l)).find((j) => j.message === 'debug endpoint hit');
    assert.equal(debugHit.path, '/__debug/a"b\\c');
    const access = out.map((l) => JSON.parse(l)).filter((j) => j.status !== undefined && j.path !== undefined && j.client_ip);
    assert.deepEqual(
      access.slice(0, 2).map((a) => [a.method, a.path, a.status, a.protocol, a.user_agent]),
      [
        ['GET', '/ok', 200, 'HTTP/1.1', 'evil"agent\tx'],
        ['GET', '/missing', 404, 'HTTP/1.1', 'evil"agent\tx'],
      ],
    );
    assert.ok(!gw.output().includes(SECRET));
  } finally {
    await gw.stop();
    await be.close();
  }
});

test('format custom and access_log_format custom: the templates, escaped values, the missing-key marker', async () => {
  const be = await startBackend();
  const gw = await startGateway(
    config(be, {
      level: 'INFO',
      stdout: true,
      prefix: 'P',
      format: 'custom',
      custom_format: '%{level:.4s} | %{module} | %{message}',
      access_log_format: 'custom',
      access_log_custom_format: '%{prefix} ACC %{statusCode} %{method} %{path} %{clientIP} "%{userAgent}" %{size}\n',
      access_log_missing_key_marker: '?',
    }),
    { env },
  );
  try {
    await traffic(gw);
    const out = lines(gw);
    assert.ok(
      out.some((l) => /^INFO \| RAMPART \| rampart listening port=\d+ endpoints=1$/.test(l)),
      out.join('\n'),
    );
    const access = out.filter((l) => l.startsWith('P ACC '));
    assert.equal(access.length, 2);
    // The tab and the quote of the User-Agent are escaped; the size is not known: the marker.
    assert.equal(access[0], 'P ACC 200 GET /ok 127.0.0.1 "evil\\"agent\\tx" ?');
    assert.ok(!gw.output().includes(SECRET));
  } finally {
    await gw.stop();
    await be.close();
  }
});

test('access_log_format httpdCommon and httpdCombine: Apache layouts, no query string, no Referer', async () => {
  const be = await startBackend();
  for (const format of ['httpdCommon', 'httpdCombine']) {
    const gw = await startGateway(config(be, { level: 'INFO', stdout: true, access_log_format: format }), { env });
    try {
      await http(gw.port, 'GET', `/ok?token=${SECRET}`, { referer: `https://other.example/cb?code=${SECRET}`, 'user-agent': 'ua/1' });
      await sleep(100);
      const line = lines(gw).find((l) => l.includes('"GET /ok'))!;
      const common = /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ok HTTP\/1\.1" 200 (\d+|-)/;
      assert.match(line, format === 'httpdCommon' ? new RegExp(common.source + '$') : new RegExp(common.source + ' "-" "ua/1"$'));
      assert.ok(!gw.output().includes(SECRET));
    } finally {
      await gw.stop();
    }
  }
  await be.close();
});

/** Starts the gateway on a known port, for configs whose level hides the "listening" line. */
async function startQuiet(cfg: object, extraEnv: Record<string, string> = {}) {
  const port = await freePort();
  const file = writeConfig(cfg);
  const proc = spawn(process.execPath, [BIN, 'run', '-c', file, '--port', String(port), '--workers', '1'], {
    env: { ...process.env, RAMPART_LOG_BUFFER: '0', ...env, ...extraEnv },
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) =>
      connect(port, '127.0.0.1')
        .on('connect', function (this: import('node:net').Socket) {
          this.destroy();
          r(true);
        })
        .on('error', () => r(false)),
    );
    if (up) break;
    await sleep(50);
  }
  return {
    port,
    output: () => out,
    stop: () => new Promise<void>((r) => (proc.exitCode !== null ? r() : (proc.once('exit', () => r()), proc.kill('SIGTERM')))),
  };
}

test('level WARNING hides info lines; stdout false and syslog false discard application lines (said at startup)', async () => {
  const be = await startBackend();
  const warn = await startQuiet(config(be, { level: 'WARNING', stdout: true }));
  try {
    assert.equal((await http(warn.port, 'GET', '/ok')).status, 200);
    await sleep(100);
    assert.ok(!warn.output().includes('rampart listening'), warn.output());
  } finally {
    await warn.stop();
  }
  const off = await startQuiet(config(be, { level: 'INFO', stdout: false, syslog: false }));
  try {
    assert.equal((await http(off.port, 'GET', '/ok')).status, 200);
    await sleep(100);
    assert.match(off.output(), /stdout and syslog are both false: application logs are discarded/);
    assert.ok(!off.output().includes('rampart listening'));
    // Access lines still go to stdout, as KrakenD's.
    assert.match(off.output(), /\[AccessLog\] \| 200 \|/);
  } finally {
    await off.stop();
  }
  await be.close();
});

const PY_LISTENER = `
import socket, sys, base64
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    d = s.recv(65536)
    print(base64.b64encode(d).decode(), flush=True)
`;

test('syslog: RFC 5424 lines reach a real Unix datagram listener, with the facility and severity', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-syslog-'));
  const sock = join(dir, 'log.sock');
  const py = spawn('python3', ['-c', PY_LISTENER, sock]);
  let got = '';
  py.stdout.on('data', (d) => (got += d));
  for (let i = 0; i < 100 && !got.includes('ready'); i++) await sleep(20);
  const be = await startBackend();
  const gw = await startGateway(config(be, { level: 'INFO', prefix: '[SYS]', stdout: true, syslog: true, syslog_facility: 'local5' }), {
    env: { ...env, RAMPART_SYSLOG_SOCKET: sock },
  });
  try {
    await traffic(gw);
    await sleep(300);
    const msgs = got
      .split('\n')
      .filter((l) => l && l !== 'ready')
      .map((l) => Buffer.from(l, 'base64').toString());
    const listening = msgs.find((m) => m.includes('rampart listening'));
    assert.ok(listening, `no syslog message: ${msgs.join('\n')}`);
    // <PRI>VERSION TIMESTAMP HOST APP-NAME PROCID MSGID SD MSG; local5 (21) * 8 + info (6) = 174.
    assert.match(listening!, /^<174>1 \d{4}-\d\d-\d\dT\S+ \S+ \[SYS\] \S+ - .*rampart listening port=\d+/);
    assert.ok(!msgs.some((m) => m.includes('[AccessLog]')), 'access lines stay on stdout (as KrakenD)');
    assert.ok(!msgs.some((m) => m.includes(SECRET)));
  } finally {
    await gw.stop();
    await be.close();
    py.kill();
  }
});

test('syslog without a syslog socket stops startup with the reason, not a stack trace', async () => {
  const be = await startBackend();
  const file = writeConfig(config(be, { level: 'INFO', syslog: true }));
  const missing = join(mkdtempSync(join(tmpdir(), 'rampart-nosock-')), 'none.sock');
  assert.ok(!existsSync(missing));
  const r = spawnSync(process.execPath, [BIN, 'run', '-c', file, '--port', '0', '--workers', '1'], {
    env: { ...process.env, RAMPART_SYSLOG_SOCKET: missing },
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim(), `rampart: telemetry/logging: syslog is true but there is no syslog socket at ${missing} (is a syslog daemon running?)`);
  await be.close();
});

test('a typo or a missing template in telemetry/logging stops startup with its pointer', async () => {
  const cases: [object, RegExp][] = [
    [{ level: 'INFO', stdot: true }, /\/extra_config\/telemetry~1logging\/stdot: unknown field "stdot" \(did you mean "stdout"\?\)/],
    [{ level: 'LOUD' }, /\/extra_config\/telemetry~1logging\/level: /],
    [{ level: 'INFO', format: 'custom' }, /\/extra_config\/telemetry~1logging\/custom_format: format "custom" needs a custom_format/],
    [{ level: 'INFO', access_log_format: 'custom', access_log_custom_format: '%{query}' }, /access_log_custom_format: unknown variable %\{query\}/],
    // KrakenD EE's service-level Backend Log: refused by name with why, not as an unknown field.
    [
      { level: 'INFO', backend: { log_with_level: 'INFO', custom_format: '%{method} %{path}\n' } },
      /\/extra_config\/telemetry~1logging\/backend: field "backend" is not supported: the KrakenD EE backend log \(one line per backend call/,
    ],
  ];
  for (const [logging, expected] of cases) {
    const file = writeConfig({ version: 3, endpoints: [], extra_config: { 'telemetry/logging': logging } });
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
  }
});
