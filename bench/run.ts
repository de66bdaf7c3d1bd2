// Rampart benchmark harness: `npm run bench [-- options]`. See `--help` and BENCHMARKS.md.
//
// Starts an nginx origin and, side by side on 127.0.0.1, every candidate gateway in its own process
// (nginx reverse proxy, a minimal node:http+undici proxy, fast-gateway, Rampart), drives each with a real
// load generator (wrk at saturation, an open-loop generator at a fixed rate), interleaving candidates
// round by round, and reports medians over rounds. Every child runs in its own process group and is
// stopped on exit, on errors and on Ctrl-C; every step is bounded in time.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import ts from 'typescript';
import { mintBenchTokens } from '../test/auth/helpers/bench-tokens.js';
import { runAutocannon, runOpenloop, runWrk, wrkRequestScript, wrkTokenScript, type LoadResult, type LoadSpec } from './lib/load.js';
import { nginxArgs, originBody, writeOriginConf, writeProxyConf } from './lib/nginx.js';
import {
  childLogTail,
  cpuSnapshot,
  foreignCpuPct,
  killAllSync,
  liveChildren,
  rssSampler,
  runBounded,
  sleep,
  spawnTracked,
  stopAll,
  stopChild,
  tail,
  waitQuiet,
  type Child,
  CANDIDATE_ENV,
  pauseChild,
  resumeChild,
} from './lib/procs.js';
import { fmtMb, fmtMs, fmtPct, fmtRatio, fmtRps, mdTable, median, ratio } from './lib/report.js';
import { damonInfo, pauseDamon } from './lib/damon.js';
import { buildRampartConfig, featureInstances, LARGE_BYTES, type BenchRoute, type FeatureInput } from './rampart-config.js';
import { holdIdle, openFilesLimit, transfer, type IdleResult, type TransferResult } from './lib/large-idle.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const BUILD_DIR = join(BENCH_DIR, '.build');

const HELP = `Usage: npm run bench -- [options]

  --rounds N           rounds; every round runs every candidate once per scenario (default 5)
  --duration S         seconds per measured run (default 6)
  --warmup S           seconds of unrecorded saturation load per candidate before round 1 (default 3; 0 = none)
  --rate R             request rate of the fixed-rate scenario (default 5000)
  --connections C      connections for both scenarios (default 64)
  --threads T          wrk threads (default 2)
  --workers LIST       process counts for the multi-process candidates (default 1,2)
  --scenarios LIST     saturation,fixed (default both)
  --only LIST          only candidates whose name contains one of these substrings (origin always starts)
  --tool T             saturation load generator: auto|wrk|autocannon (default auto = wrk if installed)
  --rate-tool T        fixed-rate load generator: openloop|autocannon (default openloop)
  --origin-workers N   nginx origin worker_processes (default 1)
  --startup-trials N   Rampart spawn -> first 200 on /__health measurements per worker count (default 5)
  --quiet-threshold P  before each run, wait until all other processes (idle candidates included) use at most P% of the machine (default 10)
  --quiet-wait S       ... but wait at most S seconds per run, then run anyway (default 15; 0 = never wait)
  --no-isolate         leave idle candidates running during other candidates' runs (default: every
                       candidate but the one measured is paused with SIGSTOP, see BENCHMARKS.md)
  --max-minutes M      hard bound on the measuring phase (default: estimated time x1.5 + 5 min)
  --no-write           do not update BENCHMARKS.md (default: write it)
  --no-build           do not run \`npm run build\` before starting Rampart
  --no-setup           do not run bench/setup.sh (install nginx + wrk if missing)
  --keep-tmp           keep the temp dir (configs, logs)
  --node-flags F       extra node flags for every Node candidate (diagnostics, e.g. "--trace-gc"; their output
                       lands in the candidates' logs, see --keep-tmp)
  --pause-damon        switch the kernel's DAMON monitors (kdamond) off for the run, back on at exit
                       (they stop a CPU for ~4 ms twice a second here; see BENCHMARKS.md, Method)
  --pairs N            after the rounds, N A/B alternations of saturation runs for each gateway-core ratio
                       target (Rampart plain vs its peer; order flipped every time), judged on the median of
                       the N within-pair ratios (default 8; 0 = none)
  --pair-duration S    seconds per run in the A/B alternations (default 3)
  --large-runs N       after the rounds, N alternations of a 50 MiB no-op download and upload through the minimal
                       proxy and Rampart (one process each): MB/s and RSS (default 3; 0 = none)
  --idle-connections N after the rounds, N idle keep-alive connections held open on Rampart (one process): RSS and
                       CPU (default 10000; 0 = none; bounded by the open-files limit)
  --idle-hold S        seconds the idle connections are held (default 10)
  --timeline-dir D     fixed-rate runs with the C generator write every request's scheduled time and
                       latency to D/<round>-<candidate>.txt (to match slow requests to moments of a run)
`;

// ---------------------------------------------------------------------------------------------------
// Options

const { values: argv } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    // 5 rounds of 6 s rather than 3 of 10 s (same time): this 2-vCPU VM has slow phases that last
    // tens of seconds, and a median over 5 runs is decided by one slow run less often than over 3.
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
    workers: { type: 'string', default: '1,2' },
    scenarios: { type: 'string', default: 'saturation,fixed' },
    only: { type: 'string' },
    tool: { type: 'string', default: 'auto' },
    'rate-tool': { type: 'string', default: 'openloop' },
    'origin-workers': { type: 'string', default: '1' },
    'startup-trials': { type: 'string', default: '5' },
    'max-minutes': { type: 'string' },
    'quiet-threshold': { type: 'string', default: '10' },
    'quiet-wait': { type: 'string', default: '15' },
    isolate: { type: 'boolean', default: true },
    'no-isolate': { type: 'boolean', default: false },
    write: { type: 'boolean', default: true },
    'no-write': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-setup': { type: 'boolean', default: false },
    'keep-tmp': { type: 'boolean', default: false },
    'timeline-dir': { type: 'string' },
    'node-flags': { type: 'string' },
    'pause-damon': { type: 'boolean', default: false },
    pairs: { type: 'string', default: '8' },
    'pair-duration': { type: 'string', default: '3' },
    'large-runs': { type: 'string', default: '3' },
    'idle-connections': { type: 'string', default: '10000' },
    'idle-hold': { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function posInt(name: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min} (got ${v})`);
  return n;
}

const opts = {
  rounds: posInt('rounds', argv.rounds),
  duration: posInt('duration', argv.duration),
  warmup: posInt('warmup', argv.warmup, 0),
  rate: posInt('rate', argv.rate),
  connections: posInt('connections', argv.connections),
  threads: posInt('threads', argv.threads),
  workers: [...new Set((argv.workers ?? '1,2').split(',').map((w) => posInt('workers', w.trim())))],
  scenarios: (argv.scenarios ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  only: argv.only
    ? argv.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null,
  tool: argv.tool ?? 'auto',
  rateTool: argv['rate-tool'] ?? 'openloop',
  originWorkers: posInt('origin-workers', argv['origin-workers']),
  startupTrials: posInt('startup-trials', argv['startup-trials'], 0),
  maxMinutes: argv['max-minutes'] ? Number(argv['max-minutes']) : null,
  quietThreshold: posInt('quiet-threshold', argv['quiet-threshold'], 0),
  quietWait: posInt('quiet-wait', argv['quiet-wait'], 0),
  isolate: argv.isolate !== false && !argv['no-isolate'],
  write: argv.write !== false && !argv['no-write'],
  build: !argv['no-build'],
  setup: !argv['no-setup'],
  keepTmp: argv['keep-tmp'] === true,
  timelineDir: argv['timeline-dir'] ? resolve(argv['timeline-dir']) : null,
  nodeFlags: (argv['node-flags'] ?? '').split(/\s+/).filter(Boolean),
  pauseDamon: argv['pause-damon'] === true,
  pairs: posInt('pairs', argv.pairs, 0),
  pairDuration: posInt('pair-duration', argv['pair-duration']),
  largeRuns: posInt('large-runs', argv['large-runs'], 0),
  idleConnections: posInt('idle-connections', argv['idle-connections'], 0),
  idleHold: posInt('idle-hold', argv['idle-hold']),
};
for (const s of opts.scenarios) if (s !== 'saturation' && s !== 'fixed') throw new Error(`unknown scenario ${s}`);
if (!['auto', 'wrk', 'autocannon'].includes(opts.tool)) throw new Error(`--tool must be auto|wrk|autocannon`);
if (!['openloop', 'autocannon'].includes(opts.rateTool)) throw new Error(`--rate-tool must be openloop|autocannon`);
if (opts.timelineDir) mkdirSync(opts.timelineDir, { recursive: true });
/** Seconds a resumed candidate gets before its run (see "Isolation" in the report). */
const RESUME_SETTLE_S = 1.5;
const RESUME_SETTLE_NOTE = `${RESUME_SETTLE_S} s`;

// ---------------------------------------------------------------------------------------------------
// Types

interface Server {
  label: string;
  child: Child;
  port: number;
}

type Family = 'origin' | 'nginx' | 'nginx-tls' | 'minimal' | 'minimal-tls' | 'fast-gateway' | 'rampart';

interface Candidate {
  name: string;
  family: Family;
  /** Rampart route id ("plain", "json", ...); undefined for the other families. */
  route?: string;
  workers: number;
  url: string;
  headers: Record<string, string>;
  server: Server;
  note?: string;
  /** The Rampart route this row drives (correctness expectations, token rotation). */
  routeSpec?: BenchRoute;
  /** wrk Lua script (JWT rotation). */
  wrkScript?: string;
}

interface Scenario {
  id: 'saturation' | 'fixed';
  title: string;
  tool: string;
}

/** One A/B alternation of the pairs phase: both saturation runs, made one right after the other. */
interface PairRecord {
  row: string;
  peer: string;
  iteration: number;
  /** Which of the two ran first. */
  first: 'row' | 'peer';
  rowRps: number | null;
  peerRps: number | null;
  error?: string;
}

/** One transfer of the `large` measurement. */
interface LargeRecord {
  iteration: number;
  kind: 'download' | 'upload';
  candidate: string;
  result: TransferResult | null;
  error?: string;
}

interface RunRecord {
  round: number;
  scenario: Scenario['id'];
  candidate: string;
  result: LoadResult | null;
  rssKb: number | null;
  procs: number | null;
  /** CPU used by processes outside the bench during the run, % of the whole machine. */
  bgCpuPct: number | null;
  error?: string;
}

const log = (msg: string): void => void process.stdout.write(`${msg}\n`);
const warn = (msg: string): void => void process.stderr.write(`${msg}\n`);

// ---------------------------------------------------------------------------------------------------
// Cleanup on every exit path

let tmpDir = '';
let stopping = false;
/** Set while --pause-damon holds DAMON off: restores it (synchronous, idempotent). */
let restoreDamon: (() => void) | null = null;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stopAll(2000).catch(() => undefined);
    restoreDamon?.();
    if (tmpDir && !opts.keepTmp) rmSync(tmpDir, { recursive: true, force: true });
    else if (tmpDir) log(`temp dir kept: ${tmpDir}`);
  }
  process.exit(code);
}

function onSignal(signal: NodeJS.Signals, code: number): void {
  if (stopping) {
    killAllSync();
    process.exit(code);
  }
  warn(`\n${signal}: stopping ${liveChildren()} child process group(s)...`);
  void shutdown(code);
}
process.on('SIGINT', () => onSignal('SIGINT', 130));
process.on('SIGTERM', () => onSignal('SIGTERM', 143));
process.on('SIGHUP', () => onSignal('SIGHUP', 129));
process.on('exit', () => {
  killAllSync();
  restoreDamon?.();
});
process.on('uncaughtException', (err) => {
  warn(`bench: uncaught error: ${err.stack ?? String(err)}`);
  void shutdown(1);
});
process.on('unhandledRejection', (err) => {
  warn(`bench: unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  void shutdown(1);
});

