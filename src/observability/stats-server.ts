// The `telemetry/metrics` listener: GET /__stats (and /__stats/) answers the node's metrics as
// JSON, refreshed at most every collection_time; everything else is 404. It serves nothing else
// and carries no request data but route patterns, statuses and backend URL patterns.
import { createServer, type Server } from 'node:http';
import { renderStats, type StatsSnapshot } from './stats.js';

export interface StatsServer {
  port: number;
  close(): Promise<void>;
}

export async function startStatsServer(
  host: string,
  port: number,
  collectionMs: number,
  collect: () => StatsSnapshot | Promise<StatsSnapshot>,
): Promise<StatsServer> {
  let cached: { at: number; body: string } | undefined;
  let refreshing: Promise<string> | undefined;
  const body = async (): Promise<string> => {
    const now = Date.now();
    if (cached && now - cached.at < collectionMs) return cached.body;
    refreshing ??= Promise.resolve(collect()).then((snap) => {
      cached = { at: Date.now(), body: JSON.stringify(renderStats(snap)) };
      refreshing = undefined;
      return cached.body;
    });
    return refreshing;
  };
  const server: Server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/__stats' && path !== '/__stats/')) {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '18' });
      return void res.end('404 page not found');
    }
    body().then(
      (b) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(b)), 'cache-control': 'no-store' });
        res.end(b);
      },
      () => {
        res.writeHead(500, { 'content-length': '0' });
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`telemetry/metrics: cannot listen on ${host}:${port}: ${err.code ?? err.message}`)));
    server.listen({ host, port }, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
