// Tiny bounded open-loop HTTP load generator (fixed request rate) built on undici.
// Requests are scheduled at start + i/rate regardless of how fast responses come back, and latency is
// measured from the *scheduled* send time, so queueing in the gateway is not hidden (no coordinated
// omission). Prints one JSON line with the result on stdout.
// Usage: node openloop.js --url http://127.0.0.1:8080/plain --rate 5000 --duration 10 [--connections 64]
//        [--warmup 1] [--header 'k: v' ...] [--max-inflight 20000] [--tokens-file tokens.txt]
// --tokens-file: one JWT per line; request i sends `Authorization: Bearer <token i % n>`.
// https URLs are accepted without certificate verification (the bench's self-signed loopback cert).
// The first --warmup seconds run at the same rate but are not recorded (JIT of the generator and target).
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '64' },
    header: { type: 'string', multiple: true, default: [] },
    'max-inflight': { type: 'string', default: '20000' },
    'drain-timeout': { type: 'string', default: '5' },
    'tokens-file': { type: 'string' },
  },
});
const url = new URL(values.url!);
const rate = Number(values.rate);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const maxInflight = Number(values['max-inflight']);
const headers: Record<string, string> = {};
for (const h of values.header) {
  const i = h.indexOf(':');
  if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
}
const path = url.pathname + url.search;
const pool = new Pool(url.origin, {
  connections,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
  ...(url.protocol === 'https:' ? { connect: { rejectUnauthorized: false } } : {}),
});
// Header objects are built up front so rotating tokens costs the generator no allocation per request.
const headerSets: Record<string, string>[] = values['tokens-file']
  ? readFileSync(values['tokens-file'], 'utf8')
      .split('\n')
      .filter((t) => t.trim())
      .map((t) => ({ ...headers, authorization: `Bearer ${t.trim()}` }))
  : [headers];
let nextHeaders = 0;

const warmupCount = Math.round(rate * warmup);
const total = warmupCount + Math.max(1, Math.round(rate * duration));
const latencies = new Float64Array(total);
let completed = 0;
let errors = 0;
let non2xx = 0;
let dropped = 0;
let inflight = 0;
let bytes = 0;

async function one(scheduled: number | null): Promise<void> {
  const record = scheduled !== null && scheduled >= measureStart;
  inflight++;
  try {
    const h = headerSets[nextHeaders++ % headerSets.length]!;
    const res = await pool.request({ path, method: 'GET', headers: h });
    const buf = await res.body.arrayBuffer();
    if (record) {
      bytes += buf.byteLength;
      if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
      latencies[completed++] = performance.now() - (scheduled ?? 0);
    }
  } catch {
    if (record) errors++;
  } finally {
    inflight--;
  }
}

let measureStart = Infinity;
// Open the connections first (not measured), so the run does not start with 64 TCP handshakes.
await Promise.all(Array.from({ length: connections }, () => one(null)));

const start = performance.now();
measureStart = start + warmup * 1000;
const interval = 1000 / rate;
let sent = 0;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / interval) + 1);
    while (sent < due) {
      const scheduled = start + sent * interval;
      sent++;
      if (inflight < maxInflight) void one(scheduled);
      else if (scheduled >= measureStart) dropped++;
    }
    if (sent >= total) resolve();
    else setTimeout(tick, 1);
  };
  tick();
});
const sendEnd = performance.now();
const drainDeadline = sendEnd + Number(values['drain-timeout']) * 1000;
while (inflight > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 5));
const end = performance.now();
const timedOut = inflight;

const lat = latencies.subarray(0, completed).sort();
const pct = (p: number): number | null => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)] : null);
process.stdout.write(
  JSON.stringify({
    tool: 'openloop',
    targetRate: rate,
    sent: sent - warmupCount,
    completed,
    errors,
    non2xx,
    dropped,
    timedOut,
    bytes,
    sendSeconds: (sendEnd - measureStart) / 1000,
    // completed responses over the measured window (a server that keeps up shows ~= targetRate)
    rps: completed / ((end - measureStart) / 1000),
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: lat.length ? lat[lat.length - 1] : null,
  }) + '\n',
);
await pool.destroy();
process.exit(0);