// ---------------------------------------------------------------------------------------------------
// Helpers

const usedPorts = new Set<number>();
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => {
        if (usedPorts.has(port) || port === 0) freePort().then(res, rej);
        else {
          usedPorts.add(port);
          res(port);
        }
      });
    });
  });
}

interface Probe {
  status: number;
  body: string;
}

function probe(url: string, headers: Record<string, string> = {}, timeoutMs = 1000, send?: { method: string; body?: string }): Promise<Probe | null> {
  return new Promise((res) => {
    // https: the bench's own self-signed loopback certificate, so no verification.
    const request = url.startsWith('https:') ? https.request : http.request;
    const req = request(
      url,
      { method: send?.method ?? 'GET', agent: false, rejectUnauthorized: false, headers: { connection: 'close', ...headers }, timeout: timeoutMs },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        r.on('error', () => res(null));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(null));
    req.end(send?.body);
  });
}

/** A route's request as the load generators send it: the body's Content-Type among the headers,
 * and a wrk script for its method and body (and token rotation) when it has any. */
function routeRequest(r: BenchRoute): { headers: Record<string, string>; wrkScript?: string } {
  const headers = { ...r.headers, ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
  if (r.body === undefined && !r.method) return { headers, ...(r.tokensFile ? { wrkScript: join(tmpDir, 'jwt-rotate.lua') } : {}) };
  const path = join(tmpDir, `wrk-${r.id.replace(/[^\w+-]+/g, '_')}.lua`);
  writeFileSync(path, wrkRequestScript({ method: r.method, body: r.body, tokensPath: r.tokensFile }));
  if (r.body !== undefined) writeFileSync(join(tmpDir, `body-${r.id.replace(/[^\w+-]+/g, '_')}.json`), r.body);
  return { headers, wrkScript: path };
}
const bodyFileOf = (r: BenchRoute | undefined): string | undefined =>
  r?.body !== undefined ? join(tmpDir, `body-${r.id.replace(/[^\w+-]+/g, '_')}.json`) : undefined;

/** Polls url until it answers 200; returns ms since the child was spawned, or throws with the child's log. */
/** Waits until a TCP port accepts connections (redis-server). */
async function waitTcp(child: Child, port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exited) throw new Error(`exited (code ${child.exitCode ?? child.exitSignal})\n${indent(childLogTail(child))}`);
    const ok = await new Promise<boolean>((res) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        res(true);
      });
      sock.once('error', () => res(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listening on ${port} within ${timeoutMs} ms`);
}

async function waitReady(child: Child, url: string, timeoutMs: number, intervalMs = 10): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exited) {
      throw new Error(`exited (code ${child.exitCode ?? child.exitSignal}) before answering ${url}\n${indent(childLogTail(child))}`);
    }
    const r = await probe(url, {}, 500);
    if (r && r.status === 200) return performance.now() - child.spawnedAt;
    await sleep(intervalMs);
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs} ms\n${indent(childLogTail(child))}`);
}

