// Child-process bookkeeping for the benchmark: every child is spawned in its own process group and
// tracked, so it can be stopped (with its whole tree) on normal exit, on errors and on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  stdoutPath: string;
  stderrPath: string;
  spawnedAt: number;
  exited: boolean;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  exitPromise: Promise<void>;
}

/**
 * The environment every candidate runs in: the bench's own, without NODE_EXTRA_CA_CERTS. Node 20
 * reads that file and builds its whole root certificate store when a process starts (not when
 * TLS is first used): with this sandbox's bundle (/etc/ssl/certs/ca-certificates.crt) that is
 * ~90 ms added to every Node process start — the minimal proxy, fast-gateway and Rampart alike —
 * and nothing a gateway does. It is a property of the machine, not of any candidate, so the
 * candidates run without it; run.ts still measures Rampart's start-up with it too, and reports both.
 */
export const CANDIDATE_ENV: NodeJS.ProcessEnv = (() => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
})();

const live = new Set<Child>();
let logCounter = 0;

export interface SpawnOptions {
  logDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Spawns a tracked child in its own process group; stdout/stderr go to files in logDir. */
export function spawnTracked(name: string, cmd: string, args: string[], opts: SpawnOptions): Child {
  const safe = name.replace(/[^a-zA-Z0-9_.-]+/g, '_');
  const n = ++logCounter;
  const stdoutPath = join(opts.logDir, `${String(n).padStart(3, '0')}-${safe}.out`);
  const stderrPath = join(opts.logDir, `${String(n).padStart(3, '0')}-${safe}.err`);
  const out = openSync(stdoutPath, 'w');
  const err = openSync(stderrPath, 'w');
  let proc: ChildProcess;
  try {
    proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? CANDIDATE_ENV, detached: true, stdio: ['ignore', out, err] });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  let resolveExit!: () => void;
  const exitPromise = new Promise<void>((r) => (resolveExit = r));
  const child: Child = {
    name,
    pid: proc.pid ?? -1,
    proc,
    stdoutPath,
    stderrPath,
    spawnedAt: performance.now(),
    exited: false,
    exitCode: null,
    exitSignal: null,
    exitPromise,
  };
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (child.exited) return;
    child.exited = true;
    child.exitCode = code;
    child.exitSignal = signal;
    resolveExit();
  };
  proc.on('exit', onExit);
  proc.on('error', () => onExit(127, null));
  if (child.pid > 0) live.add(child);
  else child.exited = true;
  return child;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* group already gone */
  }
}

/** Freezes the child's whole process group (SIGSTOP): it takes no CPU, runs no timer and no GC
 * until resumed. The harness pauses every idle candidate while another one is measured. */
export function pauseChild(child: Child): void {
  if (child.pid > 0 && !child.exited) killGroup(child.pid, 'SIGSTOP');
}

/** Resumes a paused process group (SIGCONT; harmless on one that is running). */
export function resumeChild(child: Child): void {
  if (child.pid > 0 && !child.exited) killGroup(child.pid, 'SIGCONT');
}

/** SIGTERM the child's process group, then SIGKILL it after graceMs. */
export async function stopChild(child: Child, graceMs = 3000): Promise<void> {
  if (child.pid <= 0) return;
  if (!child.exited) {
    killGroup(child.pid, 'SIGTERM');
    killGroup(child.pid, 'SIGCONT'); // a paused group handles its SIGTERM only once resumed
    await Promise.race([child.exitPromise, sleep(graceMs)]);
  }
  // Always sweep the group: cluster workers / nginx workers may outlive the leader.
  killGroup(child.pid, 'SIGKILL');
  await Promise.race([child.exitPromise, sleep(1000)]);
  live.delete(child);
}

export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, graceMs)));
}

/** Last-resort synchronous cleanup (process 'exit' handler, second Ctrl-C). */
export function killAllSync(): void {
  for (const c of live) killGroup(c.pid, 'SIGKILL');
  live.clear();
}

export function liveChildren(): number {
  return live.size;
}

/** Runs a command to completion (bounded by timeoutMs) and returns its exit code, stdout and stderr. */
export async function runBounded(
  name: string,
  cmd: string,
  args: string[],
  opts: SpawnOptions & { timeoutMs: number },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; stdout: string; stderr: string }> {
  const child = spawnTracked(name, cmd, args, opts);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopChild(child, 1000);
  }, opts.timeoutMs);
  await child.exitPromise;
  clearTimeout(timer);
  await stopChild(child, 0);
  return {
    code: child.exitCode,
    signal: child.exitSignal,
    timedOut,
    stdout: safeRead(child.stdoutPath),
    stderr: safeRead(child.stderrPath),
  };
}

