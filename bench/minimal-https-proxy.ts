// Minimal TLS-terminating reverse proxy: node:https server + undici Pool to one origin, the
// ceiling for any Node gateway terminating TLS (the `tls` row's peer). Same as minimal-proxy.ts
// but for the listener; the TLS settings are Node's defaults (TLS 1.3, session tickets on), so
// the row measures what Node's TLS costs and nothing more.
// Usage: node minimal-https-proxy.js --port 8443 --origin http://127.0.0.1:9000 --cert c.pem --key k.pem [--workers N]
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    origin: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    workers: { type: 'string', default: '1' },
    connections: { type: 'string', default: '64' },
  },
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
  https
    .createServer({ cert: readFileSync(values.cert!), key: readFileSync(values.key!) }, (req, res) => {
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
