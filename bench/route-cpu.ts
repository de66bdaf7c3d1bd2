// Interleaved A/B of bench routes on one Rampart process, judged on the gateway's own CPU time
// per request (utime + stime from /proc, so load from other processes on a shared machine counts
// far less than in req/s) and, second, on req/s. Each round drives every route once, the order
// reversed every other round; the report gives each route's median and its ratio to a base route
// (the median of the per-round ratios). Quick to run (no nginx, no wrk): a Node origin serves
// `originBody()`, an undici pool drives a fixed number of requests per run.
//
//   node --import tsx bench/route-cpu.ts --routes plain,martian5 --base plain [--rounds 7] [--requests 4000] [--connections 16]
//        [--pair post+checks:post ...]   (more ratios: row ÷ its own base, median of the rounds)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildRampartConfig } from './rampart-config.js';
import { originBody } from './lib/nginx.js';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: 'plain,martian5' },
    base: { type: 'string', default: 'plain' },
    rounds: { type: 'string', default: '7' },
    requests: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '16' },
    'node-flags': { type: 'string', default: '' },
    // Extra ratios, each "row:base" (e.g. post+checks:post), judged like the base column.
    pair: { type: 'string', multiple: true, default: [] },
    // Prints every round's CPU µs/req and the serving process's RSS (a long run shows growth).
    trace: { type: 'boolean', default: false },
  },
});
const ids = values.routes.split(',');
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const connections = Number(values.connections);
const TICK_US = 1e6 / 100; // USER_HZ on Linux

const body = originBody();
// Request body bytes the origin received (POST rows): the check that bodies reach the backend.
let bodyBytesSeen = 0;
const origin = createServer((req, res) => {
  req.on('data', (d: Buffer) => (bodyBytesSeen += d.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const { config, routes: all } = buildRampartConfig({ port: 0, origin: originUrl });
const routes = ids.map((id) => {
  const r = all.find((x) => x.id === id);
  if (!r) throw new Error(`no bench route ${id} (have: ${all.map((x) => x.id).join(', ')})`);
  return r;
});
config.endpoints = [...new Set(routes.map((r) => r.endpoint))];
const dir = mkdtempSync(join(tmpdir(), 'route-cpu-'));
const file = join(dir, 'rampart.json');
writeFileSync(file, JSON.stringify(config));

const flags = values['node-flags'] ? values['node-flags'].split(' ') : [];
const free = createServer();
await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
const port = (free.address() as AddressInfo).port;
await new Promise<void>((r) => free.close(() => r()));
const gw = spawn(process.execPath, [...flags, 'bin/rampart', 'run', '-c', file, '--port', String(port), '--workers', '1'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, RAMPART_LOG_LEVEL: 'warn' },
});
let out = '';
gw.stderr.on('data', (d) => (out += d));
for (let i = 0; ; i++) {
  if (i > 150) throw new Error(`gateway did not start:\n${out}`);
  await new Promise((r) => setTimeout(r, 100));
  try {
    if ((await fetch(`http://127.0.0.1:${port}/__health`)).ok) break;
  } catch {
    /* not yet listening */
  }
}

/** The serving process: the gateway itself or, with a cluster, its only worker. */
function servingPid(): number {
  const kids = readFileSync(`/proc/${gw.pid}/task/${gw.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return kids.length > 0 ? Number(kids[0]) : (gw.pid as number);
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
/** Write and read system calls so far (a route that writes in more pieces shows here). */
function syscalls(pid: number): { w: number; r: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return { w: Number(/syscw: (\d+)/.exec(io)?.[1]), r: Number(/syscr: (\d+)/.exec(io)?.[1]) };
}
function cpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}

const statusSeen = new Map<number, number>();
const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 });
type Route = (typeof routes)[number];
const requestOf = (r: Route, body = r.body) => ({
  method: (r.method ?? 'GET') as 'GET',
  path: r.path,
  headers: body === undefined ? (r.headers ?? {}) : { ...r.headers, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body }),
});
async function drive(route: Route, n: number): Promise<number> {
  const req = requestOf(route);
  let next = 0;
  let bad = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const r = await pool.request(req);
      await r.body.dump();
      if (r.statusCode !== 200) {
        bad++;
        statusSeen.set(r.statusCode, (statusSeen.get(r.statusCode) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return bad;
}

const pid = servingPid();
// Sanity: a route with a request schema refuses its bad body (the body reaches the validator),
// and a body route's body reaches the origin whole, request after request.
for (const r of routes) {
  if (r.badBody !== undefined) {
    const x = await pool.request(requestOf(r, r.badBody));
    await x.body.dump();
    if (x.statusCode !== 400) throw new Error(`${r.id}: the bad body was answered ${x.statusCode}, not 400`);
  }
  if (r.body !== undefined) {
    const before = bodyBytesSeen;
    await drive(r, 10);
    const want = 10 * Buffer.byteLength(r.body);
    if (bodyBytesSeen - before !== want) throw new Error(`${r.id}: the origin received ${bodyBytesSeen - before} body bytes, expected ${want}`);
  }
}
for (const r of routes) await drive(r, Math.min(2000, requests)); // warm-up (JIT)
const cpu: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
const rps: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? routes : [...routes].reverse();
  for (const r of order) {
    const c0 = cpuUs(pid);
    const s0 = values.trace ? syscalls(pid) : { w: 0, r: 0 };
    const t0 = process.hrtime.bigint();
    const bad = await drive(r, requests);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (bad > 0) throw new Error(`${r.id}: ${bad} answers were not 200 (${JSON.stringify([...statusSeen])}); gateway log:\n${out.slice(-2000)}`);
    cpu[r.id].push((cpuUs(pid) - c0) / requests);
    rps[r.id].push(requests / s);
    if (values.trace) {
      const s1 = syscalls(pid);
      console.log(
        `round ${round} ${r.id.padEnd(14)} ${cpu[r.id].at(-1)?.toFixed(1).padStart(7)} µs/req ${(requests / s).toFixed(0).padStart(6)} req/s  rss ${rssMb(pid).toFixed(1)} MB` +
          `  writes/req ${((s1.w - s0.w) / requests).toFixed(2)}  reads/req ${((s1.r - s0.r) / requests).toFixed(2)}`,
      );
    }
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`${rounds} interleaved rounds x ${requests} requests, ${connections} connections, 1 worker; load average ${load}`);
console.log('route          CPU µs/req (median)  ratio to base (median of rounds)   req/s (median)  req/s ratio');
for (const id of ids) {
  const ratios = cpu[id].map((v, i) => v / cpu[values.base][i]);
  const rr = rps[id].map((v, i) => v / rps[values.base][i]);
  console.log(
    `${id.padEnd(14)} ${median(cpu[id]).toFixed(1).padStart(10)}          ${median(ratios).toFixed(3).padStart(6)}   [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]` +
      `        ${median(rps[id]).toFixed(0).padStart(6)}       ${median(rr).toFixed(3)}`,
  );
}
for (const pair of values.pair) {
  const [row, base] = pair.split(':');
  if (!cpu[row] || !cpu[base]) throw new Error(`--pair ${pair}: both routes must be in --routes`);
  const ratios = cpu[row].map((v, i) => v / cpu[base][i]);
  const rr = rps[row].map((v, i) => v / rps[base][i]);
  console.log(
    `${`${row} ÷ ${base}`.padEnd(26)} CPU ratio ${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]   req/s ratio ${median(rr).toFixed(3)}`,
  );
}
await pool.close();
gw.kill('SIGTERM');
origin.close();
