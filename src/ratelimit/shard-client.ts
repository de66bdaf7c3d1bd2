// A cluster worker's side of the sharded coordinator (shard-server.ts): one Unix-socket link to
// every shard, a stable hash of limiter id + key choosing the shard of each key, and leases
// asked for during one event-loop turn sent together (one socket write per shard per turn).
//
// When a shard cannot be reached (it died and the primary is restarting it, or it has not come
// up yet) a lease fails at once, and LeaseLimiter refuses the request (429 with Retry-After):
// fail closed. Units leased before still spend locally until they expire. The alternative, a
// per-worker local bucket, would admit up to N x the limit during the gap: the one thing a
// node-wide limit promises not to do. The link reconnects by itself; nothing waits on a dead
// shard, so no request hangs.
import { connect, type Socket } from 'node:net';
import { MAX_LEASE } from './cluster-protocol.js';
import type { Grant, LeaseSource } from './lease-limiter.js';
import type { Policy } from './policy.js';
import { DEF, FrameReader, FrameWriter, GRANTS, RET, TAKES } from './shard-wire.js';

/** Set by the primary for its workers: JSON array of the shards' socket paths. */
export const SHARD_SOCKETS_ENV = 'RAMPART_LIMIT_SHARD_SOCKETS';

/** A shard that does not answer this long is treated as gone (it never should be slow). */
const NO_ANSWER_MS = 2000;
const RECONNECT_MS = 100;

type Waiter = { at: number; resolve: (g: Grant) => void; reject: (err: Error) => void };

interface Pending {
  keys: string[];
  want: number[];
  seqs: number[];
}