function indent(s: string): string {
  return s
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Output of a short command (stdout, else stderr: `nginx -v` prints to stderr), trailing space trimmed. */
function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return ((r.stdout || r.stderr || '').replace(/\s+$/, '') || 'n/a').replace(/^\n+/, '');
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function machineInfo(): Record<string, string> {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(safeReadFile('/proc/cpuinfo'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    date: new Date().toISOString(),
    nproc: sh('nproc', []),
    cpu,
    'free -h': sh('free', ['-h']),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nginx: sh('nginx', ['-v']).replace(/^nginx version:\s*/, ''),
    wrk: hasCommand('wrk') ? (sh('wrk', ['-v']).split('\n')[0]?.split(' Copyright')[0] ?? 'n/a') : 'not installed',
    autocannon: readPkgVersion('autocannon'),
    'fast-gateway': readPkgVersion('fast-gateway'),
    undici: readPkgVersion('undici'),
    rampart: readPkgVersion('..'),
    commit: gitCommit(),
  };
}

/** Short HEAD commit, flagged when src/ has uncommitted changes (the bench then measured those). */
function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  if (head.status !== 0) return 'n/a';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? ' + uncommitted changes in src/' : ''}`;
}

function safeReadFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function readPkgVersion(name: string): string {
  const path = name === '..' ? join(ROOT, 'package.json') : join(ROOT, 'node_modules', name, 'package.json');
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'n/a';
  }
}

/**
 * Compiles bench/openloop.c (the fixed-rate generator) into bench/.build/openloop. Without a C
 * compiler the Node generator (bench/openloop.ts) is used instead, and the report says so.
 */
function buildOpenloop(): string | null {
  mkdirSync(BUILD_DIR, { recursive: true });
  const out = join(BUILD_DIR, 'openloop');
  const r = spawnSync('cc', ['-O2', '-o', out, join(BENCH_DIR, 'openloop.c')], { encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return out;
  warn(
    `cc failed to build bench/openloop.c, using bench/openloop.ts for the fixed rate (coarser: ~1 ms timer): ${(r.stderr || r.error?.message || '').slice(0, 300)}`,
  );
  return null;
}

/** The helper scripts run as plain JS (no tsx loader in the measured processes, so RSS is not inflated). */
function transpileHelpers(): Record<'minimalProxy' | 'minimalHttpsProxy' | 'fastGateway' | 'openloop', string> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const out = (name: string): string => {
    const src = readFileSync(join(BENCH_DIR, `${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, {
      fileName: `${name}.ts`,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    }).outputText;
    const path = join(BUILD_DIR, `${name}.mjs`);
    writeFileSync(path, js);
    return path;
  };
  return {
    minimalProxy: out('minimal-proxy'),
    minimalHttpsProxy: out('minimal-https-proxy'),
    fastGateway: out('fast-gateway'),
    openloop: out('openloop'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Main

interface StartupStat {
  workers: number;
  /** Set when measured with the inherited NODE_EXTRA_CA_CERTS (see CANDIDATE_ENV). */
  extraCaCerts?: string;
  samples: number[];
  error?: string;
}

async function main(): Promise<void> {
  if (argv.help) {
    log(HELP);
    return;
  }
  const started = Date.now();
  const commandLine = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  log(`rampart bench: ${commandLine}`);

  // 1. Tools.
  if (opts.setup && (!hasCommand('nginx') || !hasCommand('wrk'))) {
    log('installing nginx/wrk (bench/setup.sh)...');
    const r = await runBounded('setup', 'bash', [join(BENCH_DIR, 'setup.sh')], {
      logDir: os.tmpdir(),
      cwd: ROOT,
      timeoutMs: 15 * 60_000,
    });
    if (r.code !== 0) warn(`bench/setup.sh failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}):\n${indent(tail(r.stderr + r.stdout))}`);
  }
  if (!hasCommand('nginx')) throw new Error('nginx is not installed (run bench/setup.sh); it is the origin of every candidate');
  const wrkAvailable = hasCommand('wrk');
  const satTool = opts.tool === 'auto' ? (wrkAvailable ? 'wrk' : 'autocannon') : opts.tool;
  if (satTool === 'wrk' && !wrkAvailable) throw new Error('--tool wrk but wrk is not installed');
  const autocannonBin = join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');

  tmpDir = mkdtempSync(join(os.tmpdir(), 'rampart-bench-'));
  const logDir = join(tmpDir, 'logs');
  mkdirSync(logDir);
  const helpers = transpileHelpers();
  const openloopBinary = opts.rateTool === 'openloop' ? buildOpenloop() : null;
  const machine = machineInfo();
  const damon = damonInfo();
  machine.damon = damon.running.length ? damon.running.join('; ') : 'not running (or not visible)';
  if (opts.pauseDamon && damon.running.length) {
    const d = pauseDamon();
    restoreDamon = d.restore;
    machine.damon += ` — switched off for this run (--pause-damon), back on at exit`;
    log(`DAMON switched off for the run (${d.paused.length} kdamond(s)); it is switched back on at exit`);
  }

  const scenarios: Scenario[] = [];
  if (opts.scenarios.includes('saturation')) {
    scenarios.push({
      id: 'saturation',
      title: 'Saturation (closed loop)',
      tool:
        satTool === 'wrk'
          ? `wrk -t${opts.threads} -c${opts.connections} -d${opts.duration}s --latency`
          : `autocannon -c ${opts.connections} -d ${opts.duration}`,
    });
  }
  if (opts.scenarios.includes('fixed')) {
    scenarios.push({
      id: 'fixed',
      title: `Fixed rate ${opts.rate.toLocaleString('en-US')} req/s${opts.rateTool === 'openloop' ? ' (open loop)' : ''}`,
      tool:
        opts.rateTool === 'openloop'
          ? `${openloopBinary ? 'bench/openloop.c (https rows: bench/openloop.ts)' : 'bench/openloop.ts'} --rate ${opts.rate} --connections ${opts.connections} --duration ${opts.duration} (latency from scheduled send time)`
          : `autocannon -R ${opts.rate} -c ${opts.connections} -d ${opts.duration}`,
    });
  }
  const wanted = (name: string): boolean => !opts.only || opts.only.some((o) => name.includes(o));
  const skipped: { name: string; reason: string }[] = [];
  const skip = (name: string, reason: string): void => {
    skipped.push({ name, reason });
    warn(`SKIP ${name}: ${reason}`);
  };
  const candidates: Candidate[] = [];
  const body = originBody(500);

  async function startServer(label: string, cmd: string, args: string[], readyPath: string, timeoutMs = 20_000, port = 0, scheme = 'http'): Promise<Server> {
    // --node-flags (diagnostics, e.g. --trace-gc): in front of every Node candidate's script.
    const child = spawnTracked(label, cmd, cmd === process.execPath ? [...opts.nodeFlags, ...args] : args, { logDir, cwd: ROOT });
    try {
      const ms = await waitReady(child, `${scheme}://127.0.0.1:${port}${readyPath}`, timeoutMs);
      log(`  started ${label} (pid ${child.pid}, port ${port}) in ${ms.toFixed(0)} ms`);
    } catch (err) {
      await stopChild(child, 1000);
      throw err;
    }
    return { label, child, port };
  }

  // 2. Origin.
  log('starting candidates on 127.0.0.1...');
  const originPort = await freePort();
  const originDir = join(tmpDir, 'origin');
  // The `large` measurement's download: a file of LARGE_BYTES the origin serves as /large.
  const largeFile = join(tmpDir, 'large.bin');
  if (opts.largeRuns > 0) writeFileSync(largeFile, Buffer.alloc(LARGE_BYTES, 0x62));
  const originConf = writeOriginConf(originDir, originPort, opts.originWorkers, body, opts.largeRuns > 0 ? largeFile : undefined);
  const origin = await startServer('origin (nginx)', 'nginx', nginxArgs(originDir, originConf), '/', 10_000, originPort);
  const originUrl = `http://127.0.0.1:${originPort}`;
  if (wanted('origin')) {
    candidates.push({ name: 'origin (nginx, direct)', family: 'origin', workers: opts.originWorkers, url: `${originUrl}/plain`, headers: {}, server: origin });
  }

  // 2b. What the feature rows need: 1 000 RS256 tokens, a redis-server, a self-signed P-256 certificate.
  const features: FeatureInput = { origin: originUrl };
  let dummyAuthLen: number | undefined;
  try {
    const t = await mintBenchTokens(1000, { dir: tmpDir });
    features.jwt = { validator: t.validator, tokensPath: t.tokensPath, sampleToken: t.tokens[0]! };
    dummyAuthLen = t.tokens[0]!.length;
    writeFileSync(join(tmpDir, 'jwt-rotate.lua'), wrkTokenScript(t.tokensPath));
    log(`  minted ${t.tokens.length} RS256 tokens (${t.tokens[0]!.length} bytes each)`);
  } catch (err) {
    skip('rampart jwt', `minting tokens failed: ${(err as Error).message}`);
  }
  if (hasCommand('redis-server')) {
    try {
      const redisPort = await freePort();
      const child = spawnTracked('redis-server', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        logDir,
        cwd: tmpDir,
      });
      await waitTcp(child, redisPort, 10_000);
      features.redisAddress = `127.0.0.1:${redisPort}`;
      log(`  started redis-server (pid ${child.pid}, port ${redisPort})`);
    } catch (err) {
      skip('rampart ratelimit-redis', `redis-server did not start: ${(err as Error).message}`);
    }
  } else skip('rampart ratelimit-redis', 'redis-server is not installed');
  {
    const cert = join(tmpDir, 'tls-cert.pem');
    const key = join(tmpDir, 'tls-key.pem');
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    if (r.status === 0) features.tls = { cert, key };
    else skip('tls', `openssl failed: ${(r.stderr || r.error?.message || '').slice(0, 300)}`);
  }
  const instances = featureInstances(features);

  // 3. Rampart: build, version, startup time (measured first, while the machine is otherwise idle).
  // Any --only naming a rampart row ("rampart post", "rampart otel w1") starts the Rampart candidates.
  const rampartWanted =
    opts.workers.some((w) => wanted(`rampart plain w${w}`) || wanted(`rampart json w${w}`) || wanted('rampart')) ||
    (opts.only ?? []).some((o) => o.startsWith('rampart'));
  let rampartVersion: string | null = null;
  const startup: StartupStat[] = [];
  if (rampartWanted) {
    rampartVersion = await prepareRampart(logDir, skip);
  }
  const rampartArgs = (cfgPath: string, workers: number): string[] => [join(ROOT, 'bin', 'rampart'), 'run', '-c', cfgPath, '--workers', String(workers)];
  const writeRampartConfig = (port: number, file: string): { path: string; routes: BenchRoute[] } => {
    const { config, routes } = buildRampartConfig({ port, origin: originUrl, dummyAuthLen });
    const path = join(tmpDir, file);
    writeFileSync(path, JSON.stringify(config, null, 2));
    return { path, routes };
  };
  if (rampartVersion !== null && opts.startupTrials > 0) {
    log(`measuring Rampart startup (spawn -> first 200 on /__health), ${opts.startupTrials} trial(s) per worker count...`);
    // Without NODE_EXTRA_CA_CERTS (as every candidate runs), then, if this machine sets it, with it.
    const envs: { env: NodeJS.ProcessEnv; extraCaCerts?: string }[] = [{ env: CANDIDATE_ENV }];
    if (process.env.NODE_EXTRA_CA_CERTS) envs.push({ env: process.env, extraCaCerts: process.env.NODE_EXTRA_CA_CERTS });
    for (const { env, extraCaCerts } of envs) {
      for (const w of opts.workers) {
        const stat: StartupStat = { workers: w, samples: [], extraCaCerts };
        startup.push(stat);
        for (let i = 0; i < opts.startupTrials; i++) {
          const port = await freePort();
          const cfg = writeRampartConfig(port, `rampart-startup-w${w}-${i}.json`);
          const child = spawnTracked(`rampart-startup-w${w}`, process.execPath, rampartArgs(cfg.path, w), { logDir, cwd: ROOT, env });
          try {
            stat.samples.push(await waitReady(child, `http://127.0.0.1:${port}/__health`, 20_000, 5));
          } catch (err) {
            stat.error = (err as Error).message;
            break;
          } finally {
            await stopChild(child, 3000);
          }
        }
        const m = median(stat.samples);
        const how = extraCaCerts ? ` with NODE_EXTRA_CA_CERTS=${extraCaCerts}` : '';
        log(
          `  workers=${w}${how}: ${stat.samples.map((s) => s.toFixed(0)).join(', ')} ms${m !== null ? ` (median ${m.toFixed(0)} ms)` : ''}${stat.error ? ` — failed: ${stat.error.split('\n')[0]}` : ''}`,
        );
      }
    }
  }

  // 4. The other candidates, each in its own process (groups), one per worker count.
  for (const w of opts.workers) {
    const name = `nginx proxy w${w}`;
    if (!wanted(name)) continue;
    try {
      const port = await freePort();
      const dir = join(tmpDir, `nginx-proxy-w${w}`);
      const conf = writeProxyConf(dir, port, w, originPort);
      const s = await startServer(name, 'nginx', nginxArgs(dir, conf), '/plain', 10_000, port);
      candidates.push({ name, family: 'nginx', workers: w, url: `http://127.0.0.1:${port}/plain`, headers: {}, server: s });
    } catch (err) {
      skip(name, (err as Error).message);
    }
  }
  for (const w of opts.workers) {
    const name = `nginx tls w${w}`;
    if (!wanted(name) || !features.tls) continue;
    try {
      const port = await freePort();
      const dir = join(tmpDir, `nginx-tls-w${w}`);
      const conf = writeProxyConf(dir, port, w, originPort, features.tls);
      const s = await startServer(name, 'nginx', nginxArgs(dir, conf), '/plain', 10_000, port, 'https');
      candidates.push({ name, family: 'nginx-tls', workers: w, url: `https://127.0.0.1:${port}/plain`, headers: {}, server: s });
    } catch (err) {
      skip(name, (err as Error).message);
    }
  }
  for (const w of opts.workers) {
    const name = `minimal proxy w${w}`;
    if (!wanted(name)) continue;
    try {
      const port = await freePort();
      const s = await startServer(
        name,
        process.execPath,
        [helpers.minimalProxy, '--port', String(port), '--origin', originUrl, '--workers', String(w), '--connections', String(opts.connections)],
        '/plain',
        20_000,
        port,
      );
      candidates.push({ name, family: 'minimal', workers: w, url: `http://127.0.0.1:${port}/plain`, headers: {}, server: s });
    } catch (err) {
      skip(name, (err as Error).message);
    }
  }
  for (const w of opts.workers) {
    const name = `minimal tls w${w}`;
    if (!wanted(name) || !features.tls) continue;
    try {
      const port = await freePort();
      const s = await startServer(
        name,
        process.execPath,
        [
          helpers.minimalHttpsProxy,
          '--port',
          String(port),
          '--origin',
          originUrl,
          '--cert',
          features.tls.cert,
          '--key',
          features.tls.key,
          '--workers',
          String(w),
          '--connections',
          String(opts.connections),
        ],
        '/plain',
        20_000,
        port,
        'https',
      );
      candidates.push({ name, family: 'minimal-tls', workers: w, url: `https://127.0.0.1:${port}/plain`, headers: {}, server: s });
    } catch (err) {
      skip(name, (err as Error).message);
    }
  }
  {
    const name = 'fast-gateway w1';
    if (wanted(name)) {
      try {
        const port = await freePort();
        const s = await startServer(name, process.execPath, [helpers.fastGateway, '--port', String(port), '--origin', originUrl], '/plain', 20_000, port);
        candidates.push({ name, family: 'fast-gateway', workers: 1, url: `http://127.0.0.1:${port}/plain`, headers: {}, server: s });
      } catch (err) {
        skip(name, (err as Error).message);
      }
    }
  }
  if (rampartVersion !== null) {
    for (const w of opts.workers) {
      try {
        const port = await freePort();
        const cfg = writeRampartConfig(port, `rampart-w${w}.json`);
        const routes = cfg.routes.filter((r) => wanted(`rampart ${r.id} w${w}`));
        if (!routes.length) continue;
        const s = await startServer(`rampart w${w}`, process.execPath, rampartArgs(cfg.path, w), '/__health', 20_000, port);
        for (const r of routes) {
          candidates.push({
            name: `rampart ${r.id} w${w}`,
            family: 'rampart',
            route: r.id,
            workers: w,
            url: `http://127.0.0.1:${port}${r.path}`,
            ...routeRequest(r),
            server: s,
            routeSpec: r,
          });
        }
      } catch (err) {
        skip(`rampart w${w}`, (err as Error).message);
      }
      // Feature rows: one Rampart process per feature (its own config and port), same worker count.
      for (const inst of instances) {
        const routes = inst.routes.filter((r) => wanted(`rampart ${r.id} w${w}`));
        if (!routes.length) continue;
        try {
          const port = await freePort();
          const path = join(tmpDir, `rampart-${inst.id}-w${w}.json`);
          writeFileSync(path, JSON.stringify(inst.config(port), null, 2));
          const s = await startServer(`rampart ${inst.id} w${w}`, process.execPath, rampartArgs(path, w), '/__health', 20_000, port, inst.scheme);
          for (const r of routes) {
            candidates.push({
              name: `rampart ${r.id} w${w}`,
              family: 'rampart',
              route: r.id,
              workers: w,
              url: `${inst.scheme}://127.0.0.1:${port}${r.path}`,
              ...routeRequest(r),
              server: s,
              routeSpec: r,
            });
          }
        } catch (err) {
          for (const r of routes) skip(`rampart ${r.id} w${w}`, (err as Error).message);
        }
      }
    }
  }

  // 5. Correctness check: every candidate must answer 200 with the origin's body before it is measured.
  const originObj = JSON.parse(body) as unknown;
  for (const c of [...candidates]) {
    const expect = c.routeSpec?.expectStatus ?? 200;
    const spec = c.routeSpec;
    const send = spec?.method || spec?.body !== undefined ? { method: spec.method ?? 'GET', body: spec.body } : undefined;
    const r = await probe(c.url, c.headers, 3000, send);
    let problem: string | null = null;
    if (!r) problem = `no answer from ${c.url}`;
    else if (r.status !== expect) problem = `${c.url} answered ${r.status} (expected ${expect}): ${r.body.slice(0, 200)}`;
    else if (spec?.badBody !== undefined && (await probe(c.url, c.headers, 3000, { method: spec.method ?? 'POST', body: spec.badBody }))?.status !== 400) {
      // The route validates its body: a bad one must be refused, or bodies never reach the check.
      problem = `${c.url} did not answer 400 to the route's bad body (its request schema never saw the body)`;
    } else if (c.routeSpec?.checkBody !== false) {
      if (r.body !== body) {
        let same = false;
        try {
          same = isDeepStrictEqual(JSON.parse(r.body), originObj);
        } catch {
          /* not JSON */
        }
        if (!same) problem = `${c.url} body differs from the origin's: ${r.body.slice(0, 200)}`;
        else if (c.route !== 'json' && c.route !== 'jwt') c.note = 'body re-encoded (same JSON value, different bytes)';
      }
    }
    if (problem) {
      candidates.splice(candidates.indexOf(c), 1);
      skip(c.name, problem);
    }
  }
  if (!candidates.length) throw new Error('no candidate could be started');
  // Measure in an order where each headline comparison is made between runs next to each other in
  // time (see measurementOrder); the tables keep the candidates' natural order.
  const order = measurementOrder(candidates);
  log(`candidates, in measuring order: ${order.map((c) => c.name).join(', ')}`);

  // 6. Time bound for the whole measuring phase.
  const perRun = opts.duration + 2 + (opts.scenarios.includes('fixed') ? 1 : 0) + (opts.isolate ? RESUME_SETTLE_S : 0);
  const pairTargets = scenarios.some((sc) => sc.id === 'saturation')
    ? CORE_RATIO_TARGETS.filter((t) => candidates.some((c) => c.name === t.row) && candidates.some((c) => c.name === t.vs))
    : [];
  const perPairRun = opts.pairDuration + 2 + (opts.isolate ? RESUME_SETTLE_S : 0);
  const estimateSec =
    candidates.length * (opts.warmup + 1) + opts.rounds * scenarios.length * candidates.length * perRun + pairTargets.length * opts.pairs * 2 * perPairRun;
  const worstQuietSec = opts.rounds * scenarios.length * candidates.length * opts.quietWait;
  const maxMs = (opts.maxMinutes ?? (estimateSec * 1.5 + worstQuietSec + 300) / 60) * 60_000;
  const deadline = Date.now() + maxMs;
  log(`estimated measuring time ${Math.ceil(estimateSec / 60)} min (hard bound ${Math.ceil(maxMs / 60_000)} min)`);

  const loadSpec = (c: Candidate, durationSec: number): LoadSpec => ({
    url: c.url,
    durationSec,
    connections: opts.connections,
    threads: opts.threads,
    headers: c.headers,
    logDir,
    cwd: ROOT,
    wrkScript: c.wrkScript,
    tokensFile: c.routeSpec?.tokensFile,
    method: c.routeSpec?.method,
    body: c.routeSpec?.body,
    bodyFile: bodyFileOf(c.routeSpec),
  });
  const saturate = (c: Candidate, durationSec: number): Promise<LoadResult> =>
    satTool === 'wrk' ? runWrk(loadSpec(c, durationSec)) : runAutocannon({ ...loadSpec(c, durationSec), autocannonBin });

  // Isolation: while one candidate is measured, every other candidate's process tree is paused
  // (SIGSTOP). An idle Node process is not idle: ~40 s after a load ends, V8's memory reducer runs
  // full GCs (measured here: 30-70 ms of CPU in bursts), and timers fire; with some 30 candidate
  // processes on 2 cores, one of them landed in almost every other candidate's run, as 5-15 ms
  // stalls (seen in --timeline-dir traces as bursts of slow requests). The origin (shared by all)
  // and redis-server are never paused. A resumed candidate first gets `RESUME_SETTLE_MS` to run
  // what came due while it was paused (timers, the origin closing idle keep-alive connections).
  const RESUME_SETTLE_MS = RESUME_SETTLE_S * 1000;
  const servers = [...new Set(candidates.filter((c) => c.family !== 'origin').map((c) => c.server))];
  let focused: Server | null | undefined; // undefined: nothing paused yet
  const focus = async (c: Candidate): Promise<void> => {
    if (!opts.isolate || focused === c.server) return;
    const target = c.family === 'origin' ? null : c.server;
    for (const s of servers) if (s !== target) pauseChild(s.child);
    if (target) resumeChild(target.child);
    focused = c.server;
    if (target) await sleep(RESUME_SETTLE_MS);
  };
  const resumeAll = (): void => {
    for (const s of servers) resumeChild(s.child);
    focused = undefined;
  };

  // 7. Warm-up (JIT, connection pools), not recorded.
  if (opts.warmup > 0) {
    log(`warm-up: ${opts.warmup}s of saturation per candidate (not recorded)`);
    for (const c of order) {
      await focus(c);
      try {
        await saturate(c, opts.warmup);
      } catch (err) {
        warn(`  warm-up of ${c.name} failed: ${(err as Error).message.split('\n')[0]}`);
      }
      await sleep(300);
    }
  }

  // 8. Rounds: A B C ... A B C ..., every scenario in every round.
  const records: RunRecord[] = [];
  let aborted: string | null = null;
  outer: for (let round = 1; round <= opts.rounds; round++) {
    for (const scen of scenarios) {
      for (const c of order) {
        if (Date.now() > deadline) {
          aborted = `hard time bound reached in round ${round}; results are partial`;
          warn(aborted);
          break outer;
        }
        const rec: RunRecord = { round, scenario: scen.id, candidate: c.name, result: null, rssKb: null, procs: null, bgCpuPct: null };
        if (c.server.child.exited) {
          rec.error = `process exited (code ${c.server.child.exitCode ?? c.server.child.exitSignal})`;
        } else {
          await focus(c);
          if (opts.quietWait > 0) {
            const q = await waitQuiet(opts.quietThreshold, opts.quietWait * 1000);
            if (q.waitedMs > 1000) log(`  (waited ${(q.waitedMs / 1000).toFixed(1)} s for other processes to calm down; last reading ${fmtPct(q.pct)})`);
          }
          const sampler = rssSampler(c.server.child.pid);
          const cpu0 = cpuSnapshot();
          try {
            if (scen.id === 'saturation') rec.result = await saturate(c, opts.duration);
            else if (opts.rateTool === 'openloop') {
              const timeline = opts.timelineDir ? join(opts.timelineDir, `${round}-${c.name.replace(/[^\w.+-]+/g, '_')}.txt`) : undefined;
              rec.result = await runOpenloop({ ...loadSpec(c, opts.duration), script: helpers.openloop, binary: openloopBinary, rate: opts.rate, timeline });
            } else rec.result = await runAutocannon({ ...loadSpec(c, opts.duration), autocannonBin, rate: opts.rate });
          } catch (err) {
            rec.error = (err as Error).message.split('\n')[0];
          }
          rec.bgCpuPct = foreignCpuPct(cpu0, cpuSnapshot());
          const rss = sampler.stop();
          rec.rssKb = rss.peakKb || null;
          rec.procs = rss.procs || null;
        }
        records.push(rec);
        const r = rec.result;
        log(
          `[round ${round}/${opts.rounds} ${scen.id}] ${c.name.padEnd(24)} ` +
            (r
              ? `${fmtRps(r.rps).padStart(8)} req/s  p50 ${fmtMs(r.p50Ms).padStart(6)} ms  p99 ${fmtMs(r.p99Ms).padStart(6)} ms  rss ${fmtMb(rec.rssKb)} MB  bg cpu ${fmtPct(rec.bgCpuPct)}` +
                (r.errors || r.non2xx ? `  errors ${r.errors} non-2xx ${r.non2xx}` : '')
              : `FAILED: ${rec.error}`),
        );
        if (opts.quietWait === 0) await sleep(500);
      }
    }
  }

  // 9. A/B alternations for the gateway-core ratio targets: row and peer one right after the other,
  // the order flipped every time, so that a slow phase of the machine (which lasts seconds to tens
  // of seconds here) mostly lands on both runs of a pair, and neither side always goes first.
  const pairs: PairRecord[] = [];
  if (!aborted && opts.pairs > 0 && pairTargets.length) {
    log(`A/B alternations: ${opts.pairs} per target, ${opts.pairDuration}s saturation runs`);
    const byName = new Map(candidates.map((c) => [c.name, c]));
    const measure = async (c: Candidate): Promise<number | null> => {
      if (c.server.child.exited) throw new Error(`${c.name}: process exited`);
      await focus(c);
      if (opts.quietWait > 0) await waitQuiet(opts.quietThreshold, opts.quietWait * 1000);
      const r = await saturate(c, opts.pairDuration);
      return r.rps;
    };
    pairsLoop: for (const t of pairTargets) {
      const row = byName.get(t.row)!;
      const peer = byName.get(t.vs)!;
      for (let i = 1; i <= opts.pairs; i++) {
        if (Date.now() > deadline) {
          aborted = `hard time bound reached in the A/B alternations; results are partial`;
          warn(aborted);
          break pairsLoop;
        }
        const first = i % 2 === 1 ? 'peer' : 'row';
        const rec: PairRecord = { row: t.row, peer: t.vs, iteration: i, first, rowRps: null, peerRps: null };
        try {
          if (first === 'peer') {
            rec.peerRps = await measure(peer);
            rec.rowRps = await measure(row);
          } else {
            rec.rowRps = await measure(row);
            rec.peerRps = await measure(peer);
          }
        } catch (err) {
          rec.error = (err as Error).message.split('\n')[0];
        }
        pairs.push(rec);
        const q = ratio(rec.rowRps, rec.peerRps);
        log(`[pair ${i}/${opts.pairs}] ${t.row} ÷ ${t.vs}: ${fmtRps(rec.rowRps)} / ${fmtRps(rec.peerRps)} = ${q === null ? (rec.error ?? '–') : q.toFixed(2)}`);
      }
    }
  }

  // 9b. Large bodies and idle connections (issue #20), one process each, candidates focused as above.
  const large: LargeRecord[] = [];
  let idle: IdleResult | null = null;
  let idleError: string | null = null;
  {
    const byName = new Map(candidates.map((c) => [c.name, c]));
    const minimal = byName.get('minimal proxy w1');
    const rampart = byName.get('rampart plain w1');
    const base = (c: Candidate): string => c.url.replace(/\/plain$/, '');
    // Idle first: the large transfers leave the heap grown for a while.
    if (!aborted && opts.idleConnections > 0 && rampart && Date.now() < deadline) {
      // Each connection is one descriptor here and one in the candidate (which inherits our limit).
      const limit = openFilesLimit();
      const n = Math.min(opts.idleConnections, limit - 200);
      await focus(rampart);
      log(`idle: ${n} keep-alive connections held ${opts.idleHold} s on rampart plain w1 (open-files limit ${limit})`);
      try {
        idle = await holdIdle(rampart.server.port, '/plain', rampart.server.child.pid, n, opts.idleHold);
        log(`  held ${idle.held}/${idle.wanted}: RSS ${fmtMb(idle.rssBeforeKb)} -> ${fmtMb(idle.rssHeldKb)} MB, CPU ${idle.cpuPct.toFixed(1)}% of a core`);
      } catch (err) {
        idleError = (err as Error).message.split('\n')[0];
        warn(`  idle failed: ${idleError}`);
      }
    }
    if (!aborted && opts.largeRuns > 0 && minimal && rampart) {
      log(`large bodies: ${opts.largeRuns} alternation(s) of a ${LARGE_BYTES / 1024 / 1024} MiB download and upload, minimal proxy w1 and rampart plain w1`);
      for (let i = 1; i <= opts.largeRuns && Date.now() < deadline; i++) {
        for (const kind of ['download', 'upload'] as const) {
          const order = i % 2 === 1 ? [minimal, rampart] : [rampart, minimal];
          for (const c of order) {
            await focus(c);
            const rec: LargeRecord = { iteration: i, kind, candidate: c.name, result: null };
            try {
              rec.result = await transfer(`${base(c)}/${kind === 'download' ? 'large' : 'upload'}`, c.server.child.pid, kind, LARGE_BYTES);
            } catch (err) {
              rec.error = (err as Error).message.split('\n')[0];
            }
            large.push(rec);
            const r = rec.result;
            log(
              `[large ${i}/${opts.largeRuns} ${kind}] ${c.name.padEnd(20)} ${r ? `${r.mbPerS.toFixed(0)} MB/s, RSS ${fmtMb(r.startRssKb)} -> peak ${fmtMb(r.peakRssKb)} MB` : `FAILED: ${rec.error}`}`,
            );
          }
        }
      }
    }
  }

  // 10. Stop everything before reporting.
  resumeAll();
  await stopAll(3000);

  const report = buildReport({
    openloopNative: openloopBinary !== null,
    commandLine,
    machine,
    scenarios,
    candidates,
    records,
    pairs,
    large,
    idle,
    idleError,
    skipped,
    startup,
    rampartVersion,
    aborted,
    elapsedSec: (Date.now() - started) / 1000,
  });
  log(`\n${report.terminal}`);
  if (opts.write) {
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), withHandWritten(report.markdown, join(ROOT, 'BENCHMARKS.md')));
    log(`\nwrote BENCHMARKS.md`);
  }
}

