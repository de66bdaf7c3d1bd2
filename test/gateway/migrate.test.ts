// `rampart migrate` on a KrakenD config with several of Rampart's deliberate refusals: `check`
// refuses the original (and names `rampart migrate`), accepts the result, the report names every
// change by pointer and what a person must decide, no plain key is left in the output or the
// report, and the migrated gateway serves: the same API key works against its digest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { durationOfNanos } from '../../src/migrate/durations.js';

const KEY = 'plain-key-4f1c9b';
let be: TestBackend;
let gw: RunningGateway | undefined;

function krakendConfig(origin: string): object {
  return {
    version: 3,
    timeout: 3_000_000_000, // 3 s in nanoseconds, as Go reads it
    extra_config: {
      'github_com/devopsfaith/krakend-cors': { allow_origins: ['*'], allow_credentials: true },
      'auth/api-keys': { keys: [{ key: KEY, roles: ['user'] }], salt: 's1', identifier: 'X-Key' },
      'qos/ratelimit/service': { max_rate: 0 },
    },
    endpoints: [
      {
        endpoint: '/a',
        timeout: 1500, // 1.5 µs: a person must look
        backend: [{ url_pattern: '/a', host: [origin], timeout: '2s' }],
        extra_config: { 'auth/api-keys': { roles: ['user'] }, 'qos/ratelimit/router': { every: 60_000_000_000, max_rate: 0 } },
      },
      { endpoint: '/files/*', backend: [{ url_pattern: '/files', host: [origin] }] },
      { endpoint: '/b', backend: [{ url_pattern: '/b', host: [origin] }] },
    ],
  };
}

const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

before(async () => {
  be = await startBackend();
});
after(async () => {
  await gw?.stop();
  await be?.close();
});

describe('rampart migrate', () => {
  it('durations in the largest exact unit', () => {
    assert.equal(durationOfNanos(3_000_000_000), '3s');
    assert.equal(durationOfNanos(1_500_000_000), '1500ms');
    assert.equal(durationOfNanos(90_000_000_000), '90s');
    assert.equal(durationOfNanos(7_200_000_000_000), '2h');
    assert.equal(durationOfNanos(1500), '1500ns');
    assert.equal(durationOfNanos(0), '0s');
  });

  it('turns the refused config into one check accepts, and says what it changed and what to decide', async () => {
    const file = writeConfig(krakendConfig(be.origin));
    const before = run('check', '-c', file);
    assert.equal(before.status, 1);
    assert.match(before.stderr, /\/timeout: a duration is a string .*`rampart migrate` rewrites it/);
    assert.match(before.stderr, /\/endpoints\/0\/backend\/0\/timeout: a backend has no "timeout".*`rampart migrate`/);
    assert.match(before.stderr, /\/endpoints\/1\/endpoint: .*wildcards.*`rampart migrate`/);

    const out = join(file, '..', 'migrated.json');
    const m = run('migrate', '-c', file, '-o', out);
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stderr, /change\(s\), \d+ for a person to decide/);
    const after = run('check', '-c', out);
    assert.equal(after.status, 0, after.stderr);

    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const report = readFileSync(`${out}.migration.md`, 'utf8');
    assert.equal(doc.timeout, '3s');
    assert.equal(doc.endpoints[0].timeout, '1500ns');
    assert.deepEqual(doc.endpoints[0].backend[0].extra_config, { 'qos/backend-timeout': { timeout: '2s' } });
    assert.equal(doc.endpoints[0].backend[0].timeout, undefined);
    assert.deepEqual(
      doc.endpoints.map((e: { endpoint: string }) => e.endpoint),
      ['/a', '/b'],
    );
    assert.equal(doc.extra_config['security/cors'].allow_credentials, false);
    assert.equal(doc.extra_config['qos/ratelimit/service'], undefined);
    assert.equal(doc.endpoints[0].extra_config['qos/ratelimit/router'], undefined);
    assert.equal(doc.extra_config['auth/api-keys'].hash, 'sha256');
    assert.equal(doc.extra_config['auth/api-keys'].keys[0].key, createHash('sha256').update('s1').update(KEY).digest('hex'));
    // No secret in the output or the report.
    assert.ok(!readFileSync(out, 'utf8').includes(KEY));
    assert.ok(!report.includes(KEY));
    for (const p of [
      '/timeout',
      '/endpoints/0/timeout',
      '/endpoints/0/backend/0/timeout',
      '/extra_config/auth~1api-keys',
      '/extra_config/security~1cors/allow_credentials',
      '/extra_config/qos~1ratelimit~1service',
      '/endpoints/0/extra_config/qos~1ratelimit~1router',
      '/endpoints/1',
    ])
      assert.ok(report.includes(`\`${p}\``), `report names ${p}:\n${report}`);
    const decide = report.slice(report.indexOf('## For a person to decide'));
    assert.match(decide, /`\/endpoints\/0\/timeout`: 1500 ns is under a millisecond: if 1500 milliseconds were meant, write "1500ms"/);
    assert.match(decide, /`\/extra_config\/security~1cors\/allow_credentials`: list the origins/);
    assert.match(decide, /`\/endpoints\/1`: .*"\/files\/\*"/);
    assert.ok(!decide.includes('/extra_config/auth~1api-keys'), 'the digests need no decision');

    // The migrated gateway runs (with a sane endpoint timeout) and the same key still opens /a.
    doc.endpoints[0].timeout = '2s';
    gw = await startGateway(doc);
    assert.equal((await http(gw.port, 'GET', '/a', { 'X-Key': KEY })).status, 200);
    assert.equal((await http(gw.port, 'GET', '/a', { 'X-Key': 'wrong' })).status, 401);
  });

  it('writes to stdout with the report on stderr when there is no -o; an accepted config is left alone', () => {
    const file = writeConfig({ version: 3, endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }] });
    const m = run('migrate', '-c', file);
    assert.equal(m.status, 0);
    assert.deepEqual(JSON.parse(m.stdout), JSON.parse(readFileSync(file, 'utf8')));
    assert.match(m.stderr, /Nothing to change/);
    const bad = run('migrate', '-c', join(file, '..', 'missing.json'));
    assert.equal(bad.status, 1);
  });
});
