// Minimal reverse proxy: node:http server + undici Pool to one origin. The ceiling for any Node gateway.
// Usage: node minimal-proxy.js --port 8080 --origin http://127.0.0.1:9000 [--workers N] [--connections 64]
// (undici's pool.stream() writes the upstream body straight into the response; it measured faster than
// request() + stream.pipeline(), whose per-request AbortController/eos bookkeeping showed up in profiles.)
import cluster from 'node:cluster';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: { port: { type: 'string' }, origin: { type: 'string' }, workers: { type: 'string', default: '1' }, connections: { type: 'string', default: '64' } },
});
const workers = Number(values.workers);
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'expect']);
const strip = (h: Record<string, string | string[] | undefined>): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const k in h) if (!HOP.has(k) && h[k] !== undefined) out[k] = h[k];
  return out;
};

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (_w, code) => {
    if (code !== 0) process.exit(1);
  });
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  const pool = new Pool(values.origin!, { connections: Number(values.connections), keepAliveTimeout: 60_000 });
  http
    .createServer((req, res) => {
      const body = req.method === 'GET' || req.method === 'HEAD' ? null : req;
      pool
        .stream({ path: req.url ?? '/', method: req.method as 'GET', headers: strip(req.headers), body }, ({ statusCode, headers }) => {
          res.writeHead(statusCode, strip(headers));
          return res;
        })
        .catch(() => {
          if (!res.headersSent) res.writeHead(502).end();
          else res.destroy();
        });
    })
    .listen(Number(values.port), '127.0.0.1');
}
