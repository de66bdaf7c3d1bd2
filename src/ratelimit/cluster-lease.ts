// A cluster worker's view of a node-wide in-memory limit: it spends units leased from the
// primary (cluster-coordinator.ts) and asks for more over IPC when they run out, ahead of time
// when the bucket is roomy (so the common case is synchronous: no IPC on the request path).
// Refusals are cached until the retry time the primary gave, so an over-limit flood costs one
// IPC round trip per key per retry period. Unused units go back to the primary after
// LEASE_TTL_MS, so a worker that stops receiving traffic does not strand them.
import { LEASE_TTL_MS, MAX_LEASE, type DefineMsg, type GrantMsg, type ReturnMsg, type TakeMsg } from './cluster-protocol.js';
import { refuse, type Limiter, type TakeResult } from './limiter.js';
import type { Policy } from './policy.js';

/** The primary did not answer: refuse for this long rather than admit without a bucket. */
const NO_ANSWER_MS = 2000;

interface Lease {
  tokens: number;
  expires: number;
  deniedUntil: number;
  window: number;
  lastGrant: number;
  pending: Promise<void> | null;
}

type Waiter = { at: number; done: (g: GrantMsg) => void };

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
    w.done(m);
  });
}

function send(msg: DefineMsg | TakeMsg | ReturnMsg): boolean {
  try {
    return process.send !== undefined && process.connected && (process.send(msg), true);
  } catch {
    return false;
  }
}

export class ClusterLeaseLimiter implements Limiter {
  private readonly leases = new Map<string, Lease>();
  private readonly timer: NodeJS.Timeout;
  private readonly ttl: number;

  constructor(
    private readonly id: string,
    private readonly policy: Policy,
    private readonly maxKeys: number,
  ) {
    listen();
    send({ rl: 'def', id, policy, maxKeys });
    this.ttl = policy.kind === 'rate' ? Math.min(LEASE_TTL_MS, policy.intervalMs * policy.burst) : LEASE_TTL_MS;
    this.timer = setInterval(() => this.sweep(Date.now()), 250);
    this.timer.unref();
  }

  take(key: string): TakeResult | Promise<TakeResult> {
    const now = Date.now();
    let e = this.leases.get(key);
    if (e === undefined) {
      if (this.leases.size >= this.maxKeys) this.makeRoom(now);
      e = { tokens: 0, expires: 0, deniedUntil: 0, window: 0, lastGrant: 0, pending: null };
      this.leases.set(key, e);
    } else {
      if (e.tokens > 0) {
        if (now < e.expires) {
          e.tokens--;
          // Refill ahead only for roomy buckets: for small ones a prefetched unit would sit idle.
          if (e.pending === null && e.lastGrant >= 4 && e.tokens <= e.lastGrant >> 2) this.request(key, e, now);
          return 0;
        }
        this.giveBack([key], [e]);
      }
      if (now < e.deniedUntil) return refuse(e.deniedUntil - now);
    }
    if (e.pending === null) this.request(key, e, now);
    return e.pending!.then(() => this.take(key));
  }

  private request(key: string, e: Lease, now: number): void {
    const s = (seq = (seq + 1) % 0x7fffffff);
    e.pending = new Promise<void>((resolve) => {
      waiting.set(s, {
        at: now,
        done: (m) => {
          e.pending = null;
          const t = Date.now();
          if (m.g > 0) {
            e.tokens += m.g;
            e.lastGrant = m.g;
            e.window = m.w;
            e.expires = this.policy.kind === 'window' ? Math.min(t + this.ttl, (m.w + 1) * this.policy.periodMs) : t + this.ttl;
            e.deniedUntil = 0;
          } else {
            e.lastGrant = 0;
            e.deniedUntil = t - m.g;
          }
          resolve();
        },
      });
    });
    if (!send({ rl: 'take', id: this.id, k: key, n: MAX_LEASE, s })) this.answerLocally(s);
  }

  private answerLocally(s: number): void {
    const w = waiting.get(s);
    if (!w) return;
    waiting.delete(s);
    w.done({ rl: 'grant', s, g: -NO_ANSWER_MS, w: 0 });
  }

  private giveBack(keys: string[], entries: Lease[]): void {
    const msg: ReturnMsg = { rl: 'ret', id: this.id, k: [], n: [], w: [] };
    for (let i = 0; i < keys.length; i++) {
      const e = entries[i];
      if (e.tokens <= 0) continue;
      msg.k.push(keys[i]);
      msg.n.push(e.tokens);
      msg.w.push(e.window);
      e.tokens = 0;
    }
    if (msg.k.length > 0) send(msg);
  }

  private sweep(now: number): void {
    const keys: string[] = [];
    const entries: Lease[] = [];
    for (const [k, e] of this.leases) {
      if (e.pending !== null) continue;
      if (e.tokens > 0 && now >= e.expires) {
        keys.push(k);
        entries.push(e);
      }
      if ((e.tokens === 0 || now >= e.expires) && now >= e.deniedUntil) this.leases.delete(k);
    }
    this.giveBack(keys, entries);
    for (const [s, w] of waiting) if (now - w.at > NO_ANSWER_MS) this.answerLocally(s);
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    let drop = this.leases.size - Math.floor(this.maxKeys * 0.9);
    if (drop <= 0) return;
    const keys: string[] = [];
    const entries: Lease[] = [];
    for (const [k, e] of this.leases) {
      if (drop-- <= 0) break;
      if (e.pending !== null) continue;
      keys.push(k);
      entries.push(e);
      this.leases.delete(k);
    }
    this.giveBack(keys, entries);
  }

  close(): void {
    clearInterval(this.timer);
    const keys = [...this.leases.keys()];
    this.giveBack(keys, keys.map((k) => this.leases.get(k)!));
    this.leases.clear();
  }
}