/** Builds Rampart (unless --no-build) and checks `rampart --version`; returns the version or null (skipped). */
async function prepareRampart(logDir: string, skip: (name: string, reason: string) => void): Promise<string | null> {
  if (opts.build) {
    log('building Rampart (npm run build)...');
    const r = await runBounded('npm-build', 'npm', ['run', 'build'], { logDir, cwd: ROOT, timeoutMs: 240_000 });
    if (r.code !== 0) {
      skip(
        'rampart',
        `\`npm run build\` failed (${r.timedOut ? 'timeout' : `exit ${r.code ?? r.signal}`}; pass --no-build to bench the existing dist/):\n${indent(tail(r.stdout + r.stderr, 10))}`,
      );
      return null;
    }
  }
  const v = await runBounded('rampart-version', process.execPath, [join(ROOT, 'bin', 'rampart'), '--version'], { logDir, cwd: ROOT, timeoutMs: 15_000 });
  if (v.code !== 0) {
    skip('rampart', `\`rampart --version\` failed (${v.timedOut ? 'timeout' : `exit ${v.code ?? v.signal}`}):\n${indent(tail(v.stderr + v.stdout, 10))}`);
    return null;
  }
  return v.stdout.trim().split('\n')[0] ?? 'unknown';
}

/**
 * The order candidates are measured in within a round. This 2-vCPU VM has slow phases, 10-20 s
 * long, in which every candidate measured loses 20-35% of its throughput at once (run I, rounds 2
 * and 4: the minimal proxy at 7,846 and 9,064 req/s against ~12,000 in the other rounds). A ratio
 * between two runs far apart in a round compares two different machines; two runs next to each
 * other mostly share the same one (measured 2026-11-23: with Rampart measured right after the
 * minimal proxy, the per-round ratio stayed within 0.93-1.01 over 6 rounds while the raw figures
 * ranged 8,700-14,000). So each process count's minimal proxy is followed by Rampart plain and,
 * for one process, fast-gateway; the other Rampart rows come after. Everything else keeps its place.
 */
