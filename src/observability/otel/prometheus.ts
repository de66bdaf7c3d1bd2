// The Prometheus exporters of telemetry/opentelemetry: GET /metrics on each declared listener
// (default 127.0.0.1:9090; KrakenD: every interface). A single process serves its own text; under
// `--workers N` the cluster primary serves it and, per scrape, asks every worker for its text over
// IPC (`pm` messages) and adds the samples up, so one scrape shows the node. Every worker reports
// the same resource (service.instance.id is the host name), so their series are the same series.
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';

export interface PrometheusServer {
  port: number;
  close(): Promise<void>;
}

export async function startPrometheusServer(host: string, port: number, text: () => Promise<string>): Promise<PrometheusServer> {
  const server: Server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '18' });
      return void res.end('404 page not found');
    }
    text().then(
      (body) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
      },
      () => {
        res.writeHead(500, { 'content-length': '0' });
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`telemetry/opentelemetry: prometheus exporter cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen({ host, port }, () => resolve());
  });
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Prometheus text of several processes as one: equal series (name and labels) add up. */
export function mergePrometheusText(texts: string[]): string {
  const order: string[] = [];
  const comments = new Map<string, string[]>();
  const values = new Map<string, number>();

  for (const t of texts) {
    for (const line of t.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('#')) {
        const name = line.split(' ')[2] ?? '';

        let c = comments.get(name);
        if (c === undefined) {
          comments.set(name, (c = []));
          order.push(`#${name}`);
        }
        if (!c.includes(line)) c.push(line);
        continue;
      }
      const sp = line.lastIndexOf(' ');
      const key = line.slice(0, sp);
      const v = Number(line.slice(sp + 1));
      if (!values.has(key)) order.push(key);
      values.set(key, (values.get(key) ?? 0) + (Number.isNaN(v) ? 0 : v));
    }
  }
  const out: string[] = [];
  for (const k of order) {
    if (k.startsWith('#')) out.push(...(comments.get(k.slice(1)) ?? []));
    else out.push(`${k} ${values.get(k)}`);
  }
  return out.join('\n') + '\n';
}

interface AskMsg {
  pm: 'ask';
  s: number;
}
interface TextMsg {
  pm: 'text';
  s: number;
  text: string;
}

/** In a worker: answer the primary with this process's text. */
export function answerPrometheusRequests(text: () => Promise<string>): void {
  process.on('message', (m: unknown) => {
    const msg = m as AskMsg;
    if (msg === null || typeof msg !== 'object' || msg.pm !== 'ask') return;
    text().then(
      (t) => {
        try {
          process.send?.({ pm: 'text', s: msg.s, text: t } satisfies TextMsg);
        } catch {
          /* channel closing */
        }
      },
      () => undefined,
    );
  });
}

let seq = 0;

/** In the primary: every live worker's text, merged; a worker silent for 1 s is left out. */
export function collectNodeText(): Promise<string> {
  const s = ++seq;
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
  return new Promise((resolve) => {
    const got: string[] = [];
    let pending = workers.length;
    const done = () => {
      clearTimeout(timer);
      cluster.off('message', onMessage);
      resolve(mergePrometheusText(got));
    };
    const onMessage = (_w: Worker, m: unknown) => {
      const msg = m as TextMsg;
      if (msg === null || typeof msg !== 'object' || msg.pm !== 'text' || msg.s !== s) return;
      got.push(msg.text);
      if (--pending === 0) done();
    };
    const timer = setTimeout(done, 1000);
    cluster.on('message', onMessage);
    if (pending === 0) return done();
    for (const w of workers) w.send({ pm: 'ask', s } satisfies AskMsg);
  });
}
