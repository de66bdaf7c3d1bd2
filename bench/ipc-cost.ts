// What one lease round trip of the node-wide in-memory rate limit costs its coordinator (issue
// #20, "scaling across cores"): W workers each sending lease requests as fast as the grants come
// back, and the coordinator's own CPU divided by the leases served. Keys are distinct per request
// by default (the worst case: a per-client limit whose clients each send one request, so no lease
// is ever reused); --keys N cycles over N keys. --batch B sends B leases per message (what a
// worker coalesces within one event-loop turn).
//
// --transport ipc: the node:cluster IPC channel (process.send JSON) to the primary's
//   coordinator (src/ratelimit/cluster-coordinator.ts), the design before sharding.
// --transport uds: the binary frames over a Unix socket (src/ratelimit/shard-wire.ts) to the real
//   shard server (src/ratelimit/shard-server.ts); --shards 1 runs it in the primary (as `rampart
//   run` does up to 16 workers), --shards S > 1 in S child processes (src/ratelimit/shard-main.ts,
//   started by the real supervisor), their CPU read from /proc/<pid>/stat.
// Usage: npx tsx bench/ipc-cost.ts [--transport ipc|uds] [--shards 1] [--workers 2]
//          [--requests 40000] [--window 64] [--keys 0] [--batch 1]
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { ratePolicy } from '../src/ratelimit/policy.js';
import type { DefineMsg, GrantMsg, GrantsMsg, TakeMsg, TakesMsg } from '../src/ratelimit/cluster-protocol.js';
import { shardOf, shardSockets } from '../src/ratelimit/shard-client.js';
import { DEF, FrameReader, FrameWriter, GRANTS, TAKES } from '../src/ratelimit/shard-wire.js';

const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'ipc' },
    shards: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    requests: { type: 'string', default: '40000' },
    window: { type: 'string', default: '64' },
    keys: { type: 'string', default: '0' },
    batch: { type: 'string', default: '1' },
  },
});
const UDS = values.transport === 'uds';
const S = Number(values.shards);
const W = Number(values.workers);
const N = Number(values.requests);
const WINDOW = Number(values.window);
const KEYS = Number(values.keys);
const BATCH = Number(values.batch);
const ID = 'bench-ipc';
const POLICY = ratePolicy(10_000_000, 1000, 10_000_000);

/** utime + stime of a process, µs (clock ticks of 10 ms: runs must last seconds). */
function procCpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10_000;
}