function measurementOrder(candidates: Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  const take = (c: Candidate | undefined): void => {
    if (c && !out.includes(c)) out.push(c);
  };
  for (const c of candidates) if (c.family !== 'minimal' && c.family !== 'fast-gateway' && c.family !== 'rampart') take(c);
  const workers = [...new Set(candidates.map((c) => c.workers))].sort((a, b) => a - b);
  for (const w of workers) {
    take(candidates.find((c) => c.family === 'minimal' && c.workers === w));
    take(candidates.find((c) => c.family === 'rampart' && c.route === 'plain' && c.workers === w));
    if (w === 1) take(candidates.find((c) => c.family === 'fast-gateway'));
    for (const c of candidates) if (c.family === 'rampart' && c.workers === w) take(c);
  }
  for (const c of candidates) take(c);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Report

type Metric = 'rps' | 'p99';

/**
 * Row ÷ peer, round by round (both measured in the same round), and the median of those ratios:
 * how ratios are judged here. A ratio of two medians can pair a row's fast round with its peer's
 * slow one; a per-round ratio compares runs made under the same machine conditions.
 */
function pairedRatio(
  records: RunRecord[],
  scenario: string,
  row: string,
  peer: string,
  metric: Metric,
): { median: number | null; perRound: (number | null)[] } {
  const value = (r: RunRecord | undefined): number | null => (r?.result ? (metric === 'rps' ? r.result.rps : r.result.p99Ms) : null);
  const rounds = [...new Set(records.map((r) => r.round))].sort((a, b) => a - b);
  const perRound = rounds.map((round) => {
    const a = value(records.find((r) => r.round === round && r.scenario === scenario && r.candidate === row));
    const b = value(records.find((r) => r.round === round && r.scenario === scenario && r.candidate === peer));
    return ratio(a, b);
  });
  return { median: median(perRound.filter((x): x is number => x !== null)), perRound };
}

/** The gateway-core targets (issue #2), judged on one bench run. */
const CORE_RATIO_TARGETS: { row: string; vs: string; min: number }[] = [
  { row: 'rampart plain w1', vs: 'minimal proxy w1', min: 0.85 },
  { row: 'rampart plain w2', vs: 'minimal proxy w2', min: 0.85 },
  { row: 'rampart plain w1', vs: 'fast-gateway w1', min: 1.5 },
];
const CORE_P99_MAX_MS = 2;
const CORE_STARTUP_MAX_MS = 300;

/** Feature rows and their baselines ("N" = worker count); `min` = target on the saturation req/s ratio. */
const FEATURE_TARGETS: { row: string; vs: string; min?: number }[] = [
  { row: 'rampart jwt wN', vs: 'rampart plain wN', min: 0.85 },
  { row: 'rampart jwt wN', vs: 'rampart plain+hdr wN' },
  { row: 'rampart plain+hdr wN', vs: 'rampart plain wN' },
  // Issue #20: the routes users run, against the Node ceiling (the minimal proxy makes one call).
  { row: 'rampart json wN', vs: 'minimal proxy wN', min: 0.95 },
  { row: 'rampart secure wN', vs: 'minimal proxy wN', min: 0.9 },
  { row: 'rampart merge wN', vs: 'minimal proxy wN', min: 0.65 },
  { row: 'rampart tls wN', vs: 'minimal tls wN', min: 0.9 },
  { row: 'minimal tls wN', vs: 'minimal proxy wN' },
  { row: 'rampart secure wN', vs: 'rampart json wN' },
  { row: 'rampart json wN', vs: 'rampart plain wN' },
  // Issue #16: a route with checks at most 15% (masking 20%) dearer than the same route without.
  { row: 'rampart json+cel wN', vs: 'rampart json wN', min: 0.85 },
  { row: 'rampart json+mask wN', vs: 'rampart json wN', min: 0.8 },
  // Issue #16 item 7 as written: a POST route with a request schema and three CEL checks, against
  // the same route without them (same body, backend and encoding).
  { row: 'rampart post+checks wN', vs: 'rampart post wN', min: 0.85 },
  // Issue #17: five martian header/query modifiers at most 10% dearer than the same route without
  // them; a Lua `pre` and `post` at most 30% (1 / 1.3 = 0.77).
  { row: 'rampart martian5 wN', vs: 'rampart plain wN', min: 0.9 },
  { row: 'rampart json+lua wN', vs: 'rampart json wN', min: 0.77 },
  { row: 'rampart headers wN', vs: 'rampart plain wN', min: 0.9 },
  { row: 'rampart ratelimit-mem wN', vs: 'rampart plain wN', min: 0.9 },
  { row: 'rampart ratelimit-redis wN', vs: 'rampart plain wN', min: 0.6 },
  { row: 'rampart telemetry wN', vs: 'rampart plain wN', min: 0.85 },
  { row: 'rampart otel wN', vs: 'rampart plain wN', min: 0.85 },
  { row: 'rampart otel+conn wN', vs: 'rampart otel wN' },
  { row: 'rampart tls wN', vs: 'rampart plain wN' },
  { row: 'rampart tls wN', vs: 'nginx tls wN' },
  { row: 'nginx tls wN', vs: 'nginx proxy wN' },
];

interface Agg {
  rps: number | null;
  p50: number | null;
  p99: number | null;
  /** Median over rounds of the generator's own p99 lateness (fixed rate, C generator). */
  genLag: number | null;
  rssKb: number | null;
  procs: number | null;
  bgCpu: number | null;
  errors: number;
  non2xx: number;
  runs: number;
  failed: number;
}

function aggregate(records: RunRecord[], scenario: string, candidate: string): Agg {
  const rs = records.filter((r) => r.scenario === scenario && r.candidate === candidate);
  const ok = rs.filter((r) => r.result);
  const num = (f: (r: RunRecord) => number | null | undefined): number[] => ok.map(f).filter((x): x is number => typeof x === 'number');
  return {
    rps: median(num((r) => r.result?.rps)),
    p50: median(num((r) => r.result?.p50Ms)),
    p99: median(num((r) => r.result?.p99Ms)),
    genLag: median(num((r) => r.result?.genLagP99Ms)),
    rssKb: median(num((r) => r.rssKb)),
    procs: ok.length ? Math.max(...num((r) => r.procs)) : null,
    bgCpu: median(num((r) => r.bgCpuPct)),
    errors: ok.reduce((a, r) => a + (r.result?.errors ?? 0), 0),
    non2xx: ok.reduce((a, r) => a + (r.result?.non2xx ?? 0), 0),
    runs: ok.length,
    failed: rs.length - ok.length,
  };
}

/**
 * The gateway-core targets (issue #2) as measured in this run. Ratio targets are judged on the A/B
 * alternations when they ran (more pairs, each made of two runs back to back, order balanced), else
 * on the within-round ratios; both are shown, with the ratio of the medians for comparison.
 */
function coreTargetsSection(records: RunRecord[], pairs: PairRecord[], candidates: Candidate[], scenarios: Scenario[], startup: StartupStat[]): string {
  const names = new Set(candidates.map((c) => c.name));
  const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'yes' : 'NO');
  const list = (xs: (number | null)[]): string => xs.map((x) => (x === null ? '–' : x.toFixed(2))).join(' ');
  const rows: string[][] = [];
  if (scenarios.some((s) => s.id === 'saturation')) {
    for (const t of CORE_RATIO_TARGETS) {
      const measured = names.has(t.row) && names.has(t.vs);
      const p = pairedRatio(records, 'saturation', t.row, t.vs, 'rps');
      const ab = pairs.filter((x) => x.row === t.row && x.peer === t.vs).map((x) => ratio(x.rowRps, x.peerRps));
      const abMedian = median(ab.filter((x): x is number => x !== null));
      const judged = abMedian ?? p.median;
      const a = aggregate(records, 'saturation', t.row);
      const b = aggregate(records, 'saturation', t.vs);
      rows.push([
        `${t.row} ÷ ${t.vs}, saturation req/s`,
        `≥ ${t.min.toFixed(2)}×`,
        measured && judged !== null ? `${fmtRatio(judged)} (${abMedian !== null ? 'A/B' : 'rounds'})` : '–',
        measured && ab.length ? `${fmtRatio(abMedian)}: ${list(ab)}` : '–',
        measured ? `${fmtRatio(p.median)}: ${list(p.perRound)}` : '–',
        measured ? `${fmtRatio(ratio(a.rps, b.rps))} (${fmtRps(a.rps)} / ${fmtRps(b.rps)})` : '–',
        verdict(measured && judged !== null ? judged >= t.min : null),
      ]);
    }
  }
  if (scenarios.some((s) => s.id === 'fixed')) {
    for (const c of candidates.filter((c) => c.family === 'rampart' && c.route === 'plain')) {
      const values = records.filter((r) => r.scenario === 'fixed' && r.candidate === c.name).map((r) => r.result?.p99Ms ?? null);
      const m = aggregate(records, 'fixed', c.name).p99;
      rows.push([
        `${c.name} p99 at the fixed rate`,
        `≤ ${CORE_P99_MAX_MS} ms`,
        m === null ? '–' : `${fmtMs(m)} ms`,
        '',
        `${values.map((v) => fmtMs(v)).join(' ')} (ms)`,
        '',
        verdict(m === null ? null : m <= CORE_P99_MAX_MS),
      ]);
    }
  }
  for (const st of startup.filter((s) => !s.extraCaCerts)) {
    const m = median(st.samples);
    rows.push([
      `rampart --workers ${st.workers} start-up`,
      `< ${CORE_STARTUP_MAX_MS} ms`,
      m === null ? '–' : `${fmtMs(m)} ms`,
      '',
      `trials: ${st.samples.map((v) => fmtMs(v)).join(' ')} (ms)`,
      '',
      verdict(m === null ? null : m < CORE_STARTUP_MAX_MS),
    ]);
  }
  return (
    `### Gateway-core targets\n\nThe targets of the gateway-core issue, from this run. Ratio targets are judged on the *A/B* alternations ` +
    `(two saturation runs back to back, the order flipped every time; the median of the within-pair ratios, every pair listed in order; odd-numbered pairs ran the peer first), ` +
    `or, where none ran, on the *rounds* (the median of the within-round ratios, every round listed); *ratio of medians* for comparison only. ` +
    `p99: the median over rounds (every round listed). Start-up: the median of the trials (without NODE_EXTRA_CA_CERTS, as every candidate runs).\n\n` +
    mdTable(['Target', 'Bound', 'Measured', 'A/B pairs', 'Rounds', 'Ratio of medians', 'Met'], rows, ['l', 'r', 'r', 'l', 'l', 'r', 'l'])
  );
}

