// The soak's loopback backends, each failing in its own way: healthy, slow, garbage bodies,
// truncated bodies, connection resets, invalid chunked framing, and one (flap-backend.mjs, a
// child process) that is killed and restarted periodically.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Backend {
  name: string;
  origin: string;
  /** Requests whose head has arrived (HTTP backends). */
  received?: () => number;
  close(): Promise<void>;
}

async function listen(server: Server | NetServer, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as { port: number }).port;
}

function closer(server: Server | NetServer, sockets?: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      for (const s of sockets ?? []) s.destroy();
      server.close(() => resolve());
    });
}

const BODY = JSON.stringify({ id: 42, name: 'soak', items: Array.from({ length: 20 }, (_, i) => ({ i, v: 'x'.repeat(20) })) });

async function httpBackend(name: string, handle: (res: import('node:http').ServerResponse) => void): Promise<Backend> {
  let received = 0;
  const server = createHttpServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => handle(res));
  });
  server.keepAliveTimeout = 65_000; // longer than the gateway's pool keeps idle connections
  const port = await listen(server);
  return { name, origin: `http://127.0.0.1:${port}`, received: () => received, close: closer(server) };
}

/** A raw TCP backend: `answer` gets each socket once a request head has arrived. */
async function rawBackend(name: string, answer: (s: Socket) => void): Promise<Backend> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onData);
      answer(s);
    };
    s.on('data', onData);
  });
  const port = await listen(server);
  return { name, origin: `http://127.0.0.1:${port}`, close: closer(server, sockets) };
}

export const startHealthy = () =>
  httpBackend('healthy', (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BODY);
  });

/** 50..1500 ms, uniformly: about a third of the calls outlast a 1 s endpoint timeout. */
export const startSlow = () =>
  httpBackend('slow', (res) => {
    const t = setTimeout(
      () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(BODY);
      },
      50 + Math.random() * 1450,
    );
    res.on('close', () => clearTimeout(t));
  });

/** A fixed 400 ms: the route the drain measurement keeps in flight. */
export const startDelayed = () =>
  httpBackend('delayed', (res) => {
    const t = setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(BODY);
    }, 400);
    res.on('close', () => clearTimeout(t));
  });

/** 200 with a JSON content type and a body that is not JSON (random bytes, or cut JSON). */
export const startGarbage = () =>
  httpBackend('garbage', (res) => {
    const body =
      Math.random() < 0.5
        ? Buffer.from(Array.from({ length: 64 + Math.floor(Math.random() * 512) }, () => Math.floor(Math.random() * 256)))
        : Buffer.from(BODY.slice(0, Math.floor(Math.random() * BODY.length)));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });

/** Promises a Content-Length, sends part of it, and closes. */
export const startTruncated = () =>
  rawBackend('truncated', (s) => {
    const body = Buffer.from(BODY);
    s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    s.end(body.subarray(0, Math.floor(body.length / 2)));
  });

/** Resets the connection as soon as a request arrives (RST, not FIN). */
export const startReset = () => rawBackend('reset', (s) => s.resetAndDestroy());

/** Chunked framing that is invalid: a bad size line, or a chunk longer than its size says. */
export const startBadChunked = () =>
  rawBackend('bad-chunked', (s) => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    s.end(head + (Math.random() < 0.5 ? 'zz\r\n{"a":1}\r\n0\r\n\r\n' : '5\r\n{"a":1,"b":2}\r\n0\r\n\r\n'));
  });

export interface Flapping extends Backend {
  /** Times (ms since the soak's start) the backend went down and came back. */
  downs: { at: number; back?: number }[];
}

/** The backend in a child process, SIGKILLed every `periodMs` and restarted `downMs` later. */
export async function startFlapping(port: number, periodMs: number, downMs: number, t0: number): Promise<Flapping> {
  const script = fileURLToPath(new URL('./flap-backend.mjs', import.meta.url));
  let child: ChildProcess | undefined;
  let stopped = false;
  const downs: { at: number; back?: number }[] = [];
  const spawnChild = () =>
    new Promise<void>((resolve, reject) => {
      const c = fork(script, [String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      c.once('message', () => resolve());
      c.once('error', reject);
      child = c;
    });
  await spawnChild();
  const timer = setInterval(() => {
    if (stopped || !child) return;
    child.kill('SIGKILL');
    child = undefined;
    downs.push({ at: performance.now() - t0 });
    setTimeout(() => {
      if (stopped) return;
      void spawnChild().then(() => (downs[downs.length - 1].back = performance.now() - t0));
    }, downMs);
  }, periodMs);
  return {
    name: 'flapping',
    origin: `http://127.0.0.1:${port}`,
    downs,
    close: async () => {
      stopped = true;
      clearInterval(timer);
      child?.kill('SIGKILL');
    },
  };
}
