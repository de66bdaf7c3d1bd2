// Soak and chaos run: the bundled gateway (dist/, default workers) for --minutes under a steady
// open-loop load against loopback backends that are healthy, slow, send garbage or truncated
// bodies, reset connections, send invalid chunked framing, or are killed and restarted; plus
// bursts of malformed requests on raw sockets. At the end, SIGTERM with requests in flight.
//
//   npm run soak -- --minutes 10 [--out soak-out/] [--rate 300]
//
// Writes OUT/soak-report.json and OUT/soak-plot.svg (RSS and healthy-route p99 over time).
// Method and the figures of a 10-minute run: RELIABILITY.md. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startBadChunked,
  startDelayed,
  startFlapping,
  startGarbage,
  startHealthy,
  startReset,
  startSlow,
  startTruncated,
  type Backend,
} from './soak/backends.js';
import { send, startLoad, type Outcome, type Route } from './soak/load.js';
import { burst, newMalformedStats } from './soak/malformed.js';
import { plotSvg } from './soak/plot.js';
import { childrenOf, rssBytes } from './soak/procs.js';
import { leastSquares, quantile, round } from './soak/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;

interface Options {
  minutes: number;
  out: string;
  rate: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { minutes: 10, out: 'soak-out', rate: 300 };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i] ?? '';
    switch (argv[i]) {
      case '--minutes':
        o.minutes = Number(v());
        break;
      case '--out':
        o.out = v();
        break;
      case '--rate':
        o.rate = Number(v());
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!(o.minutes > 0)) throw new Error('--minutes must be positive');
  if (!(o.rate > 0 && o.rate <= 2000)) throw new Error('--rate must be in 1..2000 (requests per second, total)');
  return o;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Routes of the load: path, share of the rate, backend, encoding. */
const ROUTES: (Route & { backend: string; noop?: boolean; timeout?: string; live: boolean })[] = [
  { name: 'healthy', path: '/healthy', weight: 40, backend: 'healthy', live: true },
  { name: 'healthy-noop', path: '/healthy-noop', weight: 6, backend: 'healthy', noop: true, live: true },
  { name: 'slow', path: '/slow', weight: 10, backend: 'slow', live: true },
  { name: 'garbage', path: '/garbage', weight: 7, backend: 'garbage', live: true },
  { name: 'truncated', path: '/truncated', weight: 6, backend: 'truncated', live: true },
  { name: 'truncated-noop', path: '/truncated-noop', weight: 4, backend: 'truncated', noop: true, live: true },
  { name: 'reset', path: '/reset', weight: 7, backend: 'reset', live: true },
  { name: 'bad-chunked', path: '/bad-chunked', weight: 6, backend: 'bad-chunked', live: true },
  { name: 'bad-chunked-noop', path: '/bad-chunked-noop', weight: 6, backend: 'bad-chunked', noop: true, live: true },
  { name: 'flapping', path: '/flapping', weight: 8, backend: 'flapping', live: false },
];

function gatewayConfig(origins: Record<string, string>): object {
  const endpoint = (r: (typeof ROUTES)[number]) => ({
    endpoint: r.path,
    ...(r.noop ? { output_encoding: 'no-op' } : {}),
    ...(r.timeout ? { timeout: r.timeout } : {}),
    backend: [{ host: [origins[r.backend]], url_pattern: '/', ...(r.noop ? { encoding: 'no-op' } : {}) }],
  });
  return {
    version: 3,
    name: 'rampart-soak',
    timeout: '1s',
    endpoints: [
      ...ROUTES.map(endpoint),
      { endpoint: '/drain', timeout: '5s', backend: [{ host: [origins.delayed], url_pattern: '/' }] },
      { endpoint: '/items/{id}', backend: [{ host: [origins.healthy], url_pattern: '/items/{id}' }] },
      // Target of the malformed POST bodies (bad chunking, overlong bodies): they are parsed.
      { endpoint: '/post', method: 'POST', backend: [{ host: [origins.healthy], url_pattern: '/', method: 'POST' }] },
    ],
  };
}

interface GatewayProc {
  pid: number;
  exited: Promise<{ code: number | null; signal: string | null }>;
  log: { workerExited: number; errors: number; lastErrors: string[]; lines: number };
}