/** RSS growth during a transfer that still counts as "constant memory": a quarter of the body (a
 * buffered body would add at least the whole body). */
const LARGE_RSS_GROWTH_MAX = 0.25;
const LARGE_MIN_RATIO = 0.9;
const IDLE_RSS_MAX_MB = 150;

/** Issue #20's `large` and `idle` measurements, with their targets. */
function largeIdleSection(large: LargeRecord[], idle: IdleResult | null, idleError: string | null): string {
  const parts: string[] = [];
  if (large.length) {
    const rows: string[][] = [];
    for (const kind of ['download', 'upload'] as const) {
      const of = (c: string) => large.filter((r) => r.kind === kind && r.candidate === c && r.result).map((r) => r.result as TransferResult);
      const m = of('minimal proxy w1');
      const r = of('rampart plain w1');
      const mb = (xs: TransferResult[]) => median(xs.map((x) => x.mbPerS));
      const growth = (xs: TransferResult[]) => median(xs.map((x) => x.peakRssKb - x.startRssKb));
      // The verdict is on each run's own growth (peak − start within the run); the start RSS climbs
      // from run to run, so "median start → median peak" alone would suggest growth that no run had.
      const rssCell = (xs: TransferResult[]) => {
        const d = growth(xs);
        return `+${fmtMb(d)} (${fmtMb(median(xs.map((x) => x.startRssKb)))} → ${fmtMb(median(xs.map((x) => x.peakRssKb)))})`;
      };
      const q = ratio(mb(r), mb(m));
      const g = growth(r);
      const constant = g === null ? null : g * 1024 < LARGE_RSS_GROWTH_MAX * LARGE_BYTES;
      const failed = large.filter((x) => x.kind === kind && !x.result).length;
      rows.push([
        `${LARGE_BYTES / 1024 / 1024} MiB ${kind}`,
        mb(m) === null ? '–' : (mb(m) as number).toFixed(0),
        mb(r) === null ? '–' : (mb(r) as number).toFixed(0),
        fmtRatio(q),
        rssCell(m),
        rssCell(r),
        `≥ ${LARGE_MIN_RATIO.toFixed(2)}×, growth < ${(LARGE_RSS_GROWTH_MAX * LARGE_BYTES) / 1024 / 1024} MB`,
        q === null || constant === null ? 'not measured' : q >= LARGE_MIN_RATIO && constant ? 'yes' : 'NO',
        `${r.length + m.length}${failed ? ` (+${failed} failed: ${large.find((x) => x.kind === kind && !x.result)?.error ?? ''})` : ''}`,
      ]);
    }
    parts.push(
      `One request at a time through a no-op route (\`/large\` → the origin's static file; \`POST /upload\` → the origin, which reads and drops the body), ` +
        `minimal proxy w1 and rampart plain w1 alternating (order flipped every time), the others paused. MB/s = MiB moved ÷ seconds from request to the end of the answer; ` +
        `RSS = the median of each run's growth (the candidate's peak VmRSS during the transfer, sampled every 50 ms, minus its VmRSS just before), which the target judges; in brackets the median start → the median peak over the runs.\n\n` +
        mdTable(['Transfer', 'Minimal MB/s', 'Rampart MB/s', 'Ratio', 'Minimal RSS growth MB', 'Rampart RSS growth MB', 'Target', 'Met', 'Runs'], rows, [
          'l',
          'r',
          'r',
          'r',
          'r',
          'r',
          'l',
          'l',
          'l',
        ]),
    );
  }
  if (idle || idleError) {
    if (idle) {
      const perConn = idle.held > 0 ? (((idle.rssHeldKb - idle.rssBeforeKb) * 1024) / idle.held / 1024).toFixed(1) : '–';
      const rssMb = idle.rssHeldKb / 1024;
      parts.push(
        `Idle keep-alive connections on rampart plain w1: each sends one \`GET /plain\`, reads its answer and stays open (opened 250 at a time); ` +
          `RSS sampled every 500 ms while they are held, CPU = the process's utime+stime over the hold. Open-files limit of the harness (inherited by the candidate): ${idle.nofile}.\n\n` +
          mdTable(
            ['Connections held', 'RSS before MB', 'RSS held MB', 'KiB per connection', 'CPU while held', 'Target', 'Met'],
            [
              [
                `${idle.held} / ${idle.wanted}`,
                fmtMb(idle.rssBeforeKb),
                fmtMb(idle.rssHeldKb),
                perConn,
                `${idle.cpuPct.toFixed(1)}% of a core`,
                `${idle.wanted} held, RSS ≤ ${IDLE_RSS_MAX_MB} MB`,
                idle.held === idle.wanted && rssMb <= IDLE_RSS_MAX_MB ? 'yes' : 'NO',
              ],
            ],
            ['r', 'r', 'r', 'r', 'r', 'l', 'l'],
          ),
      );
    } else parts.push(`Idle connections: failed (${idleError}).`);
  }
  if (!parts.length)
    return `### Large bodies and idle connections\n\nNot measured in this run (\`--large-runs 0\`, \`--idle-connections 0\`, or a candidate missing).`;
  return `### Large bodies and idle connections\n\n${parts.join('\n\n')}`;
}

const HAND_START = '<!-- hand-written: kept by bench/run.ts when it rewrites this file -->';
const HAND_END = '<!-- end of hand-written -->';

/** The generated report plus the hand-written section of the file it replaces (kept verbatim). */
function withHandWritten(markdown: string, path: string): string {
  let old: string;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    return markdown;
  }
  const a = old.indexOf(HAND_START);
  const b = old.indexOf(HAND_END);
  if (a < 0 || b < a) return markdown;
  return `${markdown.trimEnd()}\n\n${old.slice(a, b + HAND_END.length)}\n`;
}

