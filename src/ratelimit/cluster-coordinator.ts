// The fallback coordinator of node-wide in-memory limits, over the node:cluster IPC channel: for
// cluster workers that were given no coordinator shard sockets (shard-client.ts), i.e. workers
// not forked by `rampart run --workers N`, and the baseline of bench/ipc-cost.ts. `rampart run`
// itself uses the sharded coordinator (shard-supervisor.ts). What follows is the design both share.
//
// The cluster primary's side of node-wide in-memory limits. Without Redis, `rampart run
// --workers N` must still enforce a configured limit once per node, not once per worker. The
// primary (which serves no traffic) holds the authoritative buckets; workers lease units from it
// over the cluster IPC channel and spend them locally (cluster-lease.ts), so most requests never
// leave the worker. A lease is at most 1/(4 x workers) of what is available (and <= MAX_LEASE),
// so leased-but-unused units can never exceed a quarter of what is left; units only come from
// the primary's bucket, so the node never admits more than the limit.
//
// Installed when this module is loaded in a cluster primary: run.ts's primary imports the
// component registry (through server/gateway.ts), which imports the rate-limit components. The
// call is idempotent, so an explicit `installLimitCoordinator()` in runPrimary is also fine.
import cluster, { type Worker } from 'node:cluster';
import { MAX_LEASE, type GrantMsg, type GrantsMsg, type WorkerMsg } from './cluster-protocol.js';
import { MemoryLimiter } from './memory-limiter.js';

let installed = false;
const limiters = new Map<string, MemoryLimiter>();

/** Live workers (one lease request per many requests, so counting here is cheap enough). */
function workerCount(): number {
  let n = 0;
  for (const id in cluster.workers) if (cluster.workers[id]) n++;
  return Math.max(1, n);
}

function handle(worker: Worker, msg: WorkerMsg): void {
  const now = Date.now();
  switch (msg.rl) {
    case 'def':
      if (!limiters.has(msg.id)) limiters.set(msg.id, new MemoryLimiter(msg.policy, msg.maxKeys, 30_000));
      return;
    case 'take': {
      const lim = limiters.get(msg.id);
      // An undeclared limiter cannot happen (declarations precede use on the same channel);
      // refuse rather than admit without a bucket.
      const g = lim ? lim.acquire(msg.k, Math.min(msg.n, MAX_LEASE), now, 4 * workerCount()) : -1000;
      const reply: GrantMsg = { rl: 'grant', s: msg.s, g, w: lim ? lim.windowOf(now) : 0 };
      if (worker.isConnected()) worker.send(reply);
      return;
    }
    case 'takes': {
      const lim = limiters.get(msg.id);
      const share = 4 * workerCount();
      const g: number[] = [];
      const w: number[] = [];
      const window = lim ? lim.windowOf(now) : 0;
      for (let i = 0; i < msg.k.length; i++) {
        g.push(lim ? lim.acquire(msg.k[i], Math.min(msg.n[i], MAX_LEASE), now, share) : -1000);
        w.push(window);
      }
      const reply: GrantsMsg = { rl: 'grants', s: msg.s, g, w };
      if (worker.isConnected()) worker.send(reply);
      return;
    }
    case 'ret': {
      const lim = limiters.get(msg.id);
      if (!lim) return;
      for (let i = 0; i < msg.k.length; i++) lim.release(msg.k[i], msg.n[i], msg.w[i], now);
      return;
    }
  }
}

export function installLimitCoordinator(): void {
  if (installed || !cluster.isPrimary) return;
  installed = true;
  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (msg !== null && typeof msg === 'object' && 'rl' in msg) handle(worker, msg as WorkerMsg);
  });
}

installLimitCoordinator();
