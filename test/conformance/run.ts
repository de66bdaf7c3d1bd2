// KrakenD CE conformance runner: `npm run conformance` (= node --import tsx test/conformance/run.ts).
//
// Runs the 59 KrakenD CE integration specs against a real Rampart process, the way the Go
// harness does (see /work/shared/conformance/README.md), with the adaptations listed in
// ./adaptations.ts and documented in ./README.md.
//
// Usage: npm run conformance [-- spec_name ...]      (names restrict the run to those specs)
//
// Environment:
//   RAMPART_SHARED_DIR                   shared folder (default: <repo>/../shared)
//   RAMPART_CONFORMANCE_SEED             shuffle seed, to reproduce an order (printed every run)
//   RAMPART_CONFORMANCE_GATEWAY_PORT     gateway port (default: a free port)
//   RAMPART_CONFORMANCE_BACKEND_PORT     mock backend port (default: a free port)
//   RAMPART_CONFORMANCE_VERBOSE=1        also print the mismatches of expected failures, and the
//                                        gateway's output at the end
//   RAMPART_CONFORMANCE_KEEP_TMP=1       keep the temp dir (adapted config, gateway log)
//
// Exit status: 0 when every spec behaved as expected (passed, or failed while listed in
// EXPECTED_FAILURES); 1 otherwise; 2 when the run could not start.

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPECTED_FAILURES, adaptConfig, adaptSpec, parseSpec, vendorSubstitutions, type Ports, type Spec } from './adaptations.js';
import { ClientError, goRequest } from './client.js';
import { compareResponse } from './compare.js';
import { fromParsedJson, goJsonMarshal } from './go-compat.js';
import { startMockBackend, type MockBackend } from './mock-backend.js';
import { REPO_ROOT, fixturesDir, sharedDir } from './paths.js';

const HEALTH_CEILING_MS = 10_000;
const SPEC_TIMEOUT_MS = 10_000;
const MOCK_DELAY_MS = 200; // Go harness default (krakend_delay)

const verbose = process.env.RAMPART_CONFORMANCE_VERBOSE === '1';
const keepTmp = process.env.RAMPART_CONFORMANCE_KEEP_TMP === '1';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

class SetupError extends Error {}

function log(line = ''): void {
  process.stdout.write(line + '\n');
}

/** mulberry32: small deterministic PRNG for the shuffle. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  const rnd = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function envPort(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new SetupError(`${name}=${v} is not a valid port`);
  return n;
}

/** Asks the OS for free ports (all interfaces), holding them until all are known. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      return new Promise<import('node:net').Server>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, () => resolve(s));
      });
    }),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new SetupError('could not allocate a port');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function rampartVersion(): string {
  const pkg = readJson(join(REPO_ROOT, 'package.json')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new SetupError('package.json has no version');
  return pkg.version;
}

/** Loads every `*.json` directly inside the specs folder; test name = file name without .json. */
function loadSpecs(dir: string): Spec[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json'))
    .map((d) => d.name)
    .sort()
    .map((file) => parseSpec(file.slice(0, -'.json'.length), readJson(join(dir, file))));
}

// ---------------------------------------------------------------------------------------------
// Gateway process
// ---------------------------------------------------------------------------------------------

class Gateway {
  private output: string[] = [];
  private outputBytes = 0;
  private logStream: WriteStream;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitPromise: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    logPath: string,
  ) {
    this.logStream = createWriteStream(logPath);
    const capture = (chunk: Buffer): void => {
      this.logStream.write(chunk);
      const text = chunk.toString('utf8');
      this.output.push(text);
      this.outputBytes += text.length;
      while (this.outputBytes > 64 * 1024 && this.output.length > 1) this.outputBytes -= this.output.shift()!.length;
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exitPromise = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
      child.once('error', (err) => {
        this.output.push(`spawn error: ${err.message}\n`);
        this.exited = { code: null, signal: null };
        resolve();
      });
    });
  }

  tail(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    if (this.exited === null && this.child.pid !== undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (this.exited === null) this.child.kill('SIGKILL');
      }, 5_000);
      await this.exitPromise;
      clearTimeout(timer);
    }
    await new Promise<void>((r) => this.logStream.end(() => r()));
  }
}