function buildReport(input: {
  commandLine: string;
  machine: Record<string, string>;
  scenarios: Scenario[];
  candidates: Candidate[];
  records: RunRecord[];
  pairs: PairRecord[];
  large: LargeRecord[];
  idle: IdleResult | null;
  idleError: string | null;
  skipped: { name: string; reason: string }[];
  startup: StartupStat[];
  rampartVersion: string | null;
  aborted: string | null;
  elapsedSec: number;
  /** The C fixed-rate generator was built (else the Node one ran everywhere). */
  openloopNative: boolean;
}): { terminal: string; markdown: string } {
  const { scenarios, candidates, records, openloopNative } = input;
  const sections: string[] = [];

  for (const scen of scenarios) {
    // The fixed-rate table also shows how late the generator itself was (its share of p99).
    const lagCol = scen.id === 'fixed' && candidates.some((c) => aggregate(records, scen.id, c.name).genLag !== null);
    const rows = candidates.map((c) => {
      const a = aggregate(records, scen.id, c.name);
      return [
        c.name,
        a.procs === null ? '–' : String(a.procs),
        fmtRps(a.rps),
        fmtMs(a.p50),
        fmtMs(a.p99),
        ...(lagCol ? [fmtMs(a.genLag)] : []),
        fmtMb(a.rssKb),
        String(a.errors),
        String(a.non2xx),
        fmtPct(a.bgCpu),
        `${a.runs}${a.failed ? ` (+${a.failed} failed)` : ''}`,
      ];
    });
    const head = ['Candidate', 'Procs', 'Req/s', 'p50 ms', 'p99 ms', ...(lagCol ? ['Gen lag p99 ms'] : []), 'RSS MB', 'Errors', 'Non-2xx', 'Bg CPU', 'Runs'];
    sections.push(
      `### ${scen.title}\n\nLoad: \`${scen.tool}\`. Medians over rounds; RSS is the peak sampled during the run, summed over the process tree; Bg CPU is the CPU other processes on the machine used during the run (% of all cores; above ~5% the row is noisy).` +
        (lagCol
          ? ` *Gen lag p99*: how late the generator itself noticed requests that were due (already included in p99; – where the Node generator ran).`
          : '') +
        `\n\n` +
        mdTable(
          head,
          rows,
          head.map((_, i) => (i === 0 ? 'l' : 'r')),
        ),
    );
  }

  // Ratios: Rampart vs the minimal proxy (same process count), fast-gateway (single process) and nginx (same workers).
  const rampartRows = candidates.filter((c) => c.family === 'rampart');
  if (rampartRows.length) {
    const find = (family: Family, workers: number): Candidate | undefined => candidates.find((c) => c.family === family && c.workers === workers);
    const rows: string[][] = [];
    for (const scen of scenarios) {
      for (const c of rampartRows) {
        const a = aggregate(records, scen.id, c.name);
        const cell = (peer: Candidate | undefined): string => {
          if (!peer) return '–';
          const b = aggregate(records, scen.id, peer.name);
          const rps = pairedRatio(records, scen.id, c.name, peer.name, 'rps').median;
          const p99 = pairedRatio(records, scen.id, c.name, peer.name, 'p99').median;
          return `${fmtRatio(rps)} req/s, ${fmtRatio(p99)} p99, ${fmtRatio(ratio(a.rssKb, b.rssKb))} RSS`;
        };
        rows.push([
          scen.id,
          c.name,
          cell(find('minimal', c.workers)),
          c.workers === 1 ? cell(find('fast-gateway', 1)) : 'n/a (peer is 1 process)',
          cell(find('nginx', c.workers)),
        ]);
      }
    }
    sections.push(
      `### Rampart ratios\n\nRampart ÷ peer (req/s: higher is better; p99 and RSS: lower is better). Req/s and p99: the median over rounds of the ratio within each round (both runs made in the same round); RSS: ratio of the medians.\n\n` +
        mdTable(['Scenario', 'Rampart', 'vs minimal proxy (same procs)', 'vs fast-gateway', 'vs nginx proxy (same workers)'], rows),
    );
  } else {
    sections.push(`### Rampart ratios\n\nRampart was not measured in this run (see "Skipped").`);
  }

  // Feature rows vs their baseline in the same run and the same worker count (targets on saturation req/s).
  {
    const byName = new Map(candidates.map((c) => [c.name, c]));
    const workers = [...new Set(candidates.map((c) => c.workers))].sort();
    const rows: string[][] = [];
    const hasSat = scenarios.some((sc) => sc.id === 'saturation');
    const hasFixed = scenarios.some((sc) => sc.id === 'fixed');
    for (const w of workers) {
      for (const t of FEATURE_TARGETS) {
        const rowName = t.row.replace('N', String(w));
        const peerName = t.vs.replace('N', String(w));
        if (!byName.has(rowName) && !byName.has(peerName)) continue;
        const sat = aggregate(records, 'saturation', rowName);
        const satPeer = aggregate(records, 'saturation', peerName);
        const both = byName.has(rowName) && byName.has(peerName);
        const r = both ? pairedRatio(records, 'saturation', rowName, peerName, 'rps').median : null;
        const met = t.min === undefined ? '(info)' : r === null ? 'not measured' : r >= t.min ? 'yes' : 'NO';
        rows.push([
          rowName,
          peerName,
          hasSat ? `${fmtRps(sat.rps)} / ${fmtRps(satPeer.rps)}` : '–',
          hasSat ? fmtRatio(r) : '–',
          hasSat && both ? fmtRatio(pairedRatio(records, 'saturation', rowName, peerName, 'p99').median) : '–',
          hasFixed && both ? fmtRatio(pairedRatio(records, 'fixed', rowName, peerName, 'p99').median) : '–',
          t.min === undefined ? '–' : `≥ ${t.min.toFixed(2)}×`,
          met,
        ]);
      }
    }
    if (rows.length) {
      sections.push(
        `### Feature cost (targets)

Each feature row ÷ its baseline, both measured in this run with the same worker count. Req/s ratio from the saturation scenario (the target applies to it); p99 ratios: lower is better. Ratios are medians over rounds of the ratio within each round; *row / baseline* shows the two medians.

` +
          mdTable(['Row', 'Baseline', 'Sat req/s (row / baseline)', 'Sat req/s ratio', 'Sat p99 ratio', 'Fixed-rate p99 ratio', 'Target', 'Met'], rows, [
            'l',
            'l',
            'r',
            'r',
            'r',
            'r',
            'r',
            'l',
          ]),
      );
    }
  }

  sections.push(coreTargetsSection(input.records, input.pairs, input.candidates, input.scenarios, input.startup));
  sections.push(largeIdleSection(input.large, input.idle, input.idleError));

  if (input.startup.length) {
    const rows = input.startup.map((s) => [
      `--workers ${s.workers}`,
      s.extraCaCerts ? `set (\`${s.extraCaCerts}\`)` : 'unset',
      fmtMs(median(s.samples)),
      s.samples.length ? fmtMs(Math.min(...s.samples)) : '–',
      s.samples.length ? fmtMs(Math.max(...s.samples)) : '–',
      String(s.samples.length),
      s.error ? s.error.split('\n')[0] : '',
    ]);
    sections.push(
      `### Rampart startup\n\nSpawn of \`node bin/rampart run -c <config> --workers N\` to the first 200 on \`GET /__health\` (polled every 5 ms). ` +
        `Every candidate runs without NODE_EXTRA_CA_CERTS (Node 20 loads that file into its root certificate store at every process start; ` +
        `bench/lib/procs.ts \`CANDIDATE_ENV\`); where this machine sets it, start-up is measured with it as well.\n\n` +
        mdTable(['Workers', 'NODE_EXTRA_CA_CERTS', 'median ms', 'min ms', 'max ms', 'trials', 'error'], rows, ['l', 'l', 'r', 'r', 'r', 'r', 'l']),
    );
  } else {
    sections.push(`### Rampart startup\n\nNot measured in this run.`);
  }

  if (input.skipped.length) {
    sections.push(`### Skipped\n\n${input.skipped.map((s) => `- **${s.name}**: ${s.reason.split('\n')[0]}`).join('\n')}`);
  }
  const notes = candidates.filter((c) => c.note).map((c) => `- ${c.name}: ${c.note}`);
  for (const scen of scenarios) {
    const noisy = candidates.filter((c) => (aggregate(records, scen.id, c.name).bgCpu ?? 0) > 5).map((c) => c.name);
    if (noisy.length) notes.push(`- ${scen.id}: other processes used more than 5% of the machine during ${noisy.join(', ')}; treat these rows as noisy.`);
  }
  if (notes.length) sections.push(`### Notes\n\n${notes.join('\n')}`);
  if (input.aborted) sections.push(`### Aborted\n\n${input.aborted}`);

  const terminal = sections.join('\n\n');
  const runRows = records.map((r) => [
    String(r.round),
    r.scenario,
    r.candidate,
    r.result ? fmtRps(r.result.rps) : 'failed',
    fmtMs(r.result?.p50Ms ?? null),
    fmtMs(r.result?.p99Ms ?? null),
    fmtMb(r.rssKb),
    r.result ? String(r.result.errors + r.result.non2xx) : (r.error ?? ''),
    fmtPct(r.bgCpuPct),
  ]);
  const pairRows = input.pairs.map((x) => [
    String(x.iteration),
    `${x.row} ÷ ${x.peer}`,
    x.first === 'row' ? x.row : x.peer,
    fmtRps(x.rowRps),
    fmtRps(x.peerRps),
    fmtRatio(ratio(x.rowRps, x.peerRps)),
    x.error ?? '',
  ]);
  const pairTable = pairRows.length
    ? `\n\nA/B alternations (saturation, ${opts.pairDuration}s runs):\n\n${mdTable(['Pair', 'Target', 'Ran first', 'Row req/s', 'Peer req/s', 'Ratio', 'Error'], pairRows, ['r', 'l', 'l', 'r', 'r', 'r', 'l'])}`
    : '';
  const allRuns = `<details><summary>All runs</summary>\n\n${mdTable(['Round', 'Scenario', 'Candidate', 'Req/s', 'p50 ms', 'p99 ms', 'RSS MB', 'Errors', 'Bg CPU'], runRows, ['r', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'])}${pairTable}\n\n</details>`;
  const m = input.machine;
  const routes = [
    ...buildRampartConfig({ port: 0, origin: 'http://127.0.0.1:ORIGIN', dummyAuthLen: 1 }).routes,
    ...featureInstances({
      origin: 'http://127.0.0.1:ORIGIN',
      jwt: { validator: {}, tokensPath: '', sampleToken: '' },
      redisAddress: '127.0.0.1:REDIS',
      tls: { cert: '', key: '' },
    }).flatMap((i) => i.routes),
  ];
  const markdown = `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts) on ${m.date}. Re-run it to refresh this file (\`--no-write\` to leave it alone).

Command:

\`\`\`
${input.commandLine}
\`\`\`

## Machine

| | |
|---|---|
| date | ${m.date} |
| CPU | ${m.cpu} |
| nproc | ${m.nproc} |
| kernel | ${m.kernel} |
| DAMON | ${m.damon} |
| node | ${m.node} |
| nginx | ${m.nginx} |
| wrk | ${m.wrk} |
| autocannon / fast-gateway / undici | ${m.autocannon} / ${m['fast-gateway']} / ${m.undici} |
| rampart | ${input.rampartVersion ?? `not run (package.json ${m.rampart})`} |
| commit | ${m.commit} |
| bench wall time | ${Math.round(input.elapsedSec)} s |

\`free -h\`:

\`\`\`
${m['free -h']}
\`\`\`

## Results

${sections.join('\n\n')}

${allRuns}

## Method

- **Everything runs on one machine over loopback (127.0.0.1)**: the load generator, the origin and the
  candidate share the same ${m.nproc} cores, so absolute numbers are lower than on dedicated hosts and every
  candidate is measured under the same contention. Compare rows, not absolute values.
- **Origin**: nginx (\`worker_processes ${opts.originWorkers}\`, keepalive, \`access_log off\`) answering every path with
  \`return 200\` and a fixed ${originBody(500).length}-byte JSON object (\`default_type application/json\`). Its config,
  pid, logs and temp paths live in a temp dir (\`daemon off\`, \`-p <tmp>\`, \`-e <tmp>/error.log\`): the system
  nginx is never touched. One worker keeps the origin from competing for both cores.
- **Candidates**, each in its own process (group), started side by side on free ports:
  - *origin (nginx, direct)*: the load generator hits the origin itself — the ceiling of the setup.
  - *nginx proxy wN*: \`proxy_pass\` to an \`upstream\` with \`keepalive 64\`, \`proxy_http_version 1.1\`,
    \`proxy_set_header Connection ""\`, \`worker_processes N\`.
  - *minimal proxy wN*: bench/minimal-proxy.ts, node:http server + undici \`Pool\` (${opts.connections} connections) —
    the ceiling for any Node gateway; N > 1 runs under node:cluster.
  - *fast-gateway w1*: bench/fast-gateway.ts, fast-gateway ${m['fast-gateway']} with one route, single process.
  - *minimal tls wN*: bench/minimal-https-proxy.ts, the minimal proxy with a node:https listener (Node's TLS
    defaults, the same self-signed P-256 certificate as *rampart tls*): the ceiling of the \`tls\` row.
  - *rampart ROUTE wN*: \`node bin/rampart run -c <generated config> --workers N\`, config from
    bench/rampart-config.ts (\`buildRampartConfig\`; feature rows from \`featureInstances\`, each in its own
    Rampart process with its own config and port, same worker count). Routes:
${routes.map((r) => `    - \`${r.path}\` (${r.id}): ${r.description}`).join('\n')}
  - *nginx tls wN*: the nginx proxy above with \`listen ... ssl\`, \`ssl_protocols TLSv1.3\` and the same self-signed
    P-256 certificate as *rampart tls* (generated with the openssl CLI into the temp dir, SAN IP:127.0.0.1).
- **JWT rows**: 1 000 distinct RS256 tokens from \`mintBenchTokens\` (test/auth/helpers/bench-tokens.ts); wrk runs a
  Lua script whose \`request()\` hook sends the next token on every request (each thread starts at a random offset);
  openloop rotates the same tokens (\`--tokens-file\`). *plain+hdr* sends a dummy Authorization header of the same
  length to \`/plain\`, so *jwt ÷ plain+hdr* isolates the validation cost from the header bytes.
- **POST rows** (*post*, *post+checks*): every request carries the same JSON body (\`Content-Type: application/json\`):
  wrk sets \`wrk.method\`/\`wrk.body\` in a generated Lua script, openloop sends \`--body-file\`, autocannon \`-b\`. The
  correctness check also sends *post+checks* a body its schema refuses and requires a 400, so a row whose body never
  reached the validator is skipped, not measured.
- **Large bodies and idle connections** (after the rounds; bench/lib/large-idle.ts): \`--large-runs\` alternations of
  a ${LARGE_BYTES / 1024 / 1024} MiB download (\`/large\`, a static file on the origin) and upload (\`POST /upload\`, read and
  dropped by the origin) through no-op routes, one request at a time, minimal proxy w1 and rampart plain w1;
  then \`--idle-connections\` keep-alive connections opened on rampart plain w1 (one GET each), held
  \`--idle-hold\` s, with the process's RSS and CPU (idle runs first: the large transfers leave the heap grown).
- **Redis**: a redis-server (no persistence) on a free loopback port, started by the bench and stopped at the end.
- The helper scripts are transpiled to plain JS (bench/.build/) so no TypeScript loader sits in a measured process.
- **Correctness gate**: before measuring, each candidate must answer 200 with the origin's body (byte-identical,
  or the same JSON value for the \`json\` route); otherwise it is skipped and listed under "Skipped".
- **Warm-up**: ${opts.warmup}s of saturation per candidate, not recorded.
- **Saturation**: \`${scenarios.find((s) => s.id === 'saturation')?.tool ?? 'not run'}\` (closed loop; req/s and latency
  percentiles from wrk's \`--latency\` output; autocannon only if wrk is missing).
- **Fixed rate**: ${opts.rateTool === 'openloop' ? `${openloopNative ? 'bench/openloop.c, a small open-loop generator in C (epoll; compiled by the harness with `cc -O2`; wrk2 is not in Debian). https rows use bench/openloop.ts, the same generator in Node (raw sockets), which can only wake on a 1 ms timer' : 'bench/openloop.ts, a small open-loop generator in Node on raw sockets (the C one, bench/openloop.c, could not be built here). It can only wake on a 1 ms timer, so up to ~1 ms of its own slack is in every latency'}: ${opts.rate} requests/s are scheduled on a fixed timetable over ${opts.connections} keep-alive connections whatever the responses do, and latency is measured from each request's *scheduled* send time, so queueing inside a slow gateway (or a wait for a free connection) shows up in p99 instead of being hidden (no coordinated omission). The C generator sleeps in epoll_pwait2() until the next request is due (timer slack 1 ns) and reports its own lateness (*Gen lag p99*); the *origin (nginx, direct)* row shows the floor of the whole set-up. Earlier runs (before 2026-11-23 03:00) used only the Node generator, whose slack put even nginx-direct at p99 ≈ 1.4 ms. Each run first spends 1 s at the same rate unrecorded (JIT warm-up of the target). Requests still unanswered 5 s after the schedule ends, or beyond 20 000 in flight, count as errors. Req/s is completed responses over the run; a candidate that keeps up shows about ${opts.rate}.` : `autocannon \`-R ${opts.rate}\` (overallRate) with ${opts.connections} connections.`}
- **Isolation**: ${
    opts.isolate
      ? `while one candidate is measured, every other candidate's process tree is paused
  (SIGSTOP) and resumed (SIGCONT) ${RESUME_SETTLE_NOTE} before its own runs; the nginx origin and redis-server always
  run. Until run E (2026-11-23) idle candidates ran on. An idle Node process is not idle: about 40 s after a
  load ends, V8's memory reducer runs full collections (30–70 ms of CPU in bursts, measured on the minimal proxy),
  and timers fire. With some 30 candidate processes on 2 cores such work can land in another candidate's run; the
  \`--timeline-dir\` traces of a run without isolation showed the single-process rows' slow requests in bursts
  (stalls of 5–15 ms), the signature of a process losing its core for a while.`
      : "off (`--no-isolate`): idle candidates ran during other candidates' runs."
  }
