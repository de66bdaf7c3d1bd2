// `websocket` (direct communication) over real sockets: the real gateway process between a real
// `ws` client and a real `ws` echo backend (WebSocketServer on loopback). Messages both ways
// (text and binary, path parameters and forwarded headers), max_message_size (close 1009, both
// directions), the pong deadline and the backend read timeout, guards at the upgrade (JWT: 401
// without a token; a rate limit: 429), undeclared upgrades refused, a plain request answered 426,
// a backend that is down answered 502, and the multiplexed mode refused by `check`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { makeKey, mint, writeJwksFile, jwks } from '../auth/helpers/tokens.js';
import { freePort } from '../helpers/redis.js';

let backend: WebSocketServer;
let gw: RunningGateway;
let token: string;
let downPort: number;
/** How many flood messages the backend had sent when its connection closed, by URL. */
const backendCloses = new Map<string, Promise<number>>();

type Message = { data: Buffer; binary: boolean };
/** Messages received and not yet taken by next(), per client. Listening from construction on:
 * a backend's greeting can arrive in the same packet as the 101 and be emitted right after
 * 'open', before a listener added once open() has resolved would exist. */
const inbox = new WeakMap<WebSocket, { queue: Message[]; waiter?: (m: Message) => void }>();

/** Opens a client; resolves when open, rejects with the HTTP status of a refused upgrade. */
function open(path: string, opts: { headers?: Record<string, string>; autoPong?: boolean; protocols?: string[] } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}${path}`, opts.protocols ?? [], {
      headers: opts.headers,
      autoPong: opts.autoPong ?? true,
      handshakeTimeout: 3000,
    });
    const box: { queue: Message[]; waiter?: (m: Message) => void } = { queue: [] };
    inbox.set(ws, box);
    ws.on('message', (data, binary) => {
      const m = { data: data as Buffer, binary };
      const w = box.waiter;
      box.waiter = undefined;
      if (w) w(m);
      else box.queue.push(m);
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
  });
}

function next(ws: WebSocket): Promise<Message> {
  const box = inbox.get(ws);
  if (!box) throw new Error('next() on a client not made by open()');
  const queued = box.queue.shift();
  if (queued) return Promise.resolve(queued);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      box.waiter = undefined;
      reject(new Error('no message within 3 s'));
    }, 3000);
    box.waiter = (m) => {
      clearTimeout(t);
      resolve(m);
    };
  });
}

function closed(ws: WebSocket, withinMs = 3000): Promise<{ code: number; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not closed within ${withinMs} ms`)), withinMs);
    ws.once('close', (code) => {
      clearTimeout(t);
      resolve({ code, ms: Date.now() - start });
    });
  });
}