function startGateway(configPath: string, cwd: string): Gateway {
  const bin = process.env.RAMPART_CONFORMANCE_BIN ?? join(REPO_ROOT, 'bin', 'rampart');
  const child = spawn(process.execPath, [bin, 'run', '-d', '-c', configPath], {
    cwd,
    env: { ...process.env, USAGE_DISABLE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Gateway(child, join(cwd, 'gateway.log'));
}

async function waitHealthy(gw: Gateway, port: number): Promise<void> {
  const deadline = Date.now() + HEALTH_CEILING_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gw.exited !== null) {
      throw new SetupError(`gateway exited during startup (code ${gw.exited.code}, signal ${gw.exited.signal})`);
    }
    try {
      const res = await goRequest({ url: `http://localhost:${port}/__health`, followRedirects: false, timeoutMs: 1_000 });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err instanceof ClientError ? err.code : (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new SetupError(`gateway not healthy after ${HEALTH_CEILING_MS / 1000}s (GET /__health: ${last})`);
}

// ---------------------------------------------------------------------------------------------
// Running one spec
// ---------------------------------------------------------------------------------------------

interface SpecOutcome {
  passed: boolean;
  semanticPass: boolean;
  mismatches: string[];
}

function requestBody(body: unknown): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(goJsonMarshal(fromParsedJson(body)), 'utf8');
}

async function runSpec(spec: Spec): Promise<SpecOutcome> {
  let res;
  try {
    res = await goRequest({
      method: spec.in.method,
      url: spec.in.url,
      header: spec.in.header,
      body: requestBody(spec.in.body),
      timeoutMs: SPEC_TIMEOUT_MS,
    });
  } catch (err) {
    if (err instanceof ClientError) {
      if (spec.error !== undefined && spec.error === err.code) return { passed: true, semanticPass: false, mismatches: [] };
      return { passed: false, semanticPass: false, mismatches: [`transport error ${err.code}: ${err.message}`] };
    }
    throw err;
  }
  const cmp = compareResponse(spec, res);
  return { passed: cmp.mismatches.length === 0, semanticPass: cmp.semanticPass, mismatches: cmp.mismatches };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

let cleanupFns: Array<() => Promise<void>> = [];

async function cleanup(): Promise<void> {
  const fns = cleanupFns.reverse();
  cleanupFns = [];
  for (const fn of fns) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`cleanup: ${(err as Error).message}\n`);
    }
  }
}

async function main(): Promise<number> {
  const only = process.argv.slice(2).filter((a) => a !== '--');
  const fixtures = fixturesDir();
  if (!existsSync(join(fixtures, 'krakend.json'))) {
    throw new SetupError(`KrakenD CE fixtures not found under ${sharedDir()} (set RAMPART_SHARED_DIR)`);
  }
  const version = rampartVersion();
  const subs = vendorSubstitutions(version);

  const seedEnv = process.env.RAMPART_CONFORMANCE_SEED;
  const seed = seedEnv !== undefined && seedEnv !== '' ? Number(seedEnv) >>> 0 : (Math.random() * 2 ** 32) >>> 0;

  let gwPort = envPort('RAMPART_CONFORMANCE_GATEWAY_PORT');
  let bePort = envPort('RAMPART_CONFORMANCE_BACKEND_PORT');
  if (gwPort === undefined || bePort === undefined) {
    const [a, b] = await freePorts(2);
    gwPort ??= a === bePort ? b : a;
    bePort ??= b === gwPort ? a : b;
  }
  if (gwPort === bePort) throw new SetupError('gateway and backend ports must differ');
  const ports: Ports = { gateway: gwPort, backend: bePort };

  // Config
  const { config, notes } = adaptConfig(readJson(join(fixtures, 'krakend.json')) as Record<string, unknown>, ports);
  const tmp = mkdtempSync(join(tmpdir(), 'rampart-conformance-'));
  cleanupFns.push(async () => {
    if (keepTmp) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  });
  const configPath = join(tmp, 'krakend.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n');
  // The Lua blocks name `fixtures/lua/*.lua` relative to the config (KrakenD: its working
  // directory): Rampart's clean-room stand-ins (test/fixtures/lua, see the README there).
  mkdirSync(join(tmp, 'fixtures'), { recursive: true });
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'lua'), join(tmp, 'fixtures', 'lua'), { recursive: true });

  // Specs
  let specs = loadSpecs(join(fixtures, 'specs'));
  for (const name of Object.keys(EXPECTED_FAILURES)) {
    if (!specs.some((s) => s.name === name)) throw new SetupError(`EXPECTED_FAILURES lists unknown spec ${name}`);
  }
  if (only.length > 0) {
    const unknown = only.filter((n) => !specs.some((s) => s.name === n));
    if (unknown.length > 0) throw new SetupError(`unknown spec(s): ${unknown.join(', ')}`);
    specs = specs.filter((s) => only.includes(s.name));
  }
  specs = specs.map((s) => adaptSpec(s, ports, subs));
  const order = shuffle(specs, seed);

  log(`KrakenD CE conformance: ${order.length} specs, Rampart ${version}`);
  log(`seed ${seed} (RAMPART_CONFORMANCE_SEED=${seed} reproduces this order)`);
  log(`gateway :${ports.gateway}, mock backend 127.0.0.1:${ports.backend}, config ${configPath}`);
  log(`config adaptations: ${notes.length}${verbose ? '' : ' (RAMPART_CONFORMANCE_VERBOSE=1 lists them)'}`);
  if (verbose) for (const n of notes) log(`  - ${n}`);

  // Mock backend, then gateway
  let mock: MockBackend;
  try {
    mock = await startMockBackend(ports.backend, { delayMs: MOCK_DELAY_MS });
  } catch (err) {
    throw new SetupError(`mock backend could not listen on 127.0.0.1:${ports.backend}: ${(err as Error).message}`);
  }
  cleanupFns.push(() => mock.close());

  const gw = startGateway(configPath, tmp);
  cleanupFns.push(() => gw.stop());
  try {
    await waitHealthy(gw, ports.gateway);
  } catch (err) {
    log(`gateway startup failed: ${(err as Error).message}`);
    log('----- gateway output -----');
    log(gw.tail().trimEnd() || '(no output)');
    log('--------------------------');
    if (/dist\/rampart\.js/.test(gw.tail())) log('hint: run `npm run build` first (bin/rampart loads dist/rampart.js)');
    throw new SetupError('gateway did not start');
  }
  log('');

  // Specs, one at a time
  let passed = 0;
  let expectedFailures = 0;
  let unexpected = 0;
  let semanticExtra = 0;
  const unexpectedNames: string[] = [];
  for (const spec of order) {
    const outcome = await runSpec(spec);
    const listed = EXPECTED_FAILURES[spec.name];
    if (listed === undefined) {
      if (outcome.passed) {
        passed++;
        log(`${spec.name}: ok`);
      } else {
        unexpected++;
        unexpectedNames.push(spec.name);
        if (outcome.semanticPass) semanticExtra++;
        log(`${spec.name}: FAIL`);
        for (const m of outcome.mismatches) log(`    - ${m}`);
      }
    } else if (outcome.passed) {
      unexpected++;
      unexpectedNames.push(spec.name);
      log(`${spec.name}: UNEXPECTED PASS: listed in EXPECTED_FAILURES (${listed}); remove it from the list`);
    } else {
      expectedFailures++;
      log(`${spec.name}: expected failure (${listed})`);
      if (verbose) for (const m of outcome.mismatches) log(`    - ${m}`);
    }
    if (gw.exited !== null) {
      log(`gateway exited during the run (code ${gw.exited.code}, signal ${gw.exited.signal})`);
      log('----- gateway output -----');
      log(gw.tail().trimEnd() || '(no output)');
      log('--------------------------');
      throw new SetupError('gateway died');
    }
  }

  log('');
  if (verbose) {
    log('----- gateway output -----');
    log(gw.tail().trimEnd() || '(no output)');
    log('--------------------------');
  }
  if (unexpectedNames.length > 0) log(`unexpected: ${unexpectedNames.join(', ')}`);
  if (semanticExtra > 0) {
    log(`semantic mode: ${semanticExtra} of the failures above only differ in JSON formatting/key order`);
  }
  log(`seed ${seed}`);
  log(`${expectedFailures} expected failures`);
  log(`${passed} passed, ${unexpected} failed`);
  return unexpected === 0 ? 0 : 1;
}

let exiting = false;
async function exitWith(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await cleanup();
  }
  process.exit(code);
}

for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.on(sig, () => {
    process.stderr.write(`\nreceived ${sig}, stopping\n`);
    void exitWith(code);
  });
}

main().then(
  (code) => exitWith(code),
  (err: unknown) => {
    if (err instanceof SetupError) process.stderr.write(`conformance: ${err.message}\n`);
    else process.stderr.write(`conformance: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return exitWith(err instanceof SetupError ? 2 : 1);
  },
);