function startGatewayProcess(configFile: string, port: number): Promise<GatewayProc> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'rampart'), 'run', '-c', configFile, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = { workerExited: 0, errors: 0, lastErrors: [] as string[], lines: 0 };
  let listening = 0;
  let ready: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  // Every line is read (a full pipe would block the gateway), only the notable ones are kept.
  const onLine = (line: string) => {
    log.lines++;
    if (line.includes('rampart listening') && ++listening === 1) ready();
    if (line.includes('worker exited')) log.workerExited++;
    if (/"level":(50|60)|^rampart:|Error/.test(line)) {
      log.errors++;
      log.lastErrors.push(line.slice(0, 500));
      if (log.lastErrors.length > 20) log.lastErrors.shift();
    }
  };
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return Promise.race([
    readyP.then(() => ({ pid: proc.pid!, exited, log })),
    exited.then((e) => Promise.reject(new Error(`gateway exited at start (${e.code ?? e.signal}): ${log.lastErrors.join('\n')}`))),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('gateway did not start in 20 s')), 20_000)),
  ]);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'rampart.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const minutesNow = () => (performance.now() - t0) / 60_000;

  const flapPort = await freePort();
  const [healthy, slow, delayed, garbage, truncated, reset, badChunked] = await Promise.all([
    startHealthy(),
    startSlow(),
    startDelayed(),
    startGarbage(),
    startTruncated(),
    startReset(),
    startBadChunked(),
  ]);
  // Killed every 45 s, back 5 s later: about 10% of the run down.
  const flapping = await startFlapping(flapPort, 45_000, 5_000, t0);
  const backends: Backend[] = [healthy, slow, delayed, garbage, truncated, reset, badChunked, flapping];
  const origins = Object.fromEntries(backends.map((b) => [b.name, b.origin]));
  const configFile = join(out, 'soak-config.json');
  writeFileSync(configFile, JSON.stringify(gatewayConfig(origins), null, 2) + '\n');

  const port = await freePort();
  const gw = await startGatewayProcess(configFile, port);
  const expectedWorkers = availableParallelism();
  // Wait for every worker, then check the healthy route answers before the clock starts.
  for (let i = 0; i < 100 && childrenOf(gw.pid).length < expectedWorkers; i++) await new Promise((r) => setTimeout(r, 100));
  const probe = await send(new Agent(), port, '/healthy');
  if (probe.status !== 200) throw new Error(`healthy route answered ${probe.status ?? probe.code} at start`);
  const initialWorkers = childrenOf(gw.pid);
  process.stdout.write(`soak: gateway pid ${gw.pid}, workers ${initialWorkers.join(' ')}, port ${port}, ${o.rate} req/s for ${o.minutes} min\n`);

  // Samplers: worker pids every second, RSS every 5 s, healthy latency windows every 10 s.
  const seenWorkers = new Set(initialWorkers);
  const workerExits: { pid: number; atMin: number }[] = [];
  let current = new Set(initialWorkers);
  let draining = false;
  const pidTimer = setInterval(() => {
    const now = new Set(childrenOf(gw.pid));
    if (!draining) for (const p of current) if (!now.has(p)) workerExits.push({ pid: p, atMin: round(minutesNow(), 3) });
    for (const p of now) seenWorkers.add(p);
    current = now;
  }, 1000);
  const rss: { t: number; mib: number; processes: number }[] = [];
  const sampleRss = () => {
    const pids = [gw.pid, ...current];
    rss.push({ t: round(minutesNow(), 3), mib: round(pids.reduce((a, p) => a + rssBytes(p), 0) / MiB, 2), processes: pids.length });
  };
  sampleRss();
  const rssTimer = setInterval(sampleRss, 5000);
  let windowLat: number[] = [];
  const p99: { t: number; p50: number; p99: number; n: number }[] = [];
  const allHealthy: number[] = [];
  const latTimer = setInterval(() => {
    p99.push({ t: round(minutesNow(), 3), p50: round(quantile(windowLat, 0.5)), p99: round(quantile(windowLat, 0.99)), n: windowLat.length });
    windowLat = [];
  }, 10_000);
  const onOutcome = (r: Route, out: Outcome) => {
    if (r.name === 'healthy' && out.kind === 'answered') {
      windowLat.push(out.ms);
      allHealthy.push(out.ms);
    }
  };

  const load = startLoad({ port, rate: o.rate, routes: ROUTES, maxInFlight: 4000, onOutcome });
  const malformed = newMalformedStats();
  let bursting: Promise<void> = Promise.resolve();
  const burstTimer = setInterval(() => (bursting = bursting.then(() => burst(port, 48, malformed))), 15_000);
  const progress = setInterval(() => {
    const s = [...load.stats.values()];
    process.stdout.write(
      `[${minutesNow().toFixed(1)} min] sent ${s.reduce((a, x) => a + x.sent, 0)}, lost ${s.reduce((a, x) => a + x.lost, 0)}, in flight ${load.inFlight()}, rss ${rss[rss.length - 1]?.mib} MiB, workers ${current.size}\n`,
    );
  }, 60_000);

  await new Promise((r) => setTimeout(r, o.minutes * 60_000));
  clearInterval(burstTimer);
  clearInterval(progress);
  await load.stop();
  await bursting;
  sampleRss();
  clearInterval(rssTimer);
  clearInterval(latTimer);

  // Drain. The requests go on connections the gateway has already accepted and served once
  // (keep-alive), to a route whose backend takes 400 ms; SIGTERM comes once the backend has seen
  // them arrive, i.e. while the gateway holds every one of them; no request is sent after it.
  // (Connections still in the kernel's accept queue at SIGTERM are another matter: closing the
  // listener resets them, in any server; RELIABILITY.md says so.)
  const DRAIN_N = 200;
  const drainAgent = new Agent({ keepAlive: true, maxSockets: DRAIN_N, timeout: 20_000 });
  await Promise.all(Array.from({ length: DRAIN_N }, () => send(drainAgent, port, '/healthy')));
  const pooled = Object.values(drainAgent.freeSockets).reduce((a, l) => a + (l?.length ?? 0), 0);
  const before = delayed.received!();
  let written = 0;
  const outcomes: Promise<Outcome>[] = [];
  const doneFlags: boolean[] = [];
  for (let i = 0; i < DRAIN_N; i++) {
    doneFlags.push(false);
    outcomes.push(send(drainAgent, port, '/drain', () => written++).then((x) => ((doneFlags[i] = true), x)));
  }
  for (let i = 0; i < 100 && delayed.received!() - before < DRAIN_N; i++) await new Promise((r) => setTimeout(r, 10));
  const reachedBackend = delayed.received!() - before;
  const inFlightIdx = doneFlags.map((d, i) => (d ? -1 : i)).filter((i) => i >= 0);
  draining = true;
  const sigtermAt = performance.now();
  process.kill(gw.pid, 'SIGTERM');
  const drained = await Promise.all(outcomes);
  const exit = await gw.exited;
  const drainMs = performance.now() - sigtermAt;
  drainAgent.destroy();
  clearInterval(pidTimer);
  for (const b of backends) await b.close();

  const inFlight = inFlightIdx.map((i) => drained[i]);
  const drain = {
    requests: DRAIN_N,
    pooledConnections: pooled,
    writtenBeforeSigterm: written,
    reachedBackendBeforeSigterm: reachedBackend,
    inFlightAtSigterm: inFlight.length,
    answered: inFlight.filter((x) => x.kind === 'answered').length,
    answered200: inFlight.filter((x) => x.kind === 'answered' && x.status === 200).length,
    lost: inFlight.filter((x) => x.kind !== 'answered').length,
    lostBy: Object.fromEntries(
      [...new Set(inFlight.filter((x) => x.kind !== 'answered').map((x) => x.code ?? x.kind))].map((c) => [
        c,
        inFlight.filter((x) => x.kind !== 'answered' && (x.code ?? x.kind) === c).length,
      ]),
    ),
    gatewayExit: exit,
    drainMs: Math.round(drainMs),
  };

  // Figures.
  const routes = Object.fromEntries([...load.stats].map(([name, s]) => [name, { ...s, live: ROUTES.find((r) => r.name === name)!.live }]));
  const sum = (f: (s: (typeof routes)[string]) => number, live?: boolean) =>
    Object.values(routes)
      .filter((s) => live === undefined || s.live === live)
      .reduce((a, s) => a + f(s), 0);
  const minutes = minutesNow();
  const pts = rss.map((s) => ({ x: s.t, y: s.mib }));
  const fit = leastSquares(pts);
  const warm = Math.min(1, o.minutes / 5);
  const fitWarm = leastSquares(pts.filter((p) => p.x >= warm));
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cores: availableParallelism(),
    minutes: round(o.minutes, 2),
    rateTotal: o.rate,
    config: 'soak-config.json',
    totals: {
      sent: sum((s) => s.sent),
      answered: sum((s) => s.answered),
      cut: sum((s) => s.cut),
      lost: sum((s) => s.lost),
      timeouts: sum((s) => s.timeouts),
      skipped: sum((s) => s.skipped),
      lostOnLiveBackends: sum((s) => s.lost + s.timeouts, true),
      lostOnFlappingBackend: sum((s) => s.lost + s.timeouts, false),
    },
    routes,
    flappingDowns: flapping.downs.map((d) => ({ atMin: round(d.at / 60_000, 3), backMin: d.back === undefined ? null : round(d.back / 60_000, 3) })),
    malformed,
    workers: { expected: expectedWorkers, initial: initialWorkers, seen: [...seenWorkers], crashes: workerExits, workerExitedLogLines: gw.log.workerExited },
    gatewayLog: { lines: gw.log.lines, errorLines: gw.log.errors, lastErrors: gw.log.lastErrors },
    rss: {
      samples: rss,
      startMiB: rss[0]?.mib,
      endMiB: rss[rss.length - 1]?.mib,
      maxMiB: Math.max(...rss.map((s) => s.mib)),
      slopeMiBPerMin: round(fit.slope, 3),
      slopeAfterWarmupMiBPerMin: round(fitWarm.slope, 3),
      warmupMinutes: warm,
    },
    healthyLatencyMs: { p50: round(quantile(allHealthy, 0.5)), p99: round(quantile(allHealthy, 0.99)), max: round(Math.max(...allHealthy)), windows: p99 },
    drain,
  };
  const verdict = {
    zeroLostOnLiveBackends: report.totals.lostOnLiveBackends === 0,
    zeroCrashes: workerExits.length === 0 && gw.log.workerExited === 0,
    // Judged after the warm-up (the first min(1, minutes/5) minutes, while the processes grow to
    // their working set under load): a leak is a slope that stays. The whole-run slope is
    // reported beside it.
    rssSlopeAfterWarmupUnder1MiBPerMin: fitWarm.slope < 1,
    zeroLostOnDrain: drain.lost === 0 && drain.inFlightAtSigterm > 0,
    malformedNever5xxOrHung: malformed.answered5xx === 0 && malformed.hung === 0,
  };
  const full = { ...report, verdict, elapsedMinutes: round(minutes, 2) };
  writeFileSync(join(out, 'soak-report.json'), JSON.stringify(full, null, 2) + '\n');
  const svg = plotSvg(`Rampart soak: ${o.minutes} min, ${o.rate} req/s, ${initialWorkers.length} workers (${new Date().toISOString().slice(0, 16)}Z)`, [
    {
      title: 'RSS, primary + workers',
      unit: 'MiB',
      color: '#1f77b4',
      points: pts,
      fit: { ...fitWarm, from: warm, label: `least squares after ${warm} min: ${round(fitWarm.slope, 3)} MiB/min (whole run: ${round(fit.slope, 3)})` },
    },
    { title: 'p99 latency of /healthy, 10 s windows', unit: 'ms', color: '#d62728', points: p99.map((w) => ({ x: w.t, y: w.p99 })) },
  ]);
  writeFileSync(join(out, 'soak-plot.svg'), svg);

  const lines = [
    `soak: ${round(minutes, 1)} min, ${report.totals.sent} requests sent, ${report.totals.answered} answered, ${report.totals.cut} cut, ${report.totals.lost} lost, ${report.totals.timeouts} timeouts`,
    ...Object.entries(routes).map(
      ([n, s]) =>
        `  ${n.padEnd(17)} sent ${String(s.sent).padStart(6)}  answered ${String(s.answered).padStart(6)}  cut ${String(s.cut).padStart(4)}  lost ${String(s.lost).padStart(4)}  timeouts ${s.timeouts}  ${JSON.stringify(s.byStatus)}`,
    ),
    `malformed: ${malformed.sent} sent, ${malformed.answered4xx} 4xx, ${malformed.answered5xx} 5xx, ${malformed.closedWithoutAnswer} closed, ${malformed.hung} hung, ${malformed.partialSent} partial`,
    `workers: ${workerExits.length} exits (${gw.log.workerExited} 'worker exited' log lines)`,
    `rss: ${report.rss.startMiB} -> ${report.rss.endMiB} MiB (max ${report.rss.maxMiB}), slope ${report.rss.slopeMiBPerMin} MiB/min (after ${warm} min: ${report.rss.slopeAfterWarmupMiBPerMin})`,
    `healthy latency: p50 ${report.healthyLatencyMs.p50} ms, p99 ${report.healthyLatencyMs.p99} ms`,
    `drain: ${drain.inFlightAtSigterm} in flight at SIGTERM (${drain.reachedBackendBeforeSigterm} at the backend), ${drain.answered} answered (${drain.answered200} x 200), ${drain.lost} lost; exit ${exit.code ?? exit.signal} after ${drain.drainMs} ms`,
    `verdict: ${JSON.stringify(verdict)}`,
    `wrote ${join(out, 'soak-report.json')} and ${join(out, 'soak-plot.svg')}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  process.exitCode = Object.values(verdict).every(Boolean) ? 0 : 1;
  if (!(fit.slope < 1)) process.stdout.write(`note: the whole-run RSS slope (${round(fit.slope, 3)} MiB/min) includes the warm-up\n`);
}

main().catch((err) => {
  process.stderr.write(`soak: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 2;
});
