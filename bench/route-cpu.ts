// Interleaved A/B of bench routes on one Rampart process, judged on the gateway's own CPU time
// per request (utime + stime from /proc, so load from other processes on a shared machine counts
// far less than in req/s) and, second, on req/s. Each round drives every route once, the order
// reversed every other round; the report gives each route's median and its ratio to a base route
// (the median of the per-round ratios). Quick to run (no nginx, no wrk): a Node origin serves
// `originBody()`, an undici pool drives a fixed number of requests per run.
//
//   node --import tsx bench/route-cpu.ts --routes plain,martian5 --base plain [--rounds 7] [--requests 4000] [--connections 16]
//        [--pair post+checks:post ...]   (more ratios: row ÷ its own base, median of the rounds)
//        [--trace]   (every round's CPU µs/req, RSS and system calls of the serving process)
//
// `--instance ID[,ID…]` adds feature instances (featureInstances() in rampart-config.ts: a feature
// that changes every route of a process, e.g. `otel`), each in its own gateway process; their routes
// join the interleaved rounds, each judged on its own process's CPU:
//   node --import tsx bench/route-cpu.ts --routes plain --instance otel --base plain
// (instances that need a JWT set-up, Redis or TLS files are not started here.)
//
// `--before LAUNCHER` (another build's bin/rampart, e.g. a copy of bin/, dist/ and package.json
// made before a change, with node_modules linked) runs every route a second time on that build, as
// `ID@before`, in the same interleaved rounds: a before/after comparison under the same load.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildRampartConfig, featureInstances, type BenchRoute } from './rampart-config.js';
import { originBody } from './lib/nginx.js';
import { freePort, servingPid, spawnGateway, waitHealthy } from './lib/gateway-proc.js';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: 'plain,martian5' },
    base: { type: 'string', default: 'plain' },
    rounds: { type: 'string', default: '7' },
    requests: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '16' },
    instance: { type: 'string', default: '' },
    before: { type: 'string', default: '' },
    'node-flags': { type: 'string', default: '' },
    // Node flags of the `--before` gateway only (after --node-flags): with `--before bin/rampart`,
    // an A/B of a V8 flag on the same build, e.g. --before-node-flags=--max-semi-space-size=8.
    'before-node-flags': { type: 'string', default: '' },
    // Extra ratios, each "row:base" (e.g. post+checks:post), judged like the base column.
    pair: { type: 'string', multiple: true, default: [] },
    // Prints every round's CPU µs/req and the serving process's RSS (a long run shows growth).
    trace: { type: 'boolean', default: false },
  },
});
const instanceIds = values.instance ? values.instance.split(',') : [];
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const connections = Number(values.connections);
const TICK_US = 1e6 / 100; // USER_HZ on Linux

