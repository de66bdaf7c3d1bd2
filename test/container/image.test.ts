// The container image (Dockerfile), built and run with podman: it serves the demo through the
// gateway with a read-only root filesystem, no capabilities, as the unprivileged user; its
// HEALTHCHECK passes; SIGTERM drains and exits 0; npm is not in the runtime image.
//
// Opt-in (RAMPART_CONTAINER_TEST=1): building takes about a minute and needs podman, which
// scripts/container/setup-podman.sh installs and configures; the base image defaults to the
// locally built stand-in for node:20-slim (scripts/container/build-local-base.sh; no image
// registry is reachable on the project's machines). RAMPART_BASE_IMAGE names another base.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/gateway.js';

const enabled = process.env.RAMPART_CONTAINER_TEST === '1';
const BASE = process.env.RAMPART_BASE_IMAGE ?? 'localhost/rampart-base:node20-bookworm';
const IMAGE = 'localhost/rampart:test';
const NAME = `rampart-image-test-${process.pid}`;

function podman(...args: string[]) {
  const r = spawnSync('podman', args, { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', out: `${r.stdout}${r.stderr}` };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

let work: string;
let backend: { close(): void } | undefined;
let gatewayPort: number;
let buildSeconds = 0;

before(async () => {
  if (!enabled) return;
  if (podman('image', 'exists', BASE).code !== 0) {
    const b = spawnSync('bash', [join(ROOT, 'scripts/container/build-local-base.sh'), BASE], { encoding: 'utf8' });
    assert.equal(b.status, 0, `base image: ${b.stdout}${b.stderr}`);
  }
  const started = Date.now();
  // --network host: the build's npm ci reaches the registry the way the host does.
  const build = podman('build', '--network', 'host', '--format', 'docker', '--build-arg', `BASE_IMAGE=${BASE}`, '-t', IMAGE, ROOT);
  buildSeconds = (Date.now() - started) / 1000;
  assert.equal(build.code, 0, build.out.slice(-4000));

  work = mkdtempSync(join(tmpdir(), 'rampart-image-'));
  const { startDemoBackend } = await import(join(ROOT, 'scripts/demo-backend.mjs'));
  const backendPort = await freePort();
  backend = await startDemoBackend(backendPort);
  gatewayPort = await freePort();
  // The demo config, pointed at this test's backend; the host network keeps everything on loopback.
  const demo = readFileSync(join(ROOT, 'examples/demo.json'), 'utf8').replace('127.0.0.1:18081', `127.0.0.1:${backendPort}`);
  writeFileSync(join(work, 'rampart.json'), demo);
  const run = podman(
    'run',
    '-d',
    '--name',
    NAME,
    '--network',
    'host',
    '--read-only',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '-e',
    `RAMPART_HEALTH_URL=http://127.0.0.1:${gatewayPort}/__health`,
    '-v',
    `${join(work, 'rampart.json')}:/etc/rampart/rampart.json:ro`,
    IMAGE,
    'run',
    '--workers',
    '1',
    '--port',
    String(gatewayPort),
  );
  assert.equal(run.code, 0, run.out);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${gatewayPort}/__health`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) assert.fail(`the container did not answer:\n${podman('logs', NAME).out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(() => {
  if (!enabled) return;
  podman('rm', '-f', NAME);
  backend?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the image serves the demo through the gateway', { skip: !enabled && 'set RAMPART_CONTAINER_TEST=1 (needs podman)' }, async () => {
  const res = await fetch(`http://127.0.0.1:${gatewayPort}/demo`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { message: string; user: { name: string } };
  assert.equal(body.message, 'Hello from the demo backend');
  assert.equal(body.user.name, 'Ada');
  process.stdout.write(`# image built in ${buildSeconds.toFixed(0)} s; ${podman('image', 'inspect', IMAGE, '--format', '{{.Size}}').stdout.trim()} bytes\n`);
});

test('the HEALTHCHECK passes', { skip: !enabled && 'set RAMPART_CONTAINER_TEST=1' }, () => {
  const r = podman('healthcheck', 'run', NAME);
  assert.equal(r.code, 0, r.out);
});

test('it runs as 65532 with a read-only root and no npm', { skip: !enabled && 'set RAMPART_CONTAINER_TEST=1' }, () => {
  const script = `const fs = require('fs');
let writable = true; try { fs.writeFileSync('/app/x', 'x'); } catch (e) { writable = e.code; }
console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), writable, npm: fs.existsSync('/usr/local/bin/npm') }));`;
  const r = podman('exec', NAME, 'node', '-e', script);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(JSON.parse(r.stdout), { uid: 65532, gid: 65532, writable: 'EROFS', npm: false });
});

test('SIGTERM (podman stop) drains and exits 0', { skip: !enabled && 'set RAMPART_CONTAINER_TEST=1' }, () => {
  const stop = podman('stop', '-t', '20', NAME);
  assert.equal(stop.code, 0, stop.out);
  assert.equal(podman('inspect', NAME, '--format', '{{.State.ExitCode}}').stdout.trim(), '0');
  const logs = podman('logs', NAME).stdout;
  assert.match(logs, /"signal":"SIGTERM","msg":"draining in-flight requests"/);
  assert.match(logs, /"msg":"stopped"/);
});
