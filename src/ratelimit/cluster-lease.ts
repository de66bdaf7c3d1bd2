// A cluster worker's view of a node-wide in-memory limit: a LeaseLimiter whose source is the
// cluster primary (cluster-coordinator.ts), reached over the cluster IPC channel. If the primary
// does not answer (it never should: it does nothing else), the request is refused for a moment
// rather than admitted without a bucket.
import { MAX_LEASE, type DefineMsg, type GrantMsg, type ReturnMsg, type TakeMsg } from './cluster-protocol.js';
import { LeaseLimiter, type Grant, type LeaseSource } from './lease-limiter.js';
import { refuse, type Limiter } from './limiter.js';
import type { Policy } from './policy.js';

const NO_ANSWER_MS = 2000;

type Waiter = { at: number; resolve: (g: Grant) => void; reject: (err: Error) => void };

let seq = 0;
const waiting = new Map<number, Waiter>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('message', (msg: unknown) => {
    const m = msg as GrantMsg;
    if (m === null || typeof m !== 'object' || m.rl !== 'grant') return;
    const w = waiting.get(m.s);
    if (!w) return;
    waiting.delete(m.s);
    w.resolve(m);
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

function send(msg: DefineMsg | TakeMsg | ReturnMsg): boolean {
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
      if (!send({ rl: 'take', id: this.id, k: key, n: want, s })) {
        waiting.delete(s);
        reject(new Error('cluster IPC channel closed'));
      }
    });
  }

  giveBack(k: string[], n: number[], w: number[]): void {
    send({ rl: 'ret', id: this.id, k, n, w });
  }
}

export function clusterLimiter(id: string, policy: Policy, maxKeys: number): Limiter {
  listen();
  send({ rl: 'def', id, policy, maxKeys });
  return new LeaseLimiter(new IpcSource(id), policy, maxKeys, MAX_LEASE, () => refuse(NO_ANSWER_MS));
}
