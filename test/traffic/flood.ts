// Drives a flood of distinct client keys at a gateway over a few keep-alive connections with
// HTTP/1.1 pipelining (undici Pool), and samples the gateway's memory from /proc while it runs.
// Used by memory-flood.test.ts with a reduced count; run on its own for the full figure:
//   node --import tsx test/traffic/flood.ts --port P --pid PID --keys 1000000 [--path /flood]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

export interface FloodResult {
  keys: number;
  seconds: number;
  byStatus: Record<number, number>;
  errors: number;
  /** Peak resident set of the gateway process (VmHWM), MiB. */
  peakRssMiB: number;
  /** Resident set sampled after each tenth of the keys, MiB. */
  rssMiB: number[];
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

export async function flood(opts: {
  port: number;
  pid: number;
  keys: number;
  path?: string;
  header?: string;
  connections?: number;
  pipelining?: number;
  maxSeconds?: number;
}): Promise<FloodResult> {
  const connections = opts.connections ?? 8;
  const pipelining = opts.pipelining ?? 16;
  const pool = new Pool(`http://127.0.0.1:${opts.port}`, { connections, pipelining, keepAliveTimeout: 60_000 });
  const path = opts.path ?? '/flood';
  const header = opts.header ?? 'x-client';
  const result: FloodResult = { keys: 0, seconds: 0, byStatus: {}, errors: 0, peakRssMiB: 0, rssMiB: [] };
  const started = Date.now();
  const deadline = started + (opts.maxSeconds ?? 600) * 1000;
  const tenth = Math.max(1, Math.floor(opts.keys / 10));
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= opts.keys || Date.now() > deadline) return;
      try {
        const r = await pool.request({ path, method: 'GET', headers: { [header]: `client-${i}` } });
        await r.body.dump();
        result.byStatus[r.statusCode] = (result.byStatus[r.statusCode] ?? 0) + 1;
      } catch {
        result.errors++;
      }
      result.keys++;
      if ((i + 1) % tenth === 0) result.rssMiB.push(Math.round(statusKiB(opts.pid, 'VmRSS') / 1024));
    }
  };
  await Promise.all(Array.from({ length: connections * pipelining }, lane));
  await pool.close();
  result.seconds = (Date.now() - started) / 1000;
  result.peakRssMiB = Math.round(statusKiB(opts.pid, 'VmHWM') / 1024);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, pid: { type: 'string' }, keys: { type: 'string', default: '1000000' }, path: { type: 'string', default: '/flood' } },
  });
  const r = await flood({ port: Number(values.port), pid: Number(values.pid), keys: Number(values.keys), path: values.path });
  process.stdout.write(JSON.stringify(r) + '\n');
}
