// Starting a Rampart gateway for the CPU benches (route-cpu, ab-cpu, route-ir, proc-split): a free
// loopback port, the spawn with the bench's log level, the wait for /__health, and the serving
// process (the gateway itself or, with a cluster, its only worker) whose CPU the benches read.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback port free at the time of the call. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface SpawnedGateway {
  proc: ChildProcess;
  /** What the gateway wrote to stderr so far. */
  log: () => string;
}

/** `node [flags] LAUNCHER run -c FILE --port PORT --workers 1`, logging at RAMPART_LOG_LEVEL (warn). */
export function spawnGateway(launcher: string, file: string, port: number, nodeFlags: string[] = []): SpawnedGateway {
  const proc = spawn(process.execPath, [...nodeFlags, launcher, 'run', '-c', file, '--port', String(port), '--workers', '1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RAMPART_LOG_LEVEL: process.env.RAMPART_LOG_LEVEL ?? 'warn' },
  });
  let out = '';
  proc.stderr?.on('data', (d) => (out += d));
  return { proc, log: () => out };
}

/** Polls GET /__health until a 200, every `everyMs`, at most `tries` times (then throws with `log`). */
export async function waitHealthy(port: number, what: string, log: () => string, tries = 150, everyMs = 100): Promise<void> {
  for (let i = 0; ; i++) {
    if (i > tries) throw new Error(`gateway ${what} did not start:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    try {
      if ((await fetch(`http://127.0.0.1:${port}/__health`)).ok) return;
    } catch {
      /* not yet listening */
    }
  }
}

/** The serving process of a gateway started as `pid`: its only child (a cluster's worker), or itself. */
export function servingPid(pid: number): number {
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return kids.length > 0 ? Number(kids[0]) : pid;
}
