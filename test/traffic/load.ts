// Bounded request drivers for the traffic tests: N requests with at most C in flight, each on a
// new connection (so node:cluster spreads them over workers) or spread over several gateways.
import { http } from '../helpers/http.js';

export interface Tally {
  total: number;
  byStatus: Record<number, number>;
  errors: number;
}

/** Sends `n` GETs to `path`, target i % ports.length for request i, at most `concurrency` at once. */
export async function blast(
  ports: number[],
  path: string,
  n: number,
  concurrency: number,
  headers: (i: number) => Record<string, string> = () => ({}),
): Promise<Tally> {
  const tally: Tally = { total: 0, byStatus: {}, errors: 0 };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      try {
        const r = await http(ports[i % ports.length], 'GET', path, headers(i));
        tally.byStatus[r.status] = (tally.byStatus[r.status] ?? 0) + 1;
      } catch {
        tally.errors++;
      }
      tally.total++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return tally;
}

/** Per-port counts of 200s, for checks that every gateway kept serving. */
export async function blastEach(
  ports: number[],
  path: string,
  nEach: number,
  concurrency: number,
  headers: (i: number) => Record<string, string> = () => ({}),
): Promise<Tally[]> {
  return Promise.all(ports.map((p) => blast([p], path, nEach, concurrency, headers)));
}

export function within(actual: number, expected: number, tolerance: number): boolean {
  return Math.abs(actual - expected) <= expected * tolerance;
}
