// End to end, what a per-client rate limit costs the coordinator per request when every request
// comes from a new client (so every request costs one lease): a real `rampart run --workers 2`
// (bin/rampart of the given checkout, so two builds can be compared), a per-client limit, a
// loopback backend, 64 keep-alive connections, and the primary's CPU from /proc/<pid>/stat
// (utime + stime, 10 ms ticks: use 20 000+ requests) divided by the requests. With one shard the
// coordinator runs in the primary; with S > 1 shards this does not see their CPU.
// Usage: npx tsx bench/lease-e2e.ts [--root .] [--requests 20000] [--path /pc|/plain]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { root: { type: 'string', default: '.' }, requests: { type: 'string', default: '20000' }, path: { type: 'string', default: '/pc' } },
});
const root = resolve(values.root);
const N = Number(values.requests);
const CONNS = 64;

const backend = http.createServer((_q, s) => s.end('{"ok":true}')).listen(0, '127.0.0.1');
await new Promise((r) => backend.once('listening', r));
const config = {
  version: 3,
  host: [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`],
  endpoints: [
    { endpoint: '/plain', backend: [{ url_pattern: '/x' }] },
    {
      endpoint: '/pc',
      backend: [{ url_pattern: '/x' }],
      extra_config: { 'qos/ratelimit/router': { client_max_rate: 5, client_capacity: 5, every: '1s', strategy: 'header', key: 'X-Client' } },
    },
  ],
};
const file = join(mkdtempSync(join(tmpdir(), 'rampart-lease-e2e-')), 'rampart.json');
writeFileSync(file, JSON.stringify(config));
const gw = spawn(process.execPath, [join(root, 'bin', 'rampart'), 'run', '-c', file, '--port', '0', '--workers', '2'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, RAMPART_LOG_LEVEL: 'info' },
});
const timer = setTimeout(() => {
  console.error('timed out');
  gw.kill('SIGKILL');
  process.exit(1);
}, 120_000);
let out = '';
let port = 0;
await new Promise<void>((res) =>
  gw.stdout.on('data', (d: Buffer) => {
    if (port) return; // access lines: not kept
    out += d;
    const m = /"port":(\d+)/.exec(out);
    if (m) {
      port = Number(m[1]);
      res();
    }
  }),
);
const ticks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const r = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(r[11]) + Number(r[12]);
};
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
let client = 0;
const statuses: Record<string, number> = {};
const one = (): Promise<void> =>
  new Promise((res) => {
    const q = http.get({ host: '127.0.0.1', port, path: values.path, agent, headers: { 'x-client': `c${client++}` } }, (s) => {
      statuses[s.statusCode ?? 0] = (statuses[s.statusCode ?? 0] ?? 0) + 1;
      s.resume();
      s.on('end', res);
    });
    q.on('error', () => {
      statuses.error = (statuses.error ?? 0) + 1;
      res();
    });
  });
const run = async (n: number): Promise<void> => {
  let left = n;
  await Promise.all(
    Array.from({ length: CONNS }, async () => {
      while (left-- > 0) await one();
    }),
  );
};
await run(2000); // warm-up
const t0 = ticks(gw.pid!);
const w0 = performance.now();
await run(N);
const dt = ticks(gw.pid!) - t0;
const s = (performance.now() - w0) / 1000;
console.log(
  `${root} ${values.path}: ${N} requests in ${s.toFixed(1)} s (${Math.round(N / s)}/s), primary CPU ${((dt * 10_000) / N).toFixed(2)} µs per request, statuses ${JSON.stringify(statuses)}`,
);
clearTimeout(timer);
gw.kill('SIGTERM');
backend.close();
agent.destroy();
setTimeout(() => process.exit(0), 500).unref();