/** FNV-1a over the limiter id and the key: stable across processes and restarts. */
export function shardOf(id: string, key: string, shards: number): number {
  if (shards === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0, 0x01000193); // separator: ("ab","c") and ("a","bc") differ
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

class ShardLink {
  private sock: Socket | null = null;
  private up = false;
  /** A connection attempt is under way: leases wait for it instead of failing (start-up). */
  private connecting = false;
  private readonly waiting = new Map<number, Waiter>();
  /** Takes of this turn, per limiter index. */
  private readonly takes = new Map<number, Pending>();
  private readonly out = new FrameWriter();
  private flushing = false;
  private closed = false;

  constructor(
    private readonly path: string,
    /** Every DEF frame so far (re-sent on each new connection: a restarted shard knows nothing). */
    private readonly defs: Map<number, Buffer>,
  ) {
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const sock = connect(this.path);
    this.sock = sock;
    this.connecting = true;
    const reader = new FrameReader((type, c) => {
      if (type !== GRANTS) return;
      const count = c.u32();
      for (let i = 0; i < count; i++) {
        const seq = c.u32();
        const g = c.f64();
        const w = c.f64();
        const waiter = this.waiting.get(seq);
        if (waiter === undefined) continue;
        this.waiting.delete(seq);
        waiter.resolve({ g, w });
      }
    });
    sock.unref();
    sock.setNoDelay(true);
    sock.on('connect', () => {
      this.up = true;
      this.connecting = false;
      for (const d of this.defs.values()) sock.write(d);
      this.flush();
    });
    sock.on('data', (chunk: Buffer) => {
      if (!reader.push(chunk)) sock.destroy();
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      this.up = false;
      this.connecting = false;
      this.sock = null;
      this.failAll('rate-limit shard connection lost');
      if (!this.closed) setTimeout(() => this.connect(), RECONNECT_MS).unref();
    });
  }

  private failAll(why: string): void {
    const err = new Error(why);
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    this.takes.clear();
  }

  define(frame: Buffer): void {
    if (this.up) this.sock?.write(frame);
  }

  lease(idx: number, key: string, want: number, seq: number, w: Waiter): void {
    if (!this.up && !this.connecting) return w.reject(new Error('rate-limit shard unreachable'));
    this.waiting.set(seq, w);
    let p = this.takes.get(idx);
    if (p === undefined) this.takes.set(idx, (p = { keys: [], want: [], seqs: [] }));
    p.keys.push(key);
    p.want.push(want);
    p.seqs.push(seq);
    if (!this.flushing) {
      this.flushing = true;
      // After this turn's I/O callbacks: every request parsed in the turn shares one write.
      setImmediate(() => this.flush());
    }
  }

  giveBack(idx: number, keys: string[], counts: number[], windows: number[]): void {
    if (!this.up) return; // the shard is gone, and with it the units' bucket
    const o = this.out;
    const at = o.begin(RET);
    o.u32(idx);
    o.u32(keys.length);
    for (let i = 0; i < keys.length; i++) {
      o.u32(counts[i]);
      o.f64(windows[i]);
      o.str(keys[i]);
    }
    o.end(at);
    if (!this.flushing) this.flush();
  }

  private flush(): void {
    this.flushing = false;
    if (!this.up) return; // sent on connect, or failed on close
    const o = this.out;
    for (const [idx, p] of this.takes) {
      const at = o.begin(TAKES);
      o.u32(idx);
      o.u32(p.keys.length);
      for (let i = 0; i < p.keys.length; i++) {
        o.u32(p.seqs[i]);
        o.u16(p.want[i]);
        o.str(p.keys[i]);
      }
      o.end(at);
    }
    this.takes.clear();
    if (o.length > 0) this.sock?.write(o.take());
  }

  /** Fails leases unanswered for NO_ANSWER_MS (a shard that hangs is as good as gone). */
  expire(now: number): void {
    for (const [s, w] of this.waiting) {
      if (now - w.at < NO_ANSWER_MS) continue;
      this.waiting.delete(s);
      w.reject(new Error('rate-limit shard did not answer'));
    }
  }
}

let links: ShardLink[] | null = null;
const defs = new Map<number, Buffer>();
let nextIndex = 0;
let seq = 0;

function shardLinks(paths: string[]): ShardLink[] {
  if (links !== null) return links;
  links = paths.map((p) => new ShardLink(p, defs));
  setInterval(() => {
    const now = Date.now();
    for (const l of links ?? []) l.expire(now);
  }, 250).unref();
  return links;
}

/** The shard paths this worker was given, or null (not started by `rampart run --workers`). */
export function shardSockets(): string[] | null {
  const v = process.env[SHARD_SOCKETS_ENV];
  if (!v) return null;
  try {
    const paths = JSON.parse(v) as unknown;
    return Array.isArray(paths) && paths.length > 0 && paths.every((p) => typeof p === 'string') ? (paths as string[]) : null;
  } catch {
    return null;
  }
}

export class ShardSource implements LeaseSource {
  private readonly idx: number;
  private readonly links: ShardLink[];

  constructor(
    private readonly id: string,
    policy: Policy,
    maxKeys: number,
    paths: string[],
  ) {
    this.links = shardLinks(paths);
    this.idx = nextIndex++;
    const w = new FrameWriter();
    const at = w.begin(DEF);
    w.u32(this.idx);
    const json = Buffer.from(JSON.stringify({ id, policy, maxKeys }));
    for (const b of json) w.u8(b);
    w.end(at);
    const frame = w.take();
    defs.set(this.idx, frame);
    for (const l of this.links) l.define(frame);
  }

  lease(key: string, want: number): Promise<Grant> {
    const s = (seq = (seq + 1) % 0xffffffff);
    const link = this.links[shardOf(this.id, key, this.links.length)];
    return new Promise<Grant>((resolve, reject) => link.lease(this.idx, key, Math.min(want, MAX_LEASE), s, { at: Date.now(), resolve, reject }));
  }

  giveBack(keys: string[], counts: number[], windows: number[]): void {
    if (this.links.length === 1) return this.links[0].giveBack(this.idx, keys, counts, windows);
    const split = this.links.map(() => ({ k: [] as string[], n: [] as number[], w: [] as number[] }));
    for (let i = 0; i < keys.length; i++) {
      const b = split[shardOf(this.id, keys[i], this.links.length)];
      b.k.push(keys[i]);
      b.n.push(counts[i]);
      b.w.push(windows[i]);
    }
    split.forEach((b, i) => b.k.length > 0 && this.links[i].giveBack(this.idx, b.k, b.n, b.w));
  }
}
