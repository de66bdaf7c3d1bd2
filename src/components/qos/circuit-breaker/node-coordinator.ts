// The cluster primary's side of node-wide circuit breakers (issue #14). Under `--workers N` a
// breaker kept per worker let a backend take N x max_errors failures before the circuit opened;
// here the primary holds one Breaker per id for the whole node and workers mirror it.
//
// Cost model: nothing crosses IPC on a healthy backend. A worker reports a failure always, a
// success only while the node is counting failures (so a success anywhere resets the count, as
// it does in one process), and asks for the one trial call once the open timeout is over. Every
// state change, and every start or end of counting, is broadcast to all workers.
import cluster, { type Worker } from 'node:cluster';
import { Breaker, type BreakerState, type Outcome } from './breaker.js';
import type { CbPrimaryMsg, CbStateMsg, CbWorkerMsg } from './cluster-protocol.js';

let installed = false;
const breakers = new Map<string, Breaker>();
/** The worker whose message is being handled: it logs the state change it caused. */
let causedBy = 0;

const OUTCOME: Record<'f' | 's' | 'n', Outcome> = { f: 'failure', s: 'success', n: 'neutral' };

function stateOf(id: string, b: Breaker, from: BreakerState): CbStateMsg {
  return {
    cb: 'state',
    id,
    st: b.state,
    gen: b.generation,
    until: b.openUntil,
    counting: b.counting,
    opened: b.opened,
    transitions: b.transitions,
    by: causedBy,
    from,
  };
}

function sendTo(w: Worker | undefined, msg: CbPrimaryMsg): void {
  if (w?.isConnected()) w.send(msg);
}

function broadcast(msg: CbPrimaryMsg): void {
  for (const id in cluster.workers) sendTo(cluster.workers[id], msg);
}

function handle(worker: Worker, msg: CbWorkerMsg): void {
  const now = Date.now();
  causedBy = worker.id;
  switch (msg.cb) {
    case 'def': {
      let b = breakers.get(msg.id);
      if (!b) {
        const id = msg.id;
        const created: Breaker = new Breaker(msg.name, msg.intervalMs, msg.timeoutMs, msg.threshold, (from) => broadcast(stateOf(id, created, from)));
        b = created;
        breakers.set(id, b);
      }
      // A worker started (or restarted) while the breaker is open learns it at once.
      sendTo(worker, stateOf(msg.id, b, b.state));
      return;
    }
    case 'out': {
      const b = breakers.get(msg.id);
      if (!b) return;
      const before = b.state;
      const counting = b.counting;
      b.rollWindow(now);
      b.after(msg.t, OUTCOME[msg.o], now);
      // A state change was broadcast by onChange; the start or end of counting is told here.
      if (b.state === before && b.counting !== counting) broadcast(stateOf(msg.id, b, before));
      return;
    }
    case 'ask': {
      const b = breakers.get(msg.id);
      // Unknown ids cannot happen (def precedes use on the same channel); refuse rather than call.
      const t = b ? b.before(now) : 2;
      sendTo(worker, { cb: 'trial', s: msg.s, t });
      return;
    }
  }
}

export function installBreakerCoordinator(): void {
  if (installed || !cluster.isPrimary) return;
  installed = true;
  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (msg !== null && typeof msg === 'object' && 'cb' in msg) handle(worker, msg as CbWorkerMsg);
  });
}