async function refusedWith(path: string, headers?: Record<string, string>): Promise<number> {
  try {
    const ws = await open(path, { headers });
    ws.terminate();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

before(async () => {
  // The echo backend: greets with what it saw of the handshake, echoes every message with its
  // type, and on "big" sends 2 KiB.
  backend = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  backend.on('connection', (ws, req) => {
    ws.send(JSON.stringify({ url: req.url, user: req.headers['x-user'] ?? null, key: req.headers['x-api-hint'] ?? null, protocol: ws.protocol }));
    ws.on('message', (data, binary) => {
      if (!binary && data.toString() === 'big') return void ws.send('x'.repeat(2048));
      if (!binary && data.toString() === 'silence') return;
      if (!binary && data.toString() === 'flood') {
        // 200 000 messages of 1000 bytes (more than the kernel buffers of both hops hold), as fast as the socket takes them; stops once closed.
        const chunk = 'f'.repeat(1000);
        let n = 0;
        const pump = (): void => {
          while (n < 200_000 && ws.readyState === ws.OPEN && ws.bufferedAmount < 1 << 20) {
            ws.send(chunk);
            n++;
          }
          if (n < 200_000 && ws.readyState === ws.OPEN) setTimeout(pump, 5);
        };
        backendCloses.set(req.url ?? '', new Promise((resolve) => ws.once('close', () => resolve(n))));
        return pump();
      }
      ws.send(data, { binary });
    });
  });
  await new Promise((r) => backend.once('listening', r));
  const host = `ws://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  downPort = await freePort();
  const key = await makeKey('k1');
  token = await mint(key, { sub: 'alice' });
  const ws = (extra: object = {}) => ({ enable_direct_communication: true, max_message_size: 1024, input_headers: ['X-User'], ...extra });
  gw = await startGateway({
    version: 3,
    endpoints: [
      {
        endpoint: '/chat/{room}',
        backend: [{ url_pattern: '/rooms/{room}', host: [host], disable_host_sanitize: true }],
        extra_config: { websocket: ws({ subprotocols: ['chat.v1'] }) },
      },
      {
        endpoint: '/tight',
        backend: [{ url_pattern: '/t', host: [host], disable_host_sanitize: true }],
        extra_config: { websocket: ws({ max_message_size: 64 }) },
      },
      {
        endpoint: '/pings',
        backend: [{ url_pattern: '/p', host: [host], disable_host_sanitize: true }],
        extra_config: { websocket: ws({ ping_period: '100ms', pong_wait: '400ms' }) },
      },
      { endpoint: '/idle', backend: [{ url_pattern: '/i', host: [host], disable_host_sanitize: true }], extra_config: { websocket: ws({ timeout: '400ms' }) } },
      {
        endpoint: '/secure',
        backend: [{ url_pattern: '/s', host: [host], disable_host_sanitize: true }],
        extra_config: { websocket: ws(), 'auth/validator': { alg: 'RS256', jwk_local_path: writeJwksFile(jwks(key)) } },
      },
      {
        endpoint: '/limited',
        backend: [{ url_pattern: '/l', host: [host], disable_host_sanitize: true }],
        extra_config: { websocket: ws(), 'qos/ratelimit/router': { max_rate: 1, capacity: 1, every: '1h' } },
      },
      {
        endpoint: '/slow',
        backend: [{ url_pattern: '/slow', host: [host], disable_host_sanitize: true }],
        extra_config: { websocket: ws({ message_buffer_size: 8, write_wait: '500ms' }) },
      },
      {
        endpoint: '/down',
        backend: [{ url_pattern: '/d', host: [`ws://127.0.0.1:${downPort}`], disable_host_sanitize: true }],
        extra_config: { websocket: ws() },
      },
      { endpoint: '/plain', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  backend?.close();
});

describe('websocket direct communication', () => {
  test('relays text and binary messages both ways, with path parameters, headers and the chosen subprotocol', async () => {
    const ws = await open('/chat/lobby', { headers: { 'X-User': 'alice', 'X-Api-Hint': 'not-forwarded' }, protocols: ['other', 'chat.v1'] });
    const hello = JSON.parse((await next(ws)).data.toString());
    assert.deepEqual(hello, { url: '/rooms/lobby', user: 'alice', key: null, protocol: 'chat.v1' });
    assert.equal(ws.protocol, 'chat.v1');
    for (let i = 0; i < 3; i++) {
      ws.send(`hello ${i}`);
      const m = await next(ws);
      assert.equal(m.binary, false);
      assert.equal(m.data.toString(), `hello ${i}`);
    }
    ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    const b = await next(ws);
    assert.equal(b.binary, true);
    assert.deepEqual([...b.data], [0, 1, 2, 255]);
    const c = closed(ws);
    ws.close(1000, 'bye');
    assert.equal((await c).code, 1000);
  });

  test('max_message_size: a larger message from the client closes it with 1009; from the backend too', async () => {
    const ws = await open('/tight');
    await next(ws);
    ws.send('y'.repeat(40));
    assert.equal((await next(ws)).data.toString(), 'y'.repeat(40));
    const c = closed(ws);
    ws.send('z'.repeat(100));
    assert.equal((await c).code, 1009);

    const ws2 = await open('/tight');
    await next(ws2);
    const c2 = closed(ws2);
    ws2.send('big'); // the backend answers 2 KiB, over the gateway's 64-byte bound
    assert.equal((await c2).code, 1009);
  });

  test('pong_wait: a client that never answers pings is cut; one that answers stays', async () => {
    const mute = await open('/pings', { autoPong: false });
    const polite = await open('/pings');
    let pings = 0;
    polite.on('ping', () => pings++);
    const c = closed(mute, 3000);
    const r = await c;
    assert.ok(r.ms >= 300 && r.ms < 2000, `cut after ${r.ms} ms`);
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(polite.readyState, WebSocket.OPEN);
    assert.ok(pings >= 5, `pings seen: ${pings}`);
    polite.terminate();
  });

  test('timeout: a backend silent for longer than the read timeout ends the connection (1011)', async () => {
    const ws = await open('/idle');
    await next(ws);
    // Activity from the backend keeps it open past the timeout...
    for (let i = 0; i < 4; i++) {
      await new Promise((res) => setTimeout(res, 200));
      ws.send(`keep ${i}`);
      await next(ws);
    }
    // ...silence does not.
    const c = closed(ws, 3000);
    ws.send('silence');
    const r = await c;
    assert.equal(r.code, 1011);
    assert.ok(r.ms >= 300, `closed after ${r.ms} ms`);
  });

  test('message_buffer_size / write_wait: a client that stops reading gets the pair closed, not an unbounded queue', async () => {
    const ws = await open('/slow');
    await next(ws);
    // Stop reading: the kernel buffers fill, then the gateway's queue towards the client.
    ws.pause();
    ws.send('flood');
    const started = Date.now();
    let closes: Promise<number> | undefined;
    while (!closes && Date.now() - started < 3000) {
      await new Promise((res) => setTimeout(res, 20));
      closes = backendCloses.get('/slow');
    }
    assert.ok(closes, 'the backend got the flood request');
    const sent = await Promise.race([closes, new Promise<number>((res) => setTimeout(() => res(-1), 8000))]);
    assert.ok(sent > 0 && sent < 200_000, `the gateway ended the pair while the flood went on (backend had sent ${sent})`);
    const c = closed(ws, 8000);
    ws.resume();
    await c;
  });

  test('auth/validator applies at the upgrade: 401 without a token, open with one', async () => {
    assert.equal(await refusedWith('/secure'), 401);
    assert.equal(await refusedWith('/secure', { Authorization: 'Bearer not.a.token' }), 401);
    const ws = await open('/secure', { headers: { Authorization: `Bearer ${token}` } });
    await next(ws);
    ws.terminate();
  });

  test('a rate limit applies at the upgrade: the second upgrade gets 429', async () => {
    const ws = await open('/limited');
    assert.equal(await refusedWith('/limited'), 429);
    ws.terminate();
  });

  test('undeclared upgrades are refused: 400 on an endpoint without websocket, 404 on no endpoint', async () => {
    assert.equal(await refusedWith('/plain'), 400);
    assert.equal(await refusedWith('/nowhere'), 404);
  });

  test('a plain HTTP request on a websocket endpoint gets 426; a backend that is down gets 502', async () => {
    assert.equal((await http(gw.port, 'GET', '/chat/lobby')).status, 426);
    assert.equal(await refusedWith('/down'), 502);
    // The gateway is still serving after all of the above.
    const ws = await open('/chat/again');
    assert.equal(JSON.parse((await next(ws)).data.toString()).url, '/rooms/again');
    ws.terminate();
  });
});

describe('websocket config', () => {
  const check = (websocket: object, extra: object = {}) => {
    const file = writeConfig({
      version: 3,
      endpoints: [{ endpoint: '/ws', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:1'] }], extra_config: { websocket }, ...extra }],
    });
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
    return { code: r.status, err: r.stderr };
  };
  test('the multiplexed mode is refused by name; bad fields have pointers', () => {
    let r = check({});
    assert.equal(r.code, 1);
    assert.match(r.err, /\/endpoints\/0\/extra_config\/websocket: the multiplexed mode/);
    r = check({ enable_direct_communication: true, max_mesage_size: 3 });
    assert.match(r.err, /websocket\/max_mesage_size: unknown field .*did you mean "max_message_size"/);
    r = check({ enable_direct_communication: true, ping_period: '70s' });
    assert.match(r.err, /ping_period \(70s\) must be shorter than pong_wait/);
    r = check({ enable_direct_communication: true }, { method: 'POST' });
    assert.match(r.err, /handshake is a GET/);
    r = check({ enable_direct_communication: true });
    assert.equal(r.code, 0, r.err);
  });
});
