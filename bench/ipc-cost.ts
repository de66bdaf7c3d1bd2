// What one lease round trip of the node-wide in-memory rate limit costs the cluster primary
// (issue #20, "scaling across cores"): a real primary running the real coordinator
// (src/ratelimit/cluster-coordinator.ts), W workers each sending `take` messages as fast as the
// grants come back, and the primary's own CPU (process.cpuUsage) divided by the round trips
// served. Keys are distinct per request by default (the worst case: a per-client limit whose
// clients each send one request, so no lease is ever reused); --keys N cycles over N keys.
// --batch B sends B takes per message (TakesMsg, what a worker coalesces within one event-loop turn).
// Usage: npx tsx bench/ipc-cost.ts [--workers 2] [--requests 40000] [--window 64] [--keys 0] [--batch 1]
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { ratePolicy } from '../src/ratelimit/policy.js';
import type { DefineMsg, GrantMsg, GrantsMsg, TakeMsg, TakesMsg } from '../src/ratelimit/cluster-protocol.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    requests: { type: 'string', default: '40000' },
    window: { type: 'string', default: '64' },
    keys: { type: 'string', default: '0' },
    batch: { type: 'string', default: '1' },
  },
});
const W = Number(values.workers);
const N = Number(values.requests);
const WINDOW = Number(values.window);
const KEYS = Number(values.keys);
const BATCH = Number(values.batch);

if (cluster.isPrimary) {
  await import('../src/ratelimit/cluster-coordinator.js');
  let done = 0;
  let cpu0: NodeJS.CpuUsage | null = null;
  let t0 = 0;
  let ready = 0;
  for (let i = 0; i < W; i++) {
    const w = cluster.fork();
    w.on('message', (m: { bench?: string }) => {
      if (m.bench === 'ready' && ++ready === W) {
        cpu0 = process.cpuUsage();
        t0 = performance.now();
        for (const x of Object.values(cluster.workers ?? {})) x?.send({ bench: 'go' });
      }
      if (m.bench === 'done' && ++done === W) {
        const c = process.cpuUsage(cpu0 ?? undefined);
        const s = (performance.now() - t0) / 1000;
        const trips = W * N;
        const us = (c.user + c.system) / trips;
        console.log(
          `workers ${W}, batch ${BATCH}: ${trips} leases in ${s.toFixed(2)} s (${Math.round(trips / s)}/s); primary CPU ${us.toFixed(1)} µs per lease ` +
            `(${(((c.user + c.system) / 1e6 / s) * 100).toFixed(0)}% of a core) -> at most ~${Math.round(1e6 / us)} leases/s per primary core`,
        );
        for (const x of Object.values(cluster.workers ?? {})) x?.kill();
        setTimeout(() => process.exit(0), 200).unref();
      }
    });
  }
  setTimeout(() => {
    console.error('timed out');
    process.exit(1);
  }, 120_000).unref();
} else {
  const id = 'bench-ipc';
  const def: DefineMsg = { rl: 'def', id, policy: ratePolicy(10_000_000, 1000, 10_000_000), maxKeys: 1_000_000 };
  process.send?.(def);
  let sent = 0;
  let got = 0;
  const me = cluster.worker?.id ?? 0;
  const key = (): string => (KEYS > 0 ? `k${sent % KEYS}` : `w${me}-${sent}`);
  const next = (): void => {
    if (sent >= N) return;
    if (BATCH === 1) {
      const k = key();
      const m: TakeMsg = { rl: 'take', id, k, n: 256, s: sent++ };
      return void process.send?.(m);
    }
    const m: TakesMsg = { rl: 'takes', id, k: [], n: [], s: [] };
    for (let i = 0; i < BATCH && sent < N; i++) {
      m.k.push(key());
      m.n.push(256);
      m.s.push(sent++);
    }
    process.send?.(m);
  };
  process.on('message', (m: GrantMsg | GrantsMsg | { bench: string }) => {
    if ('bench' in m) {
      for (let i = 0; i < WINDOW; i++) next();
      return;
    }
    if (m.rl !== 'grant' && m.rl !== 'grants') return;
    got += m.rl === 'grant' ? 1 : m.s.length;
    if (got === N) return void process.send?.({ bench: 'done' });
    next();
  });
  process.send?.({ bench: 'ready' });
}
