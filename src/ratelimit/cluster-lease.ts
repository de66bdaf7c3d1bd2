// A cluster worker's view of a node-wide in-memory limit: a LeaseLimiter whose source is the
// node's coordinator. A worker of `rampart run --workers N` is given the coordinator shards'
// Unix sockets (shard-client.ts: binary frames, keys spread over the shards). A cluster worker
// started some other way (no shard sockets in its environment) falls back to the cluster
// primary over the node:cluster IPC channel (cluster-coordinator.ts; ~4x the primary's CPU per
// lease, see BENCHMARKS.md). If the coordinator does not answer (it never should: it does
// nothing else), the request is refused for a moment rather than admitted without a bucket.
import { MAX_LEASE, type DefineMsg, type GrantMsg, type GrantsMsg, type ReturnMsg, type TakeMsg, type TakesMsg } from './cluster-protocol.js';
import { LeaseLimiter, type Grant, type LeaseSource } from './lease-limiter.js';
import { refuse, type Limiter } from './limiter.js';
import type { Policy } from './policy.js';
import { ShardSource, shardSockets } from './shard-client.js';

const NO_ANSWER_MS = 2000;

type Waiter = { at: number; resolve: (g: Grant) => void; reject: (err: Error) => void };

let seq = 0;
const waiting = new Map<number, Waiter>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('message', (msg: unknown) => {
    const m = msg as GrantMsg | GrantsMsg;
    if (m === null || typeof m !== 'object') return;
    if (m.rl === 'grant') return answer(m.s, m);
    if (m.rl !== 'grants') return;
    for (let i = 0; i < m.s.length; i++) answer(m.s[i], { rl: 'grant', s: m.s[i], g: m.g[i], w: m.w[i] });
  });
  // Unanswered requests (primary gone) fail after NO_ANSWER_MS.
  setInterval(() => {
    const now = Date.now();
    for (const [s, w] of waiting) {
      if (now - w.at < NO_ANSWER_MS) continue;
      waiting.delete(s);
      w.reject(new Error('cluster primary did not answer'));
    }
  }, 250).unref();
}

function answer(s: number, g: GrantMsg): void {
  const w = waiting.get(s);
  if (!w) return;
  waiting.delete(s);
  w.resolve(g);
}

/** Leases asked for during this turn of the event loop, per limiter id, sent together by
 * `flush` (setImmediate: after the turn's I/O callbacks, so every request parsed in the turn
 * shares one message). One pending take goes as a plain TakeMsg. */
const batches = new Map<string, { k: string[]; n: number[]; s: number[] }>();
let flushing = false;

function flush(): void {
  flushing = false;
  for (const [id, b] of batches) {
    const ok =
      b.k.length === 1 ? send({ rl: 'take', id, k: b.k[0], n: b.n[0], s: b.s[0] }) : send({ rl: 'takes', id, k: b.k, n: b.n, s: b.s } satisfies TakesMsg);
    if (!ok) {
      for (const s of b.s) {
        const w = waiting.get(s);
        waiting.delete(s);
        w?.reject(new Error('cluster IPC channel closed'));
      }
    }
  }
  batches.clear();
}

function send(msg: DefineMsg | TakeMsg | TakesMsg | ReturnMsg): boolean {
  try {
    return process.send !== undefined && process.connected && (process.send(msg), true);
  } catch {
    return false;
  }
}

class IpcSource implements LeaseSource {
  constructor(private readonly id: string) {}

  lease(key: string, want: number): Promise<Grant> {
    const s = (seq = (seq + 1) % 0x7fffffff);
    return new Promise<Grant>((resolve, reject) => {
      waiting.set(s, { at: Date.now(), resolve, reject });
      let b = batches.get(this.id);
      if (b === undefined) batches.set(this.id, (b = { k: [], n: [], s: [] }));
      b.k.push(key);
      b.n.push(want);
      b.s.push(s);
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    });
  }

  giveBack(k: string[], n: number[], w: number[]): void {
    send({ rl: 'ret', id: this.id, k, n, w });
  }
}

export function clusterLimiter(id: string, policy: Policy, maxKeys: number): Limiter {
  const paths = shardSockets();
  if (paths !== null) return new LeaseLimiter(new ShardSource(id, policy, maxKeys, paths), policy, maxKeys, MAX_LEASE, () => refuse(NO_ANSWER_MS));
  listen();
  send({ rl: 'def', id, policy, maxKeys });
  return new LeaseLimiter(new IpcSource(id), policy, maxKeys, MAX_LEASE, () => refuse(NO_ANSWER_MS));
}
