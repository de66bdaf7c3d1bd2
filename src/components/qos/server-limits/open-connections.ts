// The number of open client connections of a listener, read from net.Server's own count.
//
// Why not a 'close' listener per socket: Node's HTTP server already keeps one (socketOnClose), and
// every response adds and removes a second (ServerResponse.assignSocket / detachSocket). A third,
// permanent listener turns that add into a push onto a two-element array, which V8 grows to
// twenty slots and never shrinks: ~200 bytes of heap per idle keep-alive connection (heap
// snapshots of 3 000 idle connections, bench/startup-idle.ts), for a count Node keeps anyway.
//
// net.Server counts a connection from accept until its socket is destroyed (the same count its
// maxConnections hard cap is checked against); for a TLS listener that includes connections
// still in their handshake, which hold a file descriptor as much as the others.
import type { Server } from 'node:net';

type CountingServer = Server & { _connections?: unknown };

/** A reader of `server`'s open connection count. Throws at start-up if this Node has no such
 * count (the cap must never silently stop counting). */
export function openConnections(server: Server): () => number {
  const s = server as CountingServer;
  if (typeof s._connections !== 'number') throw new Error('qos/server-limits: this Node.js keeps no connection count on its server');
  return () => s._connections as number;
}