export function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

export function childLogTail(child: Child, lines = 15): string {
  const parts = [tail(safeRead(child.stderrPath), lines), tail(safeRead(child.stdoutPath), lines)].filter((s) => s.trim());
  return parts.join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** All pids in the process tree rooted at `root` (root included), from /proc/<pid>/stat ppid links. */
export function treePids(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised comm: state ppid ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    const list = kids.get(ppid);
    if (list) list.push(Number(entry));
    else kids.set(ppid, [Number(entry)]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    for (const k of kids.get(pid) ?? []) queue.push(k);
  }
  return out;
}

/** Summed VmRSS (kB) over the process tree rooted at `root`, and how many processes it has. */
export function treeRss(root: number, pids: readonly number[] = treePids(root)): { rssKb: number; procs: number } {
  let rssKb = 0;
  let procs = 0;
  for (const pid of pids) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (m) {
      rssKb += Number(m[1]);
      procs++;
    }
  }
  return { rssKb, procs };
}

/**
 * Samples treeRss every intervalMs until stopped; returns the peak. The tree's pids are listed
 * once, when sampling starts (a candidate's processes do not change during a run): listing them
 * reads every /proc/<pid>/stat on the machine, ~2-3 ms of the harness's CPU, and doing that four
 * times a second during a fixed-rate run put the harness in the measured latencies.
 */
export function rssSampler(root: number, intervalMs = 250): { stop: () => { peakKb: number; procs: number } } {
  let peakKb = 0;
  let procs = 0;
  const pids = treePids(root);
  const sample = (): void => {
    const r = treeRss(root, pids);
    if (r.rssKb > peakKb) peakKb = r.rssKb;
    if (r.procs > procs) procs = r.procs;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakKb, procs };
    },
  };
}

export interface CpuSnapshot {
  /** Machine-wide busy and total jiffies from /proc/stat. */
  busy: number;
  total: number;
  /** utime+stime+cutime+cstime summed over our own process tree (the harness and everything it spawned). */
  ours: number;
}

/** Snapshot used to tell how much CPU *other* processes on the machine used during a run. */
export function cpuSnapshot(root = process.pid): CpuSnapshot {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  let ours = 0;
  for (const pid of treePids(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest[11..14] = utime stime cutime cstime (reaped children's time moves into the parent's c* fields)
      ours += Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    } catch {
      /* exited */
    }
  }
  return { busy: total - idle, total, ours };
}

/** CPU used by processes outside our tree between two snapshots, in % of the whole machine. */
export function foreignCpuPct(a: CpuSnapshot, b: CpuSnapshot): number | null {
  const dt = b.total - a.total;
  if (dt <= 0) return null;
  const foreign = b.busy - a.busy - (b.ours - a.ours);
  return Math.max(0, Math.min(100, (foreign / dt) * 100));
}

/** Machine busy jiffies minus this process's own (not its children's): everything else at work. */
function busyExceptHarness(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0) - Number(rest[11]) - Number(rest[12]), total };
}

/**
 * Waits (up to maxWaitMs) until the machine is quiet: at most thresholdPct busy over a windowMs
 * window, counting every process but the harness itself — the other candidates included. A
 * candidate can go on burning CPU after its own run ends (a Node gateway still answering the
 * requests it had queued, collecting garbage, closing sockets); counting only processes outside
 * the bench's tree let the next candidate start while it did, and be measured against it.
 * Returns how long it waited and the last reading; never throws.
 */
export async function waitQuiet(thresholdPct: number, maxWaitMs: number, windowMs = 500): Promise<{ waitedMs: number; pct: number | null }> {
  const t0 = performance.now();
  let pct: number | null;
  do {
    const a = busyExceptHarness();
    await sleep(windowMs);
    const b = busyExceptHarness();
    pct = b.total > a.total ? Math.max(0, Math.min(100, ((b.busy - a.busy) / (b.total - a.total)) * 100)) : null;
    if (pct === null || pct <= thresholdPct) break;
  } while (performance.now() - t0 + windowMs <= maxWaitMs);
  return { waitedMs: performance.now() - t0, pct };
}