const body = originBody();
// Request body bytes the origin received (POST rows): the check that bodies reach the backend.
let bodyBytesSeen = 0;
const origin = createServer((req, res) => {
  // The OTLP/HTTP sink of the otel instance, as the bench's nginx origin: an empty
  // Export*ServiceResponse, the request body discarded.
  if (req.url?.startsWith('/v1/')) {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    return void res.end();
  }
  req.on('data', (d: Buffer) => (bodyBytesSeen += d.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const { config, routes: all } = buildRampartConfig({ port: 0, origin: originUrl });
const mainIds = values.routes ? values.routes.split(',') : [];
const mainRoutes = mainIds.map((id) => {
  const r = all.find((x) => x.id === id);
  if (!r) throw new Error(`no bench route ${id} (have: ${all.map((x) => x.id).join(', ')})`);
  return r;
});
const instances = featureInstances({ origin: originUrl });
const chosen = instanceIds.map((id) => {
  const inst = instances.find((x) => x.id === id);
  if (!inst) throw new Error(`no feature instance ${id} startable here (have: ${instances.map((x) => x.id).join(', ')})`);
  if (inst.scheme !== 'http') throw new Error(`instance ${id}: only http instances are supported here`);
  return inst;
});
const dir = mkdtempSync(join(tmpdir(), 'route-cpu-'));
const flags = values['node-flags'] ? values['node-flags'].split(' ') : [];
const beforeFlags = values['before-node-flags'] ? values['before-node-flags'].split(' ') : [];

interface Gateway {
  label: string;
  port: number;
  proc: ReturnType<typeof spawn>;
  log: () => string;
  pid: number;
  pool: Pool;
}
async function startGateway(
  label: string,
  cfg: (port: number) => Record<string, unknown>,
  launcher = 'bin/rampart',
  extraFlags: string[] = [],
): Promise<Gateway> {
  const port = await freePort();
  const file = join(dir, `${label}.json`);
  writeFileSync(file, JSON.stringify(cfg(port)));
  const { proc, log } = spawnGateway(launcher, file, port, [...flags, ...extraFlags]);
  spawned.add(proc);
  await waitHealthy(port, label, log);
  const pid = servingPid(proc.pid as number);
  return { label, port, proc, log, pid, pool: new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 }) };
}
/** utime and stime of a process, µs. */
function cpuOf(pid: number): [number, number] {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return [Number(f[11]) * TICK_US, Number(f[12]) * TICK_US];
}

// Every gateway started is stopped when the bench exits, also after a throw (a gateway left
// running under valgrind would keep a core busy).
const spawned = new Set<ReturnType<typeof spawn>>();
process.on('exit', () => {
  for (const p of spawned) if (p.exitCode === null) p.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));

interface Target {
  id: string;
  route: BenchRoute;
  gw: Gateway;
}
const targets: Target[] = [];
const gateways: Gateway[] = [];
for (const [suffix, launcher] of values.before
  ? [
      ['', 'bin/rampart'],
      ['@before', values.before],
    ]
  : [['', 'bin/rampart']]) {
  if (mainRoutes.length) {
    const gw = await startGateway(
      `main${suffix}`,
      (port) => ({ ...config, port, endpoints: [...new Set(mainRoutes.map((r) => r.endpoint))] }),
      launcher,
      suffix ? beforeFlags : [],
    );
    gateways.push(gw);
    for (const r of mainRoutes) targets.push({ id: r.id + suffix, route: r, gw });
  }
  for (const inst of chosen) {
    const gw = await startGateway(inst.id + suffix, (port) => inst.config(port), launcher, suffix ? beforeFlags : []);
    gateways.push(gw);
    for (const r of inst.routes) {
      if (targets.some((t) => t.id === r.id + suffix)) throw new Error(`route id ${r.id} given twice`);
      targets.push({ id: r.id + suffix, route: r, gw });
    }
  }
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

const ids = targets.map((t) => t.id);
if (!ids.includes(values.base)) throw new Error(`base ${values.base} is none of ${ids.join(', ')}`);

const statusSeen = new Map<number, number>();
const requestOf = (r: BenchRoute, body = r.body) => ({
  method: (r.method ?? 'GET') as 'GET',
  path: r.path,
  headers: body === undefined ? (r.headers ?? {}) : { ...r.headers, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body }),
});
async function drive(t: Target, n: number): Promise<number> {
  const req = requestOf(t.route);
  let next = 0;
  let bad = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const r = await t.gw.pool.request(req);
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

// Sanity: a route with a request schema refuses its bad body (the body reaches the validator),
// and a body route's body reaches the origin whole, request after request.
for (const t of targets) {
  const r = t.route;
  if (r.badBody !== undefined) {
    const x = await t.gw.pool.request(requestOf(r, r.badBody));
    await x.body.dump();
    if (x.statusCode !== 400) throw new Error(`${t.id}: the bad body was answered ${x.statusCode}, not 400`);
  }
  if (r.body !== undefined) {
    const before = bodyBytesSeen;
    await drive(t, 10);
    const want = 10 * Buffer.byteLength(r.body);
    if (bodyBytesSeen - before !== want) throw new Error(`${t.id}: the origin received ${bodyBytesSeen - before} body bytes, expected ${want}`);
  }
}
for (const t of targets) await drive(t, Math.min(2000, requests)); // warm-up (JIT)
const cpu: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
const user: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
const rps: Record<string, number[]> = Object.fromEntries(ids.map((id) => [id, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? targets : [...targets].reverse();
  for (const r of order) {
    const [u0, s0] = cpuOf(r.gw.pid);
    const io0 = values.trace ? syscalls(r.gw.pid) : { w: 0, r: 0 };
    const t0 = process.hrtime.bigint();
    const bad = await drive(r, requests);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (bad > 0) throw new Error(`${r.id}: ${bad} answers were not 200 (${JSON.stringify([...statusSeen])}); gateway log:\n${r.gw.log().slice(-2000)}`);
    const [u1, s1] = cpuOf(r.gw.pid);
    cpu[r.id].push((u1 - u0 + s1 - s0) / requests);
    user[r.id].push((u1 - u0) / requests);
    rps[r.id].push(requests / s);
    if (values.trace) {
      const io1 = syscalls(r.gw.pid);
      console.log(
        `round ${round} ${r.id.padEnd(14)} ${cpu[r.id].at(-1)?.toFixed(1).padStart(7)} µs/req ${(requests / s).toFixed(0).padStart(6)} req/s  rss ${rssMb(r.gw.pid).toFixed(1)} MB` +
          `  writes/req ${((io1.w - io0.w) / requests).toFixed(2)}  reads/req ${((io1.r - io0.r) / requests).toFixed(2)}`,
      );
    }
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(
  `${rounds} interleaved rounds x ${requests} requests, ${connections} connections, 1 worker per gateway (${gateways.map((g) => g.label).join(', ')}); load average ${load}`,
);
console.log(
  'route          CPU µs/req (median)  ratio to base (median of rounds)   req/s (median)  req/s ratio   user µs/req  user ratio   CPU min  min ratio',
);
for (const id of ids) {
  const ratios = cpu[id].map((v, i) => v / cpu[values.base][i]);
  const rr = rps[id].map((v, i) => v / rps[values.base][i]);
  const min = Math.min(...cpu[id]);
  console.log(
    `${id.padEnd(14)} ${median(cpu[id]).toFixed(1).padStart(10)}          ${median(ratios).toFixed(3).padStart(6)}   [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]` +
      `        ${median(rps[id]).toFixed(0).padStart(6)}       ${median(rr).toFixed(3)}` +
      `       ${median(user[id]).toFixed(1).padStart(6)}       ${median(user[id].map((v, i) => v / user[values.base][i])).toFixed(3)}` +
      // The quietest round of each: on a shared machine noise only adds, so the minima are a
      // second estimate of what a route costs (each minimum from its own round).
      `    ${min.toFixed(1).padStart(6)}     ${(min / Math.min(...cpu[values.base])).toFixed(3)}`,
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
for (const g of gateways) {
  await g.pool.close();
  g.proc.kill('SIGTERM');
}
origin.close();
