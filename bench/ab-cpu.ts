// Interleaved A/B of two Rampart builds on the same routes, judged on each gateway's own CPU time
// per request (utime + stime from /proc): the way to see what a code change buys on a shared
// machine, where two runs of bench/route-cpu.ts minutes apart differ more than the change.
// Each round drives every route on both builds, the order of builds and routes alternating; the
// report gives each route's median CPU µs/req per build and the median of the per-round B/A
// ratios. A build is a directory with bin/rampart and a built dist/ (e.g. a `git archive` of the
// base commit, built with its node_modules linked).
//
//   node --import tsx bench/ab-cpu.ts --a /tmp/base --b . --routes json,merge [--instance secure] [--rounds 9] [--requests 4000]
//
// `--instance ID` adds a feature instance of rampart-config.ts (e.g. `secure`: JWT with 1 000
// tokens rotated per request, rate limit, CORS, security headers) as its own gateway per build.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildRampartConfig, featureInstances, type BenchRoute } from './rampart-config.js';
import { mintBenchTokens } from '../test/auth/helpers/bench-tokens.js';
import { originBody } from './lib/nginx.js';
import { freePort, servingPid, spawnGateway, waitHealthy } from './lib/gateway-proc.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string', default: '.' },
    routes: { type: 'string', default: 'json' },
    instance: { type: 'string', default: '' },
    rounds: { type: 'string', default: '9' },
    requests: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '16' },
    /** Node flags for both gateways, e.g. `--node-flags="--cpu-prof --cpu-prof-dir=/tmp/p"`. */
    'node-flags': { type: 'string', default: '' },
  },
});
if (!values.a) throw new Error('--a DIR (the base build) is required');
const routeIds = values.routes ? values.routes.split(',') : [];
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const connections = Number(values.connections);
const TICK_US = 1e6 / 100; // USER_HZ on Linux

const body = originBody();
const origin = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const { config, routes: all } = buildRampartConfig({ port: 0, origin: originUrl });
/** A set of routes served by one gateway per build: the main config, or a feature instance. */
interface Group {
  routes: BenchRoute[];
  config: (port: number) => Record<string, unknown>;
  tokens?: string[];
}
const groups: Group[] = [];
if (routeIds.length > 0) {
  const routes = routeIds.map((id) => {
    const r = all.find((x) => x.id === id);
    if (!r) throw new Error(`no bench route ${id} (have: ${all.map((x) => x.id).join(', ')})`);
    return r;
  });
  groups.push({ routes, config: (port) => ({ ...config, port, endpoints: [...new Set(routes.map((r) => r.endpoint))] }) });
}
if (values.instance) {
  const dir = mkdtempSync(join(tmpdir(), 'ab-cpu-jwt-'));
  const t = await mintBenchTokens(1000, { dir });
  const instances = featureInstances({ origin: originUrl, jwt: { validator: t.validator, tokensPath: t.tokensPath, sampleToken: t.tokens[0]! } });
  for (const id of values.instance.split(',')) {
    const inst = instances.find((x) => x.id === id);
    if (!inst || inst.scheme !== 'http') throw new Error(`no http feature instance ${id} (have: ${instances.map((x) => x.id).join(', ')})`);
    groups.push({ routes: inst.routes, config: (port) => inst.config(port), tokens: inst.routes.some((r) => r.tokensFile) ? t.tokens : undefined });
  }
}
const ids = groups.flatMap((g) => g.routes.map((r) => r.id));
const cfgDir = mkdtempSync(join(tmpdir(), 'ab-cpu-'));

interface Gw {
  name: string;
  group: Group;
  proc: ChildProcess;
  pid: number;
  pool: Pool;
}

async function start(name: string, dir: string, group: Group, gi: number): Promise<Gw> {
  const port = await freePort();
  const file = join(cfgDir, `${name}-${gi}.json`);
  writeFileSync(file, JSON.stringify(group.config(port)));
  const flags = values['node-flags'] ? values['node-flags'].split(' ') : [];
  const { proc, log } = spawnGateway(join(resolve(dir), 'bin/rampart'), file, port, flags);
  await waitHealthy(port, name, log);
  const pid = servingPid(proc.pid as number);
  return { name, group, proc, pid, pool: new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 }) };
}

function cpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}

let tokenAt = 0;
async function drive(gw: Gw, path: string, headers: Record<string, string>, n: number): Promise<void> {
  let next = 0;
  const tokens = gw.group.tokens;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      // Like the bench's wrk script: one of the tokens per request, in turn.
      const h = tokens ? { ...headers, Authorization: `Bearer ${tokens[tokenAt++ % tokens.length]}` } : headers;
      const r = await gw.pool.request({ method: 'GET', path, headers: h });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`${gw.name} ${path}: status ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

const gws: Gw[] = [];
for (const [gi, g] of groups.entries()) gws.push(await start('A', values.a, g, gi), await start('B', values.b, g, gi));
for (const g of gws) for (const r of g.group.routes) await drive(g, r.path, r.headers ?? {}, Math.min(3000, requests)); // warm-up (JIT)
const cpu: Record<string, number[]> = {};
for (const g of gws) for (const r of g.group.routes) cpu[`${g.name} ${r.id}`] = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? gws : [...gws].reverse();
  for (const g of order) {
    for (const r of round % 4 < 2 ? g.group.routes : [...g.group.routes].reverse()) {
      const c0 = cpuUs(g.pid);
      await drive(g, r.path, r.headers ?? {}, requests);
      cpu[`${g.name} ${r.id}`].push((cpuUs(g.pid) - c0) / requests);
    }
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`${rounds} interleaved rounds x ${requests} requests, ${connections} connections; load average ${load}`);
// The minimum over rounds is the figure least moved by other load (contention only adds CPU:
// cache misses, migrations); the median of per-round ratios is the paired comparison.
console.log('route          A CPU µs/req (median, min)   B CPU µs/req (median, min)   B/A (median of rounds) [range]   B/A of minima');
for (const id of ids) {
  const a = cpu[`A ${id}`];
  const b = cpu[`B ${id}`];
  const ratios = b.map((v, i) => v / a[i]);
  console.log(
    `${id.padEnd(14)} ${median(a).toFixed(1).padStart(10)} ${Math.min(...a)
      .toFixed(1)
      .padStart(6)}          ${median(b).toFixed(1).padStart(10)} ${Math.min(...b)
      .toFixed(1)
      .padStart(
        6,
      )}          ${median(ratios).toFixed(3).padStart(8)} [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]       ${(Math.min(...b) / Math.min(...a)).toFixed(3)}`,
  );
}
for (const g of gws) {
  await g.pool.close();
  g.proc.kill('SIGTERM');
}
origin.close();
