// A cluster worker's mirror of a node-wide circuit breaker held by the primary
// (node-coordinator.ts). Decisions are local and synchronous — closed: go; open before its
// timeout: refused — except once the open timeout is over (and while half-open), when the worker
// asks the primary for the node's one trial ticket, one question per worker at a time. Outcomes go to the
// primary only when they can change something (see node-coordinator.ts for the cost model).
import cluster from 'node:cluster';
import { GO, REFUSED_BUSY, REFUSED_OPEN, TRIAL, type BreakerState, type Outcome } from './breaker.js';
import type { CbPrimaryMsg, CbStateMsg, CbWorkerMsg } from './cluster-protocol.js';

/** `before()` answers this when the worker must ask the primary (`askTrial`). */
export const ASK = -1;
const NO_ANSWER_MS = 2000;

const mirrors = new Map<string, NodeBreaker>();
const waiting = new Map<number, { at: number; resolve: (t: number) => void }>();
let seq = 0;
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('message', (msg: unknown) => {
    const m = msg as CbPrimaryMsg;
    if (m === null || typeof m !== 'object' || !('cb' in m)) return;
    if (m.cb === 'state') mirrors.get(m.id)?.apply(m);
    else if (m.cb === 'trial') {
      const w = waiting.get(m.s);
      waiting.delete(m.s);
      w?.resolve(m.t);
    }
  });
  // A primary that does not answer (it always should) leaves the call refused, never admitted.
  setInterval(() => {
    const now = Date.now();
    for (const [s, w] of waiting) {
      if (now - w.at < NO_ANSWER_MS) continue;
      waiting.delete(s);
      w.resolve(REFUSED_BUSY);
    }
  }, 250).unref();
}

function send(msg: CbWorkerMsg): boolean {
  try {
    return process.send !== undefined && process.connected && (process.send(msg), true);
  } catch {
    return false;
  }
}

export class NodeBreaker {
  state: BreakerState = 'closed';
  opened = 0;
  transitions = 0;
  private generation = 0;
  private openUntil = 0;
  private counting = false;
  private asking = false;

  constructor(
    readonly id: string,
    readonly name: string,
    intervalMs: number,
    timeoutMs: number,
    threshold: number,
    private readonly onChange: (from: BreakerState, to: BreakerState) => void,
  ) {
    listen();
    mirrors.set(id, this);
    send({ cb: 'def', id, name, intervalMs, timeoutMs, threshold });
  }

  before(now: number): number {
    switch (this.state) {
      case 'closed':
        return this.generation * 4 + GO;
      case 'open':
        if (now < this.openUntil) return REFUSED_OPEN;
        return this.asking ? REFUSED_BUSY : ASK;
      case 'half-open':
        // The primary knows whether the node's one trial is still running.
        return this.asking ? REFUSED_BUSY : ASK;
    }
  }

  /** The primary's answer for the trial: a TRIAL or GO ticket, or a refusal code. */
  askTrial(): Promise<number> {
    this.asking = true;
    const s = (seq = (seq + 1) % 0x7fffffff);
    return new Promise<number>((resolve) => {
      waiting.set(s, {
        at: Date.now(),
        resolve: (t) => {
          this.asking = false;
          resolve(t);
        },
      });
      if (!send({ cb: 'ask', id: this.id, s })) {
        waiting.delete(s);
        this.asking = false;
        resolve(REFUSED_BUSY);
      }
    });
  }

  after(ticket: number, outcome: Outcome): void {
    const trial = ticket % 4 === TRIAL;
    if (!trial) {
      // Stale (the state changed since the call began) or nothing to reset: nothing to say.
      if (Math.floor(ticket / 4) !== this.generation || outcome === 'neutral') return;
      if (outcome === 'success' && !this.counting) return;
    }
    send({ cb: 'out', id: this.id, t: ticket, o: outcome === 'failure' ? 'f' : outcome === 'success' ? 's' : 'n' });
  }

  apply(m: CbStateMsg): void {
    const changed = m.gen !== this.generation;
    this.state = m.st;
    this.generation = m.gen;
    this.openUntil = m.until;
    this.counting = m.counting;
    this.opened = m.opened;
    this.transitions = m.transitions;
    // One line per change for the node: the worker that caused it says it.
    if (changed && m.from !== m.st && m.by === cluster.worker?.id) this.onChange(m.from, m.st);
  }

  close(): void {
    if (mirrors.get(this.id) === this) mirrors.delete(this.id);
  }
}
