// Process lifecycle: health, graceful drain on SIGTERM, cluster mode, start time, access logs
// that carry no secrets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

/** The cluster's process ids, once every worker is ready. startGateway returns at the first
 * worker's "listening" line; signals sent before every worker has installed its handlers would
 * test start-up, not shutdown. */
async function clusterPids(gw: RunningGateway): Promise<{ primary: number; workers: number[] }> {
  const deadline = Date.now() + 10_000;
  while (!gw.output().includes('rampart listening (cluster)')) {
    assert.ok(Date.now() < deadline, `cluster not ready:\n${gw.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const primary = gw.proc.pid!;
  const workers = readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).map(Number);
  return { primary, workers };
}

test('SIGTERM drains an in-flight request, then exits 0', async () => {
  const be = await startBackend((_req, res) => setTimeout(() => res.end('{"done":true}'), 700));
  const gw = await startGateway({ version: 3, timeout: '5s', host: [be.origin], endpoints: [{ endpoint: '/slow', backend: [{ url_pattern: '/s' }] }] });
  try {
    const inflight = http(gw.port, 'GET', '/slow');
    await new Promise((r) => setTimeout(r, 200));
    const exit = gw.stop('SIGTERM');
    const r = await inflight;
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"done":true}');
    assert.equal(await exit, 0);
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});

test('health endpoint, access log without secrets', async () => {
  const be = await startBackend();
  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/a', input_headers: ['Authorization', 'Cookie'], backend: [{ url_pattern: '/a' }] }],
  });
  try {
    const h = await http(gw.port, 'GET', '/__health');
    assert.equal(h.status, 200);
    const body = JSON.parse(h.body);
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.agents, {});
    await http(gw.port, 'GET', '/a?token=sup3rs3cret&api_key=k3y', { Authorization: 'Bearer eyJsecret.token', Cookie: 'sid=c00kie' });
    await new Promise((r) => setTimeout(r, 300));
    await gw.stop();
    const out = gw.output();
    assert.match(out, /"path":"\/a"/);
    assert.match(out, /"status":200/);
    for (const secret of ['sup3rs3cret', 'k3y', 'eyJsecret', 'c00kie']) assert.ok(!out.includes(secret), `log contains ${secret}`);
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});

test('cluster mode: 2 workers serve, and stop cleanly', async () => {
  const be = await startBackend();
  const t = Date.now();
  const gw = await startGateway({ version: 3, port: 0, host: [be.origin], endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/a' }] }] }, { workers: 2 });
  try {
    assert.ok(Date.now() - t < 5000);
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = await http(gw.port, 'GET', '/a');
      assert.equal(r.status, 200);
    }
    // Log output is buffered (flushed every 200 ms and at exit): stop first, then read it.
    assert.equal(await gw.stop(), 0);
    for (const line of gw.output().split('\n')) {
      if (line.includes('"access"')) pids.add(JSON.parse(line).pid);
    }
    assert.ok(pids.size >= 1, gw.output());
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});

test('cluster mode: SIGTERM to every process at once (systemd, a process-group kill) still drains in-flight requests', async () => {
  const be = await startBackend((_req, res) => setTimeout(() => res.end('{"done":true}'), 700));
  const gw = await startGateway(
    { version: 3, timeout: '5s', host: [be.origin], endpoints: [{ endpoint: '/slow', backend: [{ url_pattern: '/s' }] }] },
    { workers: 2 },
  );
  try {
    const { workers } = await clusterPids(gw);
    assert.equal(workers.length, 2);
    // One request: one worker drains it while the other, idle, exits at once (the primary must
    // not replace that one once it is stopping).
    const inflight = [http(gw.port, 'GET', '/slow')];
    await new Promise((r) => setTimeout(r, 200));
    // The workers get the signal from the kill and then again from the primary, which forwards
    // it: the second one must not end a worker that is draining.
    for (const pid of workers) process.kill(pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const exit = gw.stop('SIGTERM');
    for (const r of await Promise.all(inflight)) {
      assert.equal(r.status, 200);
      assert.equal(r.body, '{"done":true}');
    }
    assert.equal(await exit, 0, gw.output());
    assert.equal((gw.output().match(/"msg":"stopped"/g) ?? []).length, 3, gw.output());
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});

test('cluster mode: workers that drained and exited before the primary got the signal are not replaced; the node exits 0', async () => {
  const be = await startBackend();
  const gw = await startGateway({ version: 3, host: [be.origin], endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/a' }] }] }, { workers: 2 });
  try {
    const { primary, workers } = await clusterPids(gw);
    for (const pid of workers) process.kill(pid, 'SIGTERM');
    // Idle workers stop within milliseconds; the primary's own signal comes after, inside the
    // 200 ms before it would replace a worker that exited.
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    assert.equal(await gw.stop('SIGTERM'), 0, gw.output());
    assert.ok(Date.now() - t < 5000, `exit took ${Date.now() - t} ms`);
    assert.equal((gw.output().match(/"msg":"rampart listening"/g) ?? []).length, 2, 'no worker was forked after the signal');
    assert.ok(
      gw
        .output()
        .split('\n')
        .some((l) => l.includes('"msg":"stopped"') && JSON.parse(l).pid === primary),
      'the primary says it stopped',
    );
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});

test('cluster mode: a config error raised while building stops the whole node with exit 1', async () => {
  const { spawnSync } = await import('node:child_process');
  const { BIN, writeConfig } = await import('../helpers/gateway.js');
  // Valid for the loader, refused by the revoker's build inside each worker (a per-worker
  // revocation list would let a revoked token through on the other worker).
  const revoker = { N: 1000, P: 0.001, hash_name: 'optimal', TTL: 60, token_keys: ['jti'] };
  const file = writeConfig({
    version: 3,
    port: 0,
    extra_config: { 'auth/revoker': revoker },
    endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/a' }] }],
  });
  const r = spawnSync(process.execPath, [BIN, 'run', '-c', file, '--workers', '2', '--port', '0'], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /auth~1revoker: .*more than one worker/);
});

test('cluster mode: the primary forks first and reports a bad config once, with exit 1', async () => {
  const { spawnSync } = await import('node:child_process');
  const { BIN, writeConfig } = await import('../helpers/gateway.js');
  // Two problems the loader finds: both listed, each once (not once per worker).
  const file = writeConfig({
    version: 3,
    port: 0,
    timeout: '3 seconds',
    endpoints: [{ endpoint: '/a', bakend: [], backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/a' }] }],
  });
  const r = spawnSync(process.execPath, [BIN, 'run', '-c', file, '--workers', '2', '--port', '0'], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith(`${file}: `));
  assert.equal(lines.filter((l) => l.includes('/timeout')).length, 1, r.stderr);
  assert.equal(lines.filter((l) => l.includes('bakend')).length, 1, r.stderr);
  // A missing file is a start failure too, reported once.
  const m = spawnSync(process.execPath, [BIN, 'run', '-c', `${file}.missing`, '--workers', '2', '--port', '0'], { encoding: 'utf8', timeout: 15_000 });
  assert.notEqual(m.status, 0);
  assert.equal(m.stderr.split('\n').filter((l) => l.includes('.missing')).length, 1, m.stderr);
});

test('cluster mode: config warnings are printed once, and the node serves', async () => {
  const be = await startBackend();
  const gw = await startGateway(
    { version: 3, port: 0, host: [be.origin], endpoints: [{ endpoint: '/a', input_headers: ['*'], backend: [{ url_pattern: '/a' }] }] },
    { workers: 2 },
  );
  try {
    assert.equal((await http(gw.port, 'GET', '/a')).status, 200);
    await gw.stop();
    const warnings = gw
      .output()
      .split('\n')
      .filter((l) => l.includes(': warning: ') && l.includes('input_headers'));
    assert.equal(warnings.length, 1, gw.output());
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});
