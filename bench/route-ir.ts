// Instructions per request of bench routes, counted by valgrind (callgrind) in the gateway's own
// process: user-space instructions of every thread (JS, JIT, GC, libuv; not the kernel), the same
// figure however loaded the machine is, where CPU time on a shared 2-core box varies ±50% from
// round to round. Each route runs in its own gateway (a main one for `--routes`, one per feature
// instance for `--instance`, as route-cpu.ts), under callgrind from its start; after a warm-up
// (JIT and caches settled) the counters are zeroed, `--requests` are driven, and the dump's total
// divided by them. Slow (valgrind runs the gateway ~50x slower), so few requests, one at a time
// per connection; instructions are no CPU time (a cache miss costs more than an add), so read the
// ratios next to route-cpu.ts's, not instead of them.
//
//   node --import tsx bench/route-ir.ts --routes plain --instance otel [--requests 2000] [--warmup 6000] [--rampart LAUNCHER]
// (`--rampart`: another build's bin/rampart, for a before/after count; see route-cpu.ts --before.)
// `--instance secure` mints 1 000 RS256 tokens, rotated per request. RAMPART_LOG_LEVEL (default
// warn) sets the gateway's log level, e.g. info to see why a backend call failed; any other level
// than warn costs instructions of its own. Runs of the same build differ by a few per cent (JIT
// and GC timing): compare builds over several runs.
// The endpoint timeout is raised to 60 s in every config (never reached by a direct answer; under
// valgrind on a loaded machine the bench's 5 s can be).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildRampartConfig, featureInstances, type BenchRoute } from './rampart-config.js';
import { originBody } from './lib/nginx.js';
import { mintBenchTokens } from '../test/auth/helpers/bench-tokens.js';
import { freePort, waitHealthy } from './lib/gateway-proc.js';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: 'plain' },
    instance: { type: 'string', default: '' },
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '6000' },
    connections: { type: 'string', default: '4' },
    rampart: { type: 'string', default: 'bin/rampart' },
  },
});
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const connections = Number(values.connections);

