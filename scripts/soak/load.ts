// Open-loop load: requests leave at a fixed rate whatever the answers do (a closed loop would
// slow down with the gateway and hide its stalls), bounded by a cap on requests in flight.
// Each request ends as exactly one of: answered (a status line came back, body complete),
// cut (a status came back, the body broke off), lost (an error before any status: the gateway
// gave no answer at all), or timeout (no status within the client's timeout).
import { Agent, request } from 'node:http';

export interface RouteStats {
  sent: number;
  answered: number;
  byStatus: Record<string, number>;
  cut: number;
  lost: number;
  lostBy: Record<string, number>;
  timeouts: number;
  /** Not sent: the in-flight cap was reached (the client, not the gateway, was the bottleneck). */
  skipped: number;
}

export interface Route {
  name: string;
  path: string;
  /** Share of the total rate. */
  weight: number;
}

export interface Outcome {
  kind: 'answered' | 'cut' | 'lost' | 'timeout';
  status?: number;
  ms: number;
  code?: string;
  /** The request had been written out completely before it ended (for the drain count). */
  written: boolean;
}

const CLIENT_TIMEOUT_MS = 15_000;

export function newStats(): RouteStats {
  return { sent: 0, answered: 0, byStatus: {}, cut: 0, lost: 0, lostBy: {}, timeouts: 0, skipped: 0 };
}

export function count(s: RouteStats, o: Outcome): void {
  if (o.kind === 'answered' || o.kind === 'cut') s.byStatus[String(o.status)] = (s.byStatus[String(o.status)] ?? 0) + 1;
  if (o.kind === 'answered') s.answered++;
  else if (o.kind === 'cut') s.cut++;
  else if (o.kind === 'timeout') s.timeouts++;
  else {
    s.lost++;
    s.lostBy[o.code ?? 'unknown'] = (s.lostBy[o.code ?? 'unknown'] ?? 0) + 1;
  }
}

/** One GET; resolves with how it ended, never rejects. */
export function send(agent: Agent, port: number, path: string, onWritten?: () => void): Promise<Outcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    let done = false;
    let written = false;
    let status: number | undefined;
    const finish = (o: Omit<Outcome, 'ms' | 'written'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...o, ms: performance.now() - start, written });
    };
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { accept: 'application/json' } }, (res) => {
      status = res.statusCode;
      res.on('data', () => {});
      res.on('end', () => finish({ kind: 'answered', status }));
      res.on('aborted', () => finish({ kind: 'cut', status }));
      res.on('error', () => finish({ kind: 'cut', status }));
      res.on('close', () => finish({ kind: res.complete ? 'answered' : 'cut', status }));
    });
    req.on('finish', () => {
      written = true;
      onWritten?.();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (status !== undefined) return finish({ kind: 'cut', status });
      finish({ kind: 'lost', code: err.code ?? err.message });
    });
    const timer = setTimeout(() => {
      if (status === undefined) finish({ kind: 'timeout' });
      req.destroy();
    }, CLIENT_TIMEOUT_MS);
    req.end();
  });
}

export interface LoadOptions {
  port: number;
  rate: number;
  routes: Route[];
  maxInFlight: number;
  /** Called with every outcome (for latency windows). */
  onOutcome(route: Route, o: Outcome): void;
}

/** Runs until stop() is called; returns the per-route statistics. */
export function startLoad(o: LoadOptions): { stats: Map<string, RouteStats>; inFlight(): number; stop(): Promise<void> } {
  const stats = new Map(o.routes.map((r) => [r.name, newStats()]));
  // One agent per route: a route whose backend breaks connections cannot disturb another's.
  // Idle sockets are closed by the client (timeout) before the gateway's idle timeout, so that a
  // request is never written on a connection the gateway is closing as idle.
  const agents = new Map(o.routes.map((r) => [r.name, new Agent({ keepAlive: true, maxSockets: 64, timeout: 20_000 })]));
  const totalWeight = o.routes.reduce((a, r) => a + r.weight, 0);
  const pending = new Set<Promise<void>>();
  const issued = new Map(o.routes.map((r) => [r.name, 0]));
  const start = performance.now();
  let stopped = false;
  const tick = () => {
    const elapsed = (performance.now() - start) / 1000;
    for (const r of o.routes) {
      // Catch up on time lost to a busy event loop: the schedule is fixed, not paced by answers.
      const due = Math.floor(elapsed * o.rate * (r.weight / totalWeight)) - issued.get(r.name)!;
      for (let i = 0; i < due; i++) {
        issued.set(r.name, issued.get(r.name)! + 1);
        const s = stats.get(r.name)!;
        if (pending.size >= o.maxInFlight) {
          s.skipped++;
          continue;
        }
        s.sent++;
        const p = send(agents.get(r.name)!, o.port, r.path).then((out) => {
          count(s, out);
          o.onOutcome(r, out);
          pending.delete(p);
        });
        pending.add(p);
      }
    }
  };
  const timer = setInterval(tick, 10);
  return {
    stats,
    inFlight: () => pending.size,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await Promise.all(pending);
      for (const a of agents.values()) a.destroy();
    },
  };
}
