// The primary's side of the sharded rate-limit coordinator (issue #20): how many shards, where
// their sockets are, and keeping them alive.
//
// Shard count: RAMPART_LIMIT_SHARDS if set (1-64), else ceil(workers / 16). One shard serves
// ~0.5-1 million leases/s of coordinator CPU per core on the binary protocol (BENCHMARKS.md,
// "Scaling across cores"), so 16 workers per shard keeps each shard under a core's worth even
// when every request costs a lease. With one shard (every machine up to 16 workers) it runs
// inside the primary: no extra process. With several, each is a child process of the primary
// (shard-main.ts), restarted when it dies. A restarted shard starts with empty (full) buckets:
// a limit is momentarily more permissive than configured, never a crash; while it is down,
// workers refuse the requests whose keys it owns (429, fail closed: shard-client.ts).
//
// Sockets live in a fresh 0700 directory (mkdtemp), so no other local user can connect and
// spend or return units; the directory is removed when the primary exits.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARD_SOCKETS_ENV } from './shard-client.js';
import { SHARD_PATH_ENV } from './shard-main-env.js';
import { startShardServer } from './shard-server.js';

export const SHARD_COUNT_ENV = 'RAMPART_LIMIT_SHARDS';
const MAX_SHARDS = 64;
const RESTART_MS = 100;

/** The documented rule, or the override; throws a readable message for a bad override. */
export function shardCount(workers: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = env[SHARD_COUNT_ENV];
  if (v === undefined || v === '') return Math.max(1, Math.ceil(workers / 16));
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SHARDS)
    throw new Error(`${SHARD_COUNT_ENV} must be a whole number from 1 to ${MAX_SHARDS}, not ${JSON.stringify(v)}`);
  return n;
}

/** The shard process entry: next to the bundle in dist/, or the source under tsx. */
function shardEntry(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? './shard-main.ts' : './rl-shard.js', here));
}

/** A fresh 0700 directory for the sockets: in TMPDIR, or /tmp when TMPDIR is too long for a
 * Unix socket path (sockaddr_un: 107 bytes and the NUL). */
function socketDir(count: number): string {
  const longest = `/rampart-rl-XXXXXX/shard-${count - 1}.sock`.length;
  const base = Buffer.byteLength(tmpdir()) + longest <= 107 ? tmpdir() : '/tmp';
  return mkdtempSync(join(base, 'rampart-rl-'));
}

export interface LimitShards {
  count: number;
  /** Environment for the workers (the shards' socket paths). */
  env: Record<string, string>;
  /** Pids of the shard processes (empty with one in-primary shard). */
  pids(): number[];
  /** The primary is stopping: do not restart shards any more. */
  stopping(): void;
}

export interface ShardEvents {
  /** A shard process ended (it is started again unless the primary is stopping). */
  exited(info: { shard: number; shard_pid?: number; code: number | null; signal: string | null }): void;
  /** A restarted shard listens again. */
  restarted(info: { shard: number; shard_pid?: number }): void;
}

export async function startLimitShards(workers: number, events: ShardEvents): Promise<LimitShards> {
  const count = shardCount(workers);
  const dir = socketDir(count);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const paths = Array.from({ length: count }, (_, i) => join(dir, `shard-${i}.sock`));
  const env = { [SHARD_SOCKETS_ENV]: JSON.stringify(paths) };
  if (count === 1) {
    await startShardServer(paths[0]);
    return { count, env, pids: () => [], stopping: () => {} };
  }
  let stopping = false;
  const children: (ChildProcess | null)[] = paths.map(() => null);
  const start = (i: number, again = false): Promise<void> =>
    new Promise((resolve) => {
      const child = fork(shardEntry(), [], { env: { ...process.env, [SHARD_PATH_ENV]: paths[i] }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children[i] = child;
      child.once('message', () => {
        if (again) events.restarted({ shard: i, shard_pid: child.pid });
        resolve();
      });
      child.once('exit', (code, signal) => {
        resolve(); // never listened: workers fail closed on its keys until a restart succeeds
        children[i] = null;
        if (stopping) return;
        events.exited({ shard: i, shard_pid: child.pid, code, signal });
        setTimeout(() => stopping || void start(i, true), RESTART_MS).unref();
      });
    });
  await Promise.all(paths.map((_, i) => start(i)));
  return {
    count,
    env,
    pids: () => children.flatMap((c) => (c?.pid ? [c.pid] : [])),
    stopping: () => {
      stopping = true;
    },
  };
}