if (cluster.isPrimary) {
  let env: Record<string, string> = {};
  let shardPids: number[] = [];
  if (UDS) {
    process.env.RAMPART_LIMIT_SHARDS = String(S);
    const { startLimitShards } = await import('../src/ratelimit/shard-supervisor.js');
    const shards = await startLimitShards(W, { exited: (e) => console.error('shard exited', e), restarted: () => {} });
    env = shards.env;
    shardPids = shards.pids();
  } else {
    await import('../src/ratelimit/cluster-coordinator.js');
  }
  // Coordinator CPU: the primary's own (ipc, or uds with one in-primary shard), or the shards'.
  const cpuNow = (): number => {
    if (shardPids.length > 0) return shardPids.reduce((a, p) => a + procCpuUs(p), 0);
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  let done = 0;
  let workerCpu = 0;
  let cpu0 = 0;
  let t0 = 0;
  let ready = 0;
  for (let i = 0; i < W; i++) {
    const w = cluster.fork(env);
    w.on('message', (m: { bench?: string; cpu?: number }) => {
      if (m.bench === 'ready' && ++ready === W) {
        cpu0 = cpuNow();
        t0 = performance.now();
        for (const x of Object.values(cluster.workers ?? {})) x?.send({ bench: 'go' });
      }
      if (m.bench === 'done') workerCpu += m.cpu ?? 0;
      if (m.bench === 'done' && ++done === W) {
        const cpu = cpuNow() - cpu0;
        const s = (performance.now() - t0) / 1000;
        const leases = W * N;
        const us = cpu / leases;
        const where = UDS ? (S > 1 ? `${S} shard processes` : 'in-primary shard') : 'primary';
        console.log(
          `${UDS ? 'uds' : 'ipc'} workers ${W}, shards ${UDS ? S : 1}, batch ${BATCH}: ${leases} leases in ${s.toFixed(2)} s (${Math.round(leases / s)}/s); ` +
            `coordinator (${where}) CPU ${us.toFixed(2)} µs per lease (${((cpu / 1e6 / s) * 100).toFixed(0)}% of a core) -> at most ~${Math.round(1e6 / us)} leases/s per coordinator core; ` +
            `worker CPU ${(workerCpu / leases).toFixed(2)} µs per lease`,
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
  let sent = 0;
  let got = 0;
  let cpuGo: NodeJS.CpuUsage | undefined;
  const me = cluster.worker?.id ?? 0;
  const key = (): string => (KEYS > 0 ? `k${sent % KEYS}` : `w${me}-${sent}`);
  const onGrants = (count: number): void => {
    got += count;
    if (got === N) {
      const c = process.cpuUsage(cpuGo);
      return void process.send?.({ bench: 'done', cpu: c.user + c.system });
    }
    next();
  };
  let next: () => void;
  if (UDS) {
    // Raw frames, one socket write per message, exactly as the ipc mode's one process.send per
    // message (the real client, shard-client.ts, coalesces a turn's leases the same way).
    const paths = shardSockets() ?? [];
    const out = new FrameWriter();
    const socks = paths.map((p) => {
      const s = connect(p);
      s.setNoDelay(true);
      const reader = new FrameReader((type, c) => type === GRANTS && onGrants(c.u32()));
      s.on('data', (d: Buffer) => reader.push(d));
      const at = out.begin(DEF);
      out.u32(0);
      for (const b of Buffer.from(JSON.stringify({ id: ID, policy: POLICY, maxKeys: 1_000_000 }))) out.u8(b);
      out.end(at);
      s.write(out.take());
      return s;
    });
    next = () => {
      if (sent >= N) return;
      // One message per shard a batch's keys hash to (with S = 1: one message of BATCH takes).
      const byShard = new Map<number, string[]>();
      for (let i = 0; i < BATCH && sent < N; i++, sent++) {
        const k = key();
        const sh = shardOf(ID, k, socks.length);
        let l = byShard.get(sh);
        if (l === undefined) byShard.set(sh, (l = []));
        l.push(k);
      }
      for (const [sh, keys] of byShard) {
        const at = out.begin(TAKES);
        out.u32(0);
        out.u32(keys.length);
        for (let i = 0; i < keys.length; i++) {
          out.u32(sent - keys.length + i);
          out.u16(256);
          out.str(keys[i]);
        }
        out.end(at);
        socks[sh].write(out.take());
      }
    };
    await Promise.all(socks.map((s) => new Promise((r) => s.once('connect', r))));
  } else {
    const def: DefineMsg = { rl: 'def', id: ID, policy: POLICY, maxKeys: 1_000_000 };
    process.send?.(def);
    next = () => {
      if (sent >= N) return;
      if (BATCH === 1) {
        const k = key();
        const m: TakeMsg = { rl: 'take', id: ID, k, n: 256, s: sent++ };
        return void process.send?.(m);
      }
      const m: TakesMsg = { rl: 'takes', id: ID, k: [], n: [], s: [] };
      for (let i = 0; i < BATCH && sent < N; i++) {
        m.k.push(key());
        m.n.push(256);
        m.s.push(sent++);
      }
      process.send?.(m);
    };
  }
  process.on('message', (m: GrantMsg | GrantsMsg | { bench: string }) => {
    if ('bench' in m) {
      cpuGo = process.cpuUsage();
      for (let i = 0; i < WINDOW; i++) next();
      return;
    }
    if (m.rl === 'grant') onGrants(1);
    else if (m.rl === 'grants') onGrants(m.s.length);
  });
  process.send?.({ bench: 'ready' });
}
