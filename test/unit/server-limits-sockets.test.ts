// qos/server-limits on a real node:http server over real sockets, in process: the connection cap
// counts the server's open connections without a listener of its own on every socket (an idle
// keep-alive connection carries exactly the listeners a bare node:http server gives it), marks
// the sockets over the cap, and its count goes down as connections close.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { compileServerLimits } from '../../src/components/qos/server-limits/apply.js';
import { openConnections } from '../../src/components/qos/server-limits/open-connections.js';
import type { ServiceConfig } from '../../src/config/types.js';

const servers: Server[] = [];
const clients: Socket[] = [];
after(async () => {
  for (const c of clients) c.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A node:http server answering 200 "ok", with the cap installed when `maxConnections` is given;
 * `accepted` holds its server-side sockets. */
async function serve(maxConnections?: number): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const answer = (_req: unknown, res: { end(s: string): void }) => res.end('ok');
  const limits =
    maxConnections === undefined
      ? undefined
      : compileServerLimits({ extra: { 'qos/server-limits': { max_connections: maxConnections } } } as unknown as ServiceConfig);
  const server = createServer({ keepAliveTimeout: 30_000 }, limits ? limits.wrap(answer) : answer);
  limits?.install(server);
  server.on('connection', (s: Socket) => accepted.push(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, accepted };
}

/** One keep-alive GET on a new connection; resolves with the answer's first bytes. */
function oneRequest(port: number): Promise<{ client: Socket; text: string }> {
  return new Promise((resolve, reject) => {
    const client = connect(port, '127.0.0.1', () => client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    clients.push(client);
    client.once('data', (d) => resolve({ client, text: d.toString('latin1') }));
    client.once('error', reject);
  });
}

const listenerCounts = (s: Socket) => Object.fromEntries(s.eventNames().map((e) => [String(e), s.listenerCount(e)]));
const settle = () => new Promise((r) => setTimeout(r, 50));

test('an idle keep-alive connection under the cap has the listeners of a bare node:http server', async () => {
  const bare = await serve();
  const capped = await serve(100);
  assert.match((await oneRequest(bare.port)).text, /^HTTP\/1\.1 200/);
  assert.match((await oneRequest(capped.port)).text, /^HTTP\/1\.1 200/);
  await settle();
  assert.deepEqual(listenerCounts(capped.accepted[0]!), listenerCounts(bare.accepted[0]!));
  assert.equal(capped.accepted[0]!.listenerCount('close'), 1);
});

test('over max_connections: 503 and Connection: close; the count falls as connections close', async () => {
  const { server, port } = await serve(2);
  const open = openConnections(server);
  const a = await oneRequest(port);
  const b = await oneRequest(port);
  assert.match(a.text, /^HTTP\/1\.1 200/);
  assert.match(b.text, /^HTTP\/1\.1 200/);
  assert.equal(open(), 2);
  const c = await oneRequest(port);
  assert.match(c.text, /^HTTP\/1\.1 503/);
  assert.match(c.text, /retry-after: 1/i);
  assert.match(c.text, /connection: close/i);
  a.client.destroy();
  c.client.destroy();
  for (let i = 0; i < 100 && open() !== 1; i++) await settle();
  assert.equal(open(), 1);
  // Back under the cap: a new connection is served, and a request on an old one still is.
  assert.match((await oneRequest(port)).text, /^HTTP\/1\.1 200/);
  b.client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const again = await new Promise<string>((r) => b.client.once('data', (d) => r(d.toString('latin1'))));
  assert.match(again, /^HTTP\/1\.1 200/);
});

test('openConnections refuses a server without a connection count', () => {
  assert.throws(() => openConnections({} as unknown as Server), /keeps no connection count/);
});
