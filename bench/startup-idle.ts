// Start-up time and idle-connection RSS of one Rampart build, on the bench's own config, without
// the whole bench: spawn -> first 200 on /__health (as bench/run.ts measures start-up), then, on a
// --workers 1 process, RSS at start, after a load burst, and with N idle keep-alive connections
// (bench/lib/large-idle.ts holdIdle, the bench's idle row).
//
//   node --import tsx bench/startup-idle.ts [--trials 7] [--workers 1,2] [--idle 10000] [--load 20000]
//        [--node-flags "--max-semi-space-size=8"] [--launcher other/bin/rampart]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildRampartConfig } from './rampart-config.js';
import { originBody } from './lib/nginx.js';
import { holdIdle, openFilesLimit } from './lib/large-idle.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '7' },
    workers: { type: 'string', default: '1,2' },
    idle: { type: 'string', default: '10000' },
    'idle-hold': { type: 'string', default: '5' },
    load: { type: 'string', default: '20000' },
    'node-flags': { type: 'string', default: '' },
    // Sends the gateway SIGUSR2 before and while the connections are held (for a preload that
    // dumps heap statistics, given in --node-flags as --require FILE).
    stats: { type: 'boolean', default: false },
    launcher: { type: 'string', default: join(import.meta.dirname, '..', 'bin', 'rampart') },
    // Another build's bin/rampart: start-up trials alternate between the two (A/B, same load).
    before: { type: 'string', default: '' },
  },
});
const trials = Number(values.trials);
const nodeFlags = values['node-flags'] ? values['node-flags'].split(' ') : [];
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // as bench/lib/procs.ts CANDIDATE_ENV

const body = originBody();
const origin = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
const dir = mkdtempSync(join(tmpdir(), 'rampart-startup-'));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

function start(workers: number, port: number, launcher = values.launcher): { child: ChildProcess; t0: number } {
  const { config } = buildRampartConfig({ port, origin: originUrl, dummyAuthLen: 64 });
  const path = join(dir, `c-${port}.json`);
  writeFileSync(path, JSON.stringify(config));
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, launcher, 'run', '-c', path, '--workers', String(workers)], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  return { child, t0 };
}

async function ready(port: number, t0: number, child: ChildProcess): Promise<number> {
  const deadline = t0 + 20_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/__health`);
      await r.arrayBuffer();
      if (r.status === 200) return performance.now() - t0;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('not ready in 20 s');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  const t = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 3000);
  await done;
  clearTimeout(t);
}

/** utime + stime of a process and its descendants, ms (USER_HZ 100). */
function treeCpuMs(pid: number, descendants = true): number {
  let ms = 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    ms += (Number(f[11]) + Number(f[12])) * 10;
    if (descendants)
      for (const kid of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) ms += treeCpuMs(Number(kid));
  } catch {
    /* exited */
  }
  return ms;
}
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const launchers: [string, string][] = [['', values.launcher], ...(values.before ? [['@before', values.before] as [string, string]] : [])];
for (const w of trials === 0 ? [] : values.workers.split(',').map(Number)) {
  const samples = new Map<string, number[]>(launchers.map(([label]) => [label, []]));
  const cpu = new Map<string, number[]>(launchers.map(([label]) => [label, []]));
  const top = new Map<string, number[]>(launchers.map(([label]) => [label, []]));
  for (let i = 0; i < trials; i++) {
    // Order flipped every trial: neither build always runs right after the other.
    for (const [label, launcher] of i % 2 ? [...launchers].reverse() : launchers) {
      const port = await freePort();
      const { child, t0 } = start(w, port, launcher);
      try {
        samples.get(label)!.push(await ready(port, t0, child));
        // CPU of the whole tree until ready: less sensitive than wall time to a shared machine.
        cpu.get(label)!.push(treeCpuMs(child.pid!));
        // With workers: the primary's own share (what it takes from the workers' boot).
        top.get(label)!.push(treeCpuMs(child.pid!, false));
      } finally {
        await stop(child);
      }
    }
  }
  for (const [label, s] of samples) {
    const c = cpu.get(label)!;
    console.log(
      `startup w${w}${label}: median ${median(s).toFixed(0)} ms (${s.map((x) => x.toFixed(0)).join(' ')}); CPU to ready median ${median(c)} ms (${c.join(' ')})` +
        (w > 1 ? `, of it the primary's ${median(top.get(label)!)} ms (${top.get(label)!.join(' ')})` : ''),
    );
  }
}

const idleN = Number(values.idle);
if (idleN > 0) {
  const port = await freePort();
  const { child, t0 } = start(1, port);
  try {
    await ready(port, t0, child);
    await new Promise((r) => setTimeout(r, 500));
    const atStart = rssMb(child.pid!);
    const load = Number(values.load);
    if (load > 0) {
      const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64, pipelining: 1 });
      let sent = 0;
      const worker = async (): Promise<void> => {
        while (sent < load) {
          sent++;
          const r = await pool.request({ path: sent % 2 ? '/plain' : '/json', method: 'GET' });
          await r.body.dump();
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      await pool.close();
    }
    await new Promise((r) => setTimeout(r, 1000));
    const afterLoad = rssMb(child.pid!);
    const n = Math.min(idleN, openFilesLimit() - 200);
    if (values.stats) process.kill(child.pid!, 'SIGUSR2');
    const holding = holdIdle(port, '/plain', child.pid!, n, Number(values['idle-hold']));
    // RSS every second while the connections are opened and held (and, with --stats, SIGUSR2).
    const series: string[] = [];
    const tick = setInterval(() => {
      series.push(rssMb(child.pid!).toFixed(0));
      if (values.stats) process.kill(child.pid!, 'SIGUSR2');
    }, 1000);
    const idle = await holding;
    clearInterval(tick);
    console.log(`RSS MB each second from the first connection: ${series.join(' ')}`);
    console.log(
      `idle w1${nodeFlags.length ? ` [${nodeFlags.join(' ')}]` : ''}: RSS at start ${atStart.toFixed(1)} MB, after ${load} requests ${afterLoad.toFixed(1)} MB, ` +
        `${idle.held}/${idle.wanted} idle held ${(idle.rssHeldKb / 1024).toFixed(1)} MB (before them ${(idle.rssBeforeKb / 1024).toFixed(1)} MB)`,
    );
  } finally {
    await stop(child);
  }
}
origin.close();
