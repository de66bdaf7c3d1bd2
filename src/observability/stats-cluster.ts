// Node-wide /__stats under `--workers N`: the cluster primary serves the listener and, for each
// refresh, asks every worker for its snapshot over the cluster IPC channel and merges them
// (stats.ts), so one scrape shows the whole node. Messages carry an `st` tag.
import cluster, { type Worker } from 'node:cluster';
import { mergeSnapshots, type StatsRegistry, type StatsSnapshot } from './stats.js';

interface AskMsg {
  st: 'ask';
  s: number;
}
interface SnapMsg {
  st: 'snap';
  s: number;
  snap: StatsSnapshot;
}

const ANSWER_MS = 1000;

/** In a worker: answer the primary's questions with this registry's snapshot. */
export function answerStatsRequests(stats: StatsRegistry): void {
  process.on('message', (m: unknown) => {
    const msg = m as AskMsg;
    if (msg === null || typeof msg !== 'object' || msg.st !== 'ask') return;
    try {
      process.send?.({ st: 'snap', s: msg.s, snap: stats.snapshot() } satisfies SnapMsg);
    } catch {
      /* channel closing: the primary merges the others */
    }
  });
}

let seq = 0;

/** In the primary: every live worker's snapshot, merged; a worker that does not answer within
 * ANSWER_MS is left out of this refresh (it is restarting, or stuck). */
export function collectNodeStats(): Promise<StatsSnapshot> {
  const s = ++seq;
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
  return new Promise((resolve) => {
    const got: StatsSnapshot[] = [];
    let pending = workers.length;
    const done = () => {
      clearTimeout(timer);
      cluster.off('message', onMessage);
      resolve(mergeSnapshots(got));
    };
    const onMessage = (_w: Worker, m: unknown) => {
      const msg = m as SnapMsg;
      if (msg === null || typeof msg !== 'object' || msg.st !== 'snap' || msg.s !== s) return;
      got.push(msg.snap);
      if (--pending === 0) done();
    };
    const timer = setTimeout(done, ANSWER_MS);
    cluster.on('message', onMessage);
    if (pending === 0) return done();
    for (const w of workers) w.send({ st: 'ask', s } satisfies AskMsg);
  });
}
