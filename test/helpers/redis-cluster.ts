// A real Redis Cluster on loopback for tests: six `redis-server --cluster-enabled yes` (three
// masters, three replicas) on free ports in a temporary folder, joined by
// `redis-cli --cluster create --cluster-replicas 1`. A short cluster-node-timeout (1 s) makes a
// replica take over a killed master within a few seconds. stop() kills every process it started
// and removes the folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.js';

export interface ClusterNode {
  port: number;
  proc: ChildProcess;
}

export interface RunningCluster {
  nodes: ClusterNode[];
  addresses: string[];
  /** redis-cli against one node; returns stdout. */
  cli(port: number, ...args: string[]): string;
  /** Ports of the live masters, from a live node's CLUSTER NODES. */
  masters(): number[];
  /** The port of the master serving `key`'s slot. */
  masterOf(key: string): number;
  kill(port: number): Promise<void>;
  /** Waits (bounded) until every live node reports cluster_state:ok and `check` holds. */
  waitHealthy(ms: number, check?: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CLUSTER NODES lines of live, connected masters: [port, slot ranges]. */
function liveMasters(nodesText: string): { port: number; slots: string[] }[] {
  return nodesText
    .split('\n')
    .map((l) => l.trim().split(' '))
    .filter((f) => f.length >= 8 && f[2].split(',').includes('master') && !f[2].includes('fail') && f[7] === 'connected')
    .map((f) => ({ port: Number(/:(\d+)@/.exec(f[1])?.[1]), slots: f.slice(8) }));
}

export async function startRedisCluster(): Promise<RunningCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-rc-'));
  const nodes: ClusterNode[] = [];
  const alive = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
  const cli = (port: number, ...args: string[]) => {
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 });
    return r.stdout ?? '';
  };
  const stop = async () => {
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((r) => {
            if (n.proc.exitCode !== null || n.proc.signalCode !== null) return r();
            n.proc.once('exit', () => r());
            n.proc.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 6; i++) {
      const port = await freePort();
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)];
      args.push('--cluster-node-timeout', '1000', '--save', '', '--appendonly', 'no', '--dir', dir);
      // Replicas sync at once (the diskless default waits 5 s), and may always take over.
      args.push('--repl-diskless-sync-delay', '0', '--cluster-replica-validity-factor', '0');
      nodes.push({ port, proc: spawn('redis-server', args, { stdio: 'ignore' }) });
    }
    for (const n of nodes) {
      for (let i = 0; cli(n.port, 'PING').trim() !== 'PONG'; i++) {
        if (i > 100) throw new Error(`redis-server on ${n.port} did not start`);
        await sleep(50);
      }
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    const made = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (made.status !== 0) throw new Error(`redis-cli --cluster create failed: ${made.stdout}${made.stderr}`);
    const masters = () => liveMasters(cli(alive()[0].port, 'CLUSTER', 'NODES')).map((m) => m.port);
    const cluster: RunningCluster = {
      nodes,
      addresses,
      cli,
      masters,
      masterOf(key) {
        const slot = Number(cli(alive()[0].port, 'CLUSTER', 'KEYSLOT', key).trim());
        const inRange = (r: string) => (r.includes('-') ? Number(r.split('-')[0]) <= slot && slot <= Number(r.split('-')[1]) : Number(r) === slot);
        const owner = liveMasters(cli(alive()[0].port, 'CLUSTER', 'NODES')).find((m) => m.slots.some(inRange));
        return owner?.port ?? 0;
      },
      async kill(port) {
        const n = nodes.find((x) => x.port === port);
        if (!n || n.proc.exitCode !== null || n.proc.signalCode !== null) return;
        await new Promise<void>((r) => {
          n.proc.once('exit', () => r());
          n.proc.kill('SIGKILL');
        });
      },
      async waitHealthy(ms, check = () => true) {
        const deadline = Date.now() + ms;
        for (;;) {
          const synced = (n: ClusterNode) => {
            const info = cli(n.port, 'INFO', 'replication');
            return info.includes('role:master') || info.includes('master_link_status:up');
          };
          const ok = alive().every((n) => cli(n.port, 'CLUSTER', 'INFO').includes('cluster_state:ok') && synced(n)) && masters().length === 3 && check();
          if (ok) return;
          if (Date.now() > deadline) throw new Error(`cluster not healthy within ${ms} ms:\n${cli(alive()[0].port, 'CLUSTER', 'NODES')}`);
          await sleep(100);
        }
      },
      stop,
    };
    await cluster.waitHealthy(20_000);
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}
