// Who pays for a route under wrk: CPU µs per request and % of a core of each process in the
// loop (wrk, the nginx origin's workers, the gateway), per route, interleaved rounds. Answers
// "is the gateway the bottleneck of this row, or the load generator / the origin?" — a row whose
// gateway is not the busiest process measures the harness, not the gateway.
//
//   node --import tsx bench/proc-split.ts --routes json,post,post+checks [--rounds 3] [--duration 3] [--connections 64]
//
// Same origin (nginx, bench/lib/nginx.ts), same wrk request script (wrkRequestScript) and same
// routes (rampart-config.ts) as `npm run bench`; one gateway process (1 worker).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildRampartConfig } from './rampart-config.js';
import { nginxArgs, originBody, writeOriginConf } from './lib/nginx.js';
import { parseWrk, wrkRequestScript } from './lib/load.js';
import { freePort } from './lib/gateway-proc.js';

const { values } = parseArgs({
  options: {
    routes: { type: 'string', default: 'json,post,post+checks' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
  },
});
const TICK_US = 1e6 / 100;
const dir = mkdtempSync(join(tmpdir(), 'proc-split-'));
const spawned: ReturnType<typeof spawn>[] = [];
process.on('exit', () => {
  for (const p of spawned) if (p.exitCode === null) p.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(1));

const originPort = await freePort();
const conf = writeOriginConf(join(dir, 'origin'), originPort, 1, originBody(500));
spawned.push(spawn('nginx', nginxArgs(join(dir, 'origin'), conf), { stdio: 'ignore' }));
const gwPort = await freePort();
const { config, routes } = buildRampartConfig({ port: gwPort, origin: `http://127.0.0.1:${originPort}` });
const chosen = values.routes.split(',').map((id) => {
  const r = routes.find((x) => x.id === id);
  if (!r) throw new Error(`no route ${id}`);
  return r;
});
const cfgFile = join(dir, 'rampart.json');
writeFileSync(cfgFile, JSON.stringify({ ...config, port: gwPort, endpoints: [...new Set(chosen.map((r) => r.endpoint))] }));
const gw = spawn(process.execPath, ['bin/rampart', 'run', '-c', cfgFile, '--port', String(gwPort), '--workers', '1'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, RAMPART_LOG_LEVEL: 'warn' },
});
spawned.push(gw);
for (let i = 0; ; i++) {
  if (i > 150) throw new Error('gateway did not start');
  await new Promise((r) => setTimeout(r, 100));
  try {
    if ((await fetch(`http://127.0.0.1:${gwPort}/__health`)).ok && (await fetch(`http://127.0.0.1:${originPort}/`)).ok) break;
  } catch {
    /* not yet */
  }
}
const kids = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
const gwPid = kids(gw.pid!).length ? kids(gw.pid!)[0]! : gw.pid!;
const nginxWorkers = kids(spawned[0]!.pid!);
/** Idle CPU of the machine so far, µs (all cores). */
const idleUs = (): number => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return ((f[3] ?? 0) + (f[4] ?? 0)) * TICK_US;
};
const cpu = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
};
const scripts = new Map(
  chosen.map((r) => {
    const p = join(dir, `wrk-${r.id.replace(/\W+/g, '_')}.lua`);
    writeFileSync(p, wrkRequestScript({ method: r.method, body: r.body }));
    return [r.id, p];
  }),
);
type Row = { rps: number; wrk: number; origin: number; gw: number; secs: number; idlePct: number };
const results = new Map<string, Row[]>(chosen.map((r) => [r.id, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  const order = round % 2 ? [...chosen].reverse() : chosen;
  for (const r of order) {
    const headers = { ...r.headers, ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
    const args = ['-t', values.threads, '-c', values.connections, '-d', `${values.duration}s`, '--latency', '-s', scripts.get(r.id)!];
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
    args.push(`http://127.0.0.1:${gwPort}${r.path}`);
    const t0 = process.hrtime.bigint();
    const i0 = idleUs();
    const g0 = cpu(gwPid);
    const o0 = nginxWorkers.reduce((a, p) => a + cpu(p), 0);
    // wrk's own CPU: bash's `times` prints its children's user and system time after wrk exits.
    const out = spawnSync('bash', ['-c', 'wrk "$@" ; times', 'wrk', ...args], { encoding: 'utf8', timeout: 60_000 });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const i1 = idleUs();
    const g1 = cpu(gwPid);
    const o1 = nginxWorkers.reduce((a, p) => a + cpu(p), 0);
    const res = parseWrk(out.stdout);
    const m = /\n(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out.stdout.trim());
    const wrkUs = m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1e6 : NaN;
    const n = res.total || res.rps * secs;
    results.get(r.id)!.push({ rps: res.rps, wrk: wrkUs / n, origin: (o1 - o0) / n, gw: (g1 - g0) / n, secs, idlePct: ((i1 - i0) / (secs * 1e6)) * 100 });
    const last = results.get(r.id)!.at(-1)!;
    console.log(
      `${r.id.padEnd(12)} ${res.rps.toFixed(0).padStart(6)} req/s  CPU µs/req: gateway ${last.gw.toFixed(1)} (${((last.gw * res.rps) / 1e4).toFixed(0)}% core), ` +
        `wrk ${last.wrk.toFixed(1)} (${((last.wrk * res.rps) / 1e4).toFixed(0)}%), nginx ${last.origin.toFixed(1)} (${((last.origin * res.rps) / 1e4).toFixed(0)}%)  ` +
        `machine idle ${last.idlePct.toFixed(0)}% of a core  errors ${res.errors} non2xx ${res.non2xx}`,
    );
  }
}
