// Messages between `rampart run --workers N` workers and the cluster primary, which holds the
// node's in-memory buckets (see cluster-coordinator.ts and cluster-lease.ts). Every message has
// an `rl` tag so it never collides with the primary's own ({rampart: 'ready'}) messages.
import type { Policy } from './policy.js';

/** A worker declares a limiter once, before using it (IPC is ordered per worker). */
export interface DefineMsg {
  rl: 'def';
  id: string;
  policy: Policy;
  maxKeys: number;
}

/** A worker asks for up to `n` units of `k`; the answer carries the same `s`. */
export interface TakeMsg {
  rl: 'take';
  id: string;
  k: string;
  n: number;
  s: number;
}

/** Several `take`s of one limiter sent in one message (parallel arrays): a worker coalesces the
 * leases one turn of its event loop asks for, so the primary pays its per-message cost (channel
 * read, JSON, dispatch) once per batch instead of once per key (issue #20: ~16 µs of primary CPU
 * per single round trip on the bench machine). */
export interface TakesMsg {
  rl: 'takes';
  id: string;
  k: string[];
  n: number[];
  s: number[];
}

/** The answers to one TakesMsg, in its order. */
export interface GrantsMsg {
  rl: 'grants';
  s: number[];
  g: number[];
  w: number[];
}

/** A worker gives back units of expired leases: parallel arrays. */
export interface ReturnMsg {
  rl: 'ret';
  id: string;
  k: string[];
  n: number[];
  w: number[];
}

/** g >= 1: units granted; g < 0: refused, -g ms until a retry can succeed. w: quota window. */
export interface GrantMsg {
  rl: 'grant';
  s: number;
  g: number;
  w: number;
}

export type WorkerMsg = DefineMsg | TakeMsg | TakesMsg | ReturnMsg;

/** Most units one lease from the primary may carry. */
export const MAX_LEASE = 256;
