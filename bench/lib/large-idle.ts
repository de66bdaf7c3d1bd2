// Two measurements that are not request-rate rows (issue #20): `large` (a 50 MiB no-op download
// and upload: MB/s and the candidate's RSS during the transfer) and `idle` (N idle keep-alive
// client connections held open: the candidate's RSS and CPU while they sit there). Loopback only;
// every transfer and every wait is bounded in time, every socket is closed at the end.
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { rssSampler, sleep, treePids, treeRss } from './procs.js';

export interface TransferResult {
  mbPerS: number;
  /** Peak RSS of the candidate's process tree during the transfer (kB). */
  peakRssKb: number;
  /** RSS just before the transfer (kB). */
  startRssKb: number;
}

/** One 50 MiB (or `bytes`) GET (download) or POST (upload) through `url`, timed end to end. */
export function transfer(url: string, pid: number, kind: 'download' | 'upload', bytes: number, timeoutMs = 60_000): Promise<TransferResult> {
  const startRssKb = treeRss(pid).rssKb;
  const sampler = rssSampler(pid, 50);
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let received = 0;
    // An upload ends when the whole body is written and the answer has arrived (an origin may
    // answer before it read the body).
    let written = kind === 'download';
    let answered: (() => void) | null = null;
    const req = http.request(
      url,
      {
        method: kind === 'download' ? 'GET' : 'POST',
        agent: false,
        headers: kind === 'upload' ? { 'content-type': 'application/octet-stream', 'content-length': String(bytes) } : {},
        timeout: timeoutMs,
      },
      (res) => {
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('end', () => {
          if (!written) return void (answered = finish);
          finish();
        });
        const finish = (): void => {
          const s = (performance.now() - t0) / 1000;
          const { peakKb } = sampler.stop();
          const moved = kind === 'download' ? received : bytes;
          if (res.statusCode !== 200) return reject(new Error(`${kind}: status ${res.statusCode}`));
          if (kind === 'download' && received !== bytes) return reject(new Error(`download: got ${received} of ${bytes} bytes`));
          resolve({ mbPerS: moved / (1024 * 1024) / s, peakRssKb: peakKb, startRssKb });
        };
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`${kind} did not finish within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) => {
      sampler.stop();
      reject(e);
    });
    if (kind === 'download') return void req.end();
    // Upload: 1 MiB writes, honouring back-pressure.
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(() => {
        written = true;
        answered?.();
      });
    };
    pump();
  });
}

export interface IdleResult {
  /** Connections that answered their request and were still open at the end of the hold. */
  held: number;
  wanted: number;
  /** RSS of the candidate's tree before opening the connections and while they are held (kB). */
  rssBeforeKb: number;
  rssHeldKb: number;
  /** CPU the candidate's tree used during the hold, % of one core. */
  cpuPct: number;
  /** The open-files limit the harness ran with (its children inherit it). */
  nofile: number;
}

function treeCpuTicks(pids: readonly number[]): number {
  let t = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      t += Number(rest[11]) + Number(rest[12]);
    } catch {
      /* exited */
    }
  }
  return t;
}

/** The soft open-files limit of this process (children inherit it). */
export function openFilesLimit(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : 1024;
  } catch {
    return 1024;
  }
}

/**
 * Opens `n` keep-alive connections to 127.0.0.1:port (in batches of 250), sends one GET `path` on
 * each and waits for its answer, holds them idle for `holdS` seconds, then closes them all.
 */
export async function holdIdle(port: number, path: string, pid: number, n: number, holdS: number, timeoutMs = 60_000): Promise<IdleResult> {
  const nofile = openFilesLimit();
  const pids = treePids(pid);
  const rssBeforeKb = treeRss(pid, pids).rssKb;
  const sockets: Socket[] = [];
  const open = new Set<Socket>();
  const deadline = Date.now() + timeoutMs;
  const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      sockets.push(s);
      const done = (): void => resolve();
      s.setTimeout(10_000, () => s.destroy());
      s.once('connect', () => s.write(request));
      // The answer is small: its first chunk is enough to know the request was served.
      s.once('data', () => {
        open.add(s);
        s.setTimeout(0);
        s.on('data', () => undefined); // keep reading (nothing more should come)
        done();
      });
      s.once('close', () => {
        open.delete(s);
        done();
      });
      s.on('error', () => undefined);
    });
  try {
    for (let i = 0; i < n && Date.now() < deadline; i += 250) {
      await Promise.all(Array.from({ length: Math.min(250, n - i) }, one));
    }
    await sleep(1000); // let the candidate settle (GC after the burst of requests)
    const cpu0 = treeCpuTicks(pids);
    const t0 = performance.now();
    let rssHeldKb = 0;
    for (let waited = 0; waited < holdS * 1000; waited += 500) {
      await sleep(500);
      rssHeldKb = Math.max(rssHeldKb, treeRss(pid, pids).rssKb);
    }
    const ticks = treeCpuTicks(pids) - cpu0;
    const secs = (performance.now() - t0) / 1000;
    return { held: open.size, wanted: n, rssBeforeKb, rssHeldKb, cpuPct: ((ticks / 100) * 100) / secs, nofile };
  } finally {
    for (const s of sockets) s.destroy();
    await sleep(500);
  }
}