- **DAMON**: ${m.damon}. When it runs, each sampling pass took ~4 ms of one CPU without yielding it
  (\`perf sched\` during a full run, 2026-11-23): the candidate or the load generator on that CPU stopped
  for as long, twice a second — about 1% of requests at 5 000 req/s, i.e. in the fixed-rate p99 of the
  single-process rows. \`--pause-damon\` switches it off for the run.
- **Background load**: before each run the harness waits (at most ${opts.quietWait} s) until every process but
  the harness itself — the other, idle candidates included — uses at most ${opts.quietThreshold}% of the machine
  (a candidate may go on working after its own run ended), and it records what processes outside the bench
  used during the run (*Bg CPU*: machine busy time from /proc/stat minus the bench's own process tree; kernel
  softirq time from loopback traffic lands here too). Rows with a high Bg CPU are noisy.
- **Interleaving**: every round runs every candidate once per scenario in a fixed order (A B C … A B C …);
  ${opts.rounds} round(s) of ${opts.duration}s; the tables show the median of each metric over the rounds.
  The measuring order puts each minimal proxy right before Rampart plain with the same process count (and
  fast-gateway right after Rampart plain w1); the other rows keep their places.
- **A/B alternations** (${opts.pairs > 0 ? `${opts.pairs} per target, ${opts.pairDuration}s saturation runs` : 'not run (`--pairs 0`)'}): after the rounds, each
  gateway-core ratio target (Rampart plain ÷ minimal proxy, same process count; Rampart plain w1 ÷ fast-gateway)
  is measured again as back-to-back pairs of saturation runs, the order flipped from one pair to the next;
  the target is judged on the median of the within-pair ratios. Added 2026-11-23 after run J, in which the
  within-round ratio of Rampart plain w1 to the minimal proxy ranged 0.57–1.34 over 7 rounds while the
  raw throughput of single-process rows swung by a third within minutes.
- **Ratios are paired by round**: *row ÷ peer* is computed within each round, and the median of those
  ratios is reported (RSS excepted: ratio of medians). This VM has slow phases of 10–20 s in which every
  candidate loses 20–35% of its throughput at once; a ratio of two medians can set one candidate's fast
  round against the other's slow one. Until 2026-11-23 (run I) ratios were ratios of medians and the
  order was the table's.
- **RSS**: VmRSS from /proc/<pid>/status, summed over the candidate's process tree (nginx master + workers,
  cluster primary + workers), sampled every 250 ms during each run; the peak per run, median over rounds.
  *Procs* is the number of processes in that tree.
- **Rampart startup**: spawn → first 200 on \`GET /__health\`, ${opts.startupTrials} trial(s) per worker count,
  measured before the other candidates start.
- Every child runs in its own process group and is stopped (SIGTERM, then SIGKILL) on exit, on errors and on
  Ctrl-C; every step has a timeout and the measuring phase has a hard time bound.
- **Generator**: the fixed-rate scenario uses bench/openloop.c (compiled by the harness; epoll, nanosecond
  sleeps, latency from the scheduled send time, its own lateness reported). The Node generator
  (bench/openloop.ts, still used for https rows) could only wake on a 1 ms timer, and that slack (p99 ≈ 1.4 ms
  even for nginx answering directly) was charged to every candidate. While one candidate is measured, every
  other one is paused (SIGSTOP): idle Node processes run timers and, ~40 s after a load, V8's memory reducer,
  which landed in other candidates' runs. \`--timeline-dir\` writes every fixed-rate request's time and
  latency. On this VM the kernel's DAMON monitor (kdamond) takes one CPU for ~4 ms twice a second, which was
  most of the single-process fixed-rate p99; \`--pause-damon\` switches it off for a run.
`;
  return { terminal, markdown };
}

main().then(
  () => shutdown(0),
  (err: unknown) => {
    warn(`bench: ${err instanceof Error ? err.message : String(err)}`);
    void shutdown(1);
  },
);
