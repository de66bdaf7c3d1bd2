// telemetry/gelf and telemetry/logstash over real sockets (issue #15): GELF 1.1 messages reach real
// UDP (chunked when large) and TCP listeners; telemetry/logstash turns the application lines into
// Logstash JSON; no secret is ever sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

const SECRET = 'gelf-secret-3391';
const env = { RAMPART_LOG_LEVEL: '' };

function config(origin: string, extra: Record<string, unknown>) {
  return { version: 3, host: [origin], endpoints: [{ endpoint: '/ok', input_query_strings: ['t'], backend: [{ url_pattern: '/ok' }] }], extra_config: extra };
}

test('GELF over UDP: one message per record, chunked when large, reassembled by a real listener', async () => {
  const be = await startBackend();
  const udp = createSocket('udp4');
  const messages: Record<string, unknown>[] = [];
  const chunks = new Map<string, Buffer[]>();
  udp.on('message', (m) => {
    if (m[0] === 0x1e && m[1] === 0x0f) {
      const id = m.subarray(2, 10).toString('hex');
      const parts = chunks.get(id) ?? [];
      parts[m[10]] = m.subarray(12);
      chunks.set(id, parts);
      if (parts.filter(Boolean).length === m[11]) messages.push(JSON.parse(Buffer.concat(parts).toString()));
      return;
    }
    messages.push(JSON.parse(m.toString()));
  });
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = (udp.address() as { port: number }).port;
  const gw = await startGateway(
    config(be.origin, { 'telemetry/logging': { level: 'DEBUG', stdout: true }, 'telemetry/gelf': { address: `127.0.0.1:${port}` } }),
    { env, debug: true },
  );
  try {
    await http(gw.port, 'GET', `/ok?t=${SECRET}`, { authorization: `Bearer ${SECRET}`, cookie: `s=${SECRET}` });
    const long = '/__debug/' + 'x'.repeat(20_000);
    await http(gw.port, 'GET', long);
    await sleep(300);
    const listening = messages.find((m) => m.short_message === 'rampart listening')!;
    assert.ok(listening, JSON.stringify(messages).slice(0, 500));
    assert.equal(listening.version, '1.1');
    assert.equal(listening.level, 6);
    assert.equal(typeof listening._port, 'number');
    assert.ok(typeof listening.timestamp === 'number' && Math.abs((listening.timestamp as number) - Date.now() / 1000) < 60);
    const big = messages.find((m) => m.short_message === 'debug endpoint hit');
    assert.ok(big, 'the large (chunked) message was not reassembled');
    assert.equal(big!._path, long);
    assert.equal(big!.level, 7);
    assert.ok(!JSON.stringify(messages).includes(SECRET));
  } finally {
    await gw.stop();
    udp.close();
    await be.close();
  }
});

test('GELF over TCP (enable_tcp): NUL-terminated messages to a real listener', async () => {
  const be = await startBackend();
  let received = '';
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => (received += d.toString()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const gw = await startGateway(
    config(be.origin, { 'telemetry/logging': { level: 'INFO', stdout: true }, 'telemetry/gelf': { address: `127.0.0.1:${port}`, enable_tcp: true } }),
    { env },
  );
  try {
    await http(gw.port, 'GET', `/ok?t=${SECRET}`, { authorization: `Bearer ${SECRET}` });
    await sleep(300);
    const msgs = received
      .split('\0')
      .filter(Boolean)
      .map((m) => JSON.parse(m));
    assert.ok(
      msgs.some((m) => m.short_message === 'rampart listening' && m.level === 6),
      received.slice(0, 300),
    );
    assert.ok(!received.includes(SECRET));
  } finally {
    await gw.stop();
    for (const s of sockets) s.destroy();
    server.close();
    await be.close();
  }
});

test('telemetry/logstash: application lines are Logstash JSON; it and gelf need telemetry/logging', async () => {
  const be = await startBackend();
  const gw = await startGateway(config(be.origin, { 'telemetry/logging': { level: 'INFO', stdout: true }, 'telemetry/logstash': { enabled: true } }), { env });
  try {
    const line = gw
      .output()
      .split('\n')
      .find((l) => l.includes('rampart listening'))!;
    const j = JSON.parse(line);
    assert.equal(j['@version'], 1);
    assert.equal(j.message, 'rampart listening');
  } finally {
    await gw.stop();
    await be.close();
  }
  for (const [extra, expected] of [
    [{ 'telemetry/gelf': { address: '127.0.0.1:12201' } }, /telemetry~1gelf: needs telemetry\/logging/],
    [
      { 'telemetry/logging': { level: 'INFO', format: 'custom', custom_format: '%{message}' }, 'telemetry/logstash': { enabled: true } },
      /with telemetry\/logstash it must be "logstash"/,
    ],
    [{ 'telemetry/logging': { level: 'INFO' }, 'telemetry/gelf': { address: 'nohost' } }, /telemetry~1gelf\/address/],
  ] as [object, RegExp][]) {
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig({ version: 3, endpoints: [], extra_config: extra })], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
  }
});
