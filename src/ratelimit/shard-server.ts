// One coordinator shard of the node-wide in-memory rate limits: it owns the buckets of the keys
// that hash to it (shard-client.ts decides which) and grants leases to every worker over a Unix
// domain socket, one connection per worker. It runs in the cluster primary when the node has one
// shard, or in its own child process (shard-main.ts) when it has several, so that no single core
// serves every lease of a large node (issue #20, BENCHMARKS.md "Scaling across cores").
//
// Grants follow the same rule as before sharding (see cluster-coordinator.ts): at most
// 1/(4 x workers) of what is available, at most MAX_LEASE, so units only ever leave a bucket that
// holds them and leased-but-unspent units stay a small part of what is left. The number of
// workers is the number of connected workers (each holds one connection to every shard).
import { createServer, type Server, type Socket } from 'node:net';
import { MAX_LEASE } from './cluster-protocol.js';
import { MemoryLimiter } from './memory-limiter.js';
import { DEF, FrameReader, FrameWriter, GRANTS, RET, TAKES, type LimiterDef } from './shard-wire.js';

export interface ShardServer {
  server: Server;
  /** Leases granted so far (for the bench). */
  readonly granted: () => number;
  close(): Promise<void>;
}

export function startShardServer(path: string): Promise<ShardServer> {
  const limiters = new Map<string, MemoryLimiter>();
  const sockets = new Set<Socket>();
  let granted = 0;

  const serve = (sock: Socket): void => {
    sockets.add(sock);
    // This connection's limiter numbering (the worker's DEF frames).
    const byIndex: (MemoryLimiter | undefined)[] = [];
    const out = new FrameWriter();
    const reader = new FrameReader((type, c, end) => {
      if (type === DEF) {
        const idx = c.u32();
        const def = JSON.parse(c.rest(end)) as LimiterDef;
        let lim = limiters.get(def.id);
        if (lim === undefined) limiters.set(def.id, (lim = new MemoryLimiter(def.policy, def.maxKeys, 30_000)));
        byIndex[idx] = lim;
        return;
      }
      if (type === TAKES) {
        const lim = byIndex[c.u32()];
        const count = c.u32();
        const now = Date.now();
        const share = 4 * Math.max(1, sockets.size);
        const window = lim ? lim.windowOf(now) : 0;
        const at = out.begin(GRANTS);
        out.u32(count);
        for (let i = 0; i < count; i++) {
          const seq = c.u32();
          const want = c.u16();
          const key = c.str();
          // An undeclared limiter cannot happen (a worker declares before it leases, on the same
          // connection); refuse rather than admit without a bucket.
          out.u32(seq);
          out.f64(lim ? lim.acquire(key, Math.min(want, MAX_LEASE), now, share) : -1000);
          out.f64(window);
        }
        out.end(at);
        granted += count;
        return;
      }
      if (type === RET) {
        const lim = byIndex[c.u32()];
        const count = c.u32();
        const now = Date.now();
        for (let i = 0; i < count; i++) {
          const n = c.u32();
          const w = c.f64();
          const key = c.str();
          lim?.release(key, n, w, now);
        }
      }
    });
    sock.on('data', (chunk: Buffer) => {
      const ok = reader.push(chunk);
      // Every grant decoded from this chunk leaves in one write.
      if (out.length > 0) sock.write(out.take());
      if (!ok) sock.destroy();
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => sockets.delete(sock));
  };

  const server = createServer(serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve({
        server,
        granted: () => granted,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            for (const l of limiters.values()) l.close();
            server.close(() => done());
          }),
      });
    });
  });
}
