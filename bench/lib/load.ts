// Load generators: wrk (closed loop, saturation), autocannon (fallback, and optional fixed rate) and
// bench/openloop (fixed rate, open loop, latency from the scheduled send time).
import { runBounded } from './procs.js';

export interface LoadResult {
  tool: string;
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Socket errors + timeouts + dropped/unsent requests. */
  errors: number;
  non2xx: number;
  total: number;
  note?: string;
}

export interface LoadSpec {
  url: string;
  durationSec: number;
  connections: number;
  threads: number;
  headers: Record<string, string>;
  logDir: string;
  cwd: string;
}

function headerArgs(flag: string, headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([k, v]) => [flag, `${k}: ${v}`]);
}

/** wrk prints e.g. "1.23ms", "850.00us", "2.01s", "1.00m". */
export function parseWrkDuration(text: string): number | null {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) return null;
  const v = Number(m[1]);
  const unit = m[2];
  const factor = unit === 'us' ? 0.001 : unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return v * factor;
}

export function parseWrk(out: string): LoadResult {
  const rpsM = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  if (!rpsM) throw new Error(`cannot parse wrk output:\n${out.slice(0, 2000)}`);
  const pct = (p: string): number | null => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
    return m ? parseWrkDuration(m[1]) : null;
  };
  const totalM = /(\d+) requests in/.exec(out);
  const non2xxM = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sockM = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sockM ? sockM.slice(1, 5).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    tool: 'wrk',
    rps: Number(rpsM[1]),
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    errors,
    non2xx: non2xxM ? Number(non2xxM[1]) : 0,
    total: totalM ? Number(totalM[1]) : 0,
  };
}

export async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const args = [
    `-t${spec.threads}`,
    `-c${spec.connections}`,
    `-d${spec.durationSec}s`,
    '--latency',
    '--timeout',
    '5s',
    ...headerArgs('-H', spec.headers),
    spec.url,
  ];
  const r = await runBounded('wrk', 'wrk', args, { logDir: spec.logDir, cwd: spec.cwd, timeoutMs: (spec.durationSec + 20) * 1000 });
  if (r.timedOut) throw new Error('wrk did not finish in time');
  if (r.code !== 0) throw new Error(`wrk exited ${r.code ?? r.signal}: ${r.stderr.slice(0, 500)}`);
  return parseWrk(r.stdout);
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

export async function runAutocannon(spec: LoadSpec & { autocannonBin: string; rate?: number }): Promise<LoadResult> {
  const args = [
    spec.autocannonBin,
    '-c',
    String(spec.connections),
    '-d',
    String(spec.durationSec),
    '-t',
    '5',
    '--json',
    ...headerArgs('-H', spec.headers),
  ];
  if (spec.rate) args.push('-R', String(spec.rate));
  args.push(spec.url);
  const r = await runBounded('autocannon', process.execPath, args, {
    logDir: spec.logDir,
    cwd: spec.cwd,
    timeoutMs: (spec.durationSec + 30) * 1000,
  });
  if (r.timedOut) throw new Error('autocannon did not finish in time');
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.code !== 0 || !line) throw new Error(`autocannon exited ${r.code ?? r.signal}: ${r.stderr.slice(-500)}`);
  const j = JSON.parse(line) as AutocannonJson;
  return {
    tool: spec.rate ? `autocannon -R ${spec.rate}` : 'autocannon',
    rps: j.requests.total / (j.duration || spec.durationSec),
    p50Ms: j.latency.p50,
    p99Ms: j.latency.p99,
    errors: j.errors + j.timeouts,
    non2xx: j.non2xx,
    total: j.requests.total,
  };
}

interface OpenloopJson {
  targetRate: number;
  sent: number;
  completed: number;
  errors: number;
  non2xx: number;
  dropped: number;
  timedOut: number;
  rps: number;
  p50: number | null;
  p99: number | null;
}

export async function runOpenloop(spec: LoadSpec & { script: string; rate: number }): Promise<LoadResult> {
  const args = [
    spec.script,
    '--url',
    spec.url,
    '--rate',
    String(spec.rate),
    '--duration',
    String(spec.durationSec),
    '--connections',
    String(spec.connections),
    ...headerArgs('--header', spec.headers),
  ];
  const r = await runBounded('openloop', process.execPath, args, {
    logDir: spec.logDir,
    cwd: spec.cwd,
    timeoutMs: (spec.durationSec + 40) * 1000,
  });
  if (r.timedOut) throw new Error('openloop did not finish in time');
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.code !== 0 || !line) throw new Error(`openloop exited ${r.code ?? r.signal}: ${r.stderr.slice(-500)}`);
  const j = JSON.parse(line) as OpenloopJson;
  const missing = j.dropped + j.timedOut;
  return {
    tool: `openloop ${spec.rate}/s`,
    rps: j.rps,
    p50Ms: j.p50,
    p99Ms: j.p99,
    errors: j.errors + missing,
    non2xx: j.non2xx,
    total: j.completed,
    note: missing ? `${missing} requests dropped/unanswered` : undefined,
  };
}