const body = originBody();
const origin = createServer((req, res) => {
  // The otel instance's OTLP/HTTP sink, as in route-cpu.ts.
  if (req.url?.startsWith('/v1/')) {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    return void res.end();
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;

const { config, routes: all } = buildRampartConfig({ port: 0, origin: originUrl });
const dir = mkdtempSync(join(tmpdir(), 'route-ir-'));

interface Target {
  id: string;
  route: BenchRoute;
  config: (port: number) => Record<string, unknown>;
  /** JWT routes (`tokensFile`): one of these per request, in turn, as the bench's wrk script. */
  tokens?: string[];
}
const targets: Target[] = [];
for (const id of values.routes ? values.routes.split(',') : []) {
  const r = all.find((x) => x.id === id);
  if (!r) throw new Error(`no bench route ${id} (have: ${all.map((x) => x.id).join(', ')})`);
  targets.push({ id, route: r, config: (port) => ({ ...config, port, endpoints: [r.endpoint] }) });
}
// The JWT instances (`secure`) get 1 000 freshly minted RS256 tokens, as in ab-cpu.ts.
const instanceIds = values.instance ? values.instance.split(',') : [];
const jwt = instanceIds.length > 0 ? await mintBenchTokens(1000, { dir }) : undefined;
const instances = featureInstances({
  origin: originUrl,
  jwt: jwt && { validator: jwt.validator, tokensPath: jwt.tokensPath, sampleToken: jwt.tokens[0]! },
});
for (const id of instanceIds) {
  const inst = instances.find((x) => x.id === id);
  if (!inst || inst.scheme !== 'http') throw new Error(`no http feature instance ${id} startable here (have: ${instances.map((x) => x.id).join(', ')})`);
  for (const r of inst.routes) targets.push({ id: r.id, route: r, config: (port) => inst.config(port), tokens: r.tokensFile ? jwt?.tokens : undefined });
}

let tokenAt = 0;
/** Drives `n` requests; with `tolerate`, non-200 answers are counted (returned) instead of fatal:
 * during the warm-up, first calls can exceed a time budget under valgrind (a Lua script's 100 ms
 * while its WASM functions are first compiled). */
async function drive(pool: Pool, t: Target, n: number, log: () => string, tolerate = false): Promise<number> {
  let next = 0;
  let failed = 0;
  const headers = t.route.headers ?? {};
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const h = t.tokens ? { ...headers, Authorization: `Bearer ${t.tokens[tokenAt++ % t.tokens.length]}` } : headers;
      const r = await pool.request({ method: 'GET', path: t.route.path, headers: h });
      if (r.statusCode === 200) {
        await r.body.dump();
        continue;
      }
      const body = (await r.body.text()).slice(0, 500);
      if (!tolerate) throw new Error(`${t.id}: status ${r.statusCode} ${JSON.stringify(r.headers)} ${body}; gateway log:\n${log().slice(-3000)}`);
      failed++;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return failed;
}

/** Instruction counts in the dumps written since `before` (one file per thread): the main
 * thread's (the event loop: JS, GC on the main thread, libuv) and every thread's (plus V8's
 * background compiler and GC helpers). */
function dumpedIr(prefix: string, before: Set<string>): { main: number; all: number } {
  let main = 0;
  let all = 0;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(prefix) || before.has(f)) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    const m = /^(?:summary|totals): (\d+)/m.exec(text);
    if (!m) continue;
    all += Number(m[1]);
    if (/^thread: 1$/m.test(text)) main += Number(m[1]);
  }
  return { main, all };
}

// Every gateway started is stopped when the bench exits, also after a throw (a gateway left
// running under valgrind would keep a core busy).
const spawned = new Set<ReturnType<typeof spawn>>();
process.on('exit', () => {
  for (const p of spawned) if (p.exitCode === null) p.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));

const results: { id: string; main: number; all: number }[] = [];
for (const t of targets) {
  const port = await freePort();
  const file = join(dir, `${t.id}.json`);
  writeFileSync(file, JSON.stringify({ ...t.config(port), timeout: '60s' }));
  const prefix = `cg.${t.id}`;
  const gw = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(dir, prefix)}.%p`,
      process.execPath,
      values.rampart,
      'run',
      '-c',
      file,
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RAMPART_LOG_LEVEL: process.env.RAMPART_LOG_LEVEL ?? 'warn' } },
  );
  spawned.add(gw);
  // Both streams: the gateway logs (warnings, a failed request's reason) go to stdout.
  let out = '';
  gw.stdout.on('data', (d) => (out += d));
  gw.stderr.on('data', (d) => (out += d));
  await waitHealthy(port, `${t.id} under valgrind`, () => out, 600, 500);
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 });
  const warmFailed = await drive(pool, t, warmup, () => out, true);
  if (warmFailed > 0) console.log(`${t.id}: ${warmFailed} of ${warmup} warm-up requests were not 200 (not counted)`);
  execFileSync('callgrind_control', ['-z', String(gw.pid)], { timeout: 120_000, stdio: 'ignore' });
  const before = new Set(readdirSync(dir));
  await drive(pool, t, requests, () => out);
  execFileSync('callgrind_control', ['-d', String(gw.pid)], { timeout: 120_000, stdio: 'ignore' });
  const ir = dumpedIr(prefix, before);
  results.push({ id: t.id, main: ir.main / requests, all: ir.all / requests });
  console.log(
    `${t.id}: ${(ir.main / requests).toFixed(0)} main-thread, ${(ir.all / requests).toFixed(0)} all-thread instructions/request (${requests} requests after ${warmup} warm-up)`,
  );
  await pool.close();
  gw.kill('SIGTERM');
  await new Promise((r) => gw.once('exit', r));
}
const base = results[0];
// The main thread's figure is the steadier one: background compilation still runs now and then.
console.log('route          main-thread instr/req  ratio to first   all threads  ratio');
for (const r of results)
  console.log(
    `${r.id.padEnd(14)} ${r.main.toFixed(0).padStart(12)}           ${(r.main / base.main).toFixed(3)}       ${r.all.toFixed(0).padStart(10)}  ${(r.all / base.all).toFixed(3)}`,
  );
console.log(`(dumps in ${dir})`);
origin.close();
