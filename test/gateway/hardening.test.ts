// Issue #14, tried from outside as an attacker would, over real sockets: every value put into a
// backend URL stays inside the url_pattern's prefix, redirects stay on this origin, query
// filtering is bounded, limits key on the gateway's own header values, and the lower-severity
// framing and forwarding holes are closed. Each test failed on the commit before the fix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http, rawExchange } from '../helpers/http.js';
import { makeKey, mint, writeJwksFile, jwks, type SigningKey } from '../auth/helpers/tokens.js';

let be: TestBackend;
let gw: RunningGateway;
let key: SigningKey;

before(async () => {
  key = await makeKey('k1');
  const jwksFile = writeJwksFile(jwks(key));
  const validator = { alg: 'RS256', jwk_local_path: jwksFile };
  be = await startBackend((req, res) => {
    if (req.url?.startsWith('/first')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ id: '..', name: 'a/b', ok: 'fine' }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      { endpoint: '/api/users/{id}', backend: [{ url_pattern: '/users/{id}' }] },
      { endpoint: '/q/{term}', backend: [{ url_pattern: '/find?q={term}' }] },
      { endpoint: '/me', backend: [{ url_pattern: '/profiles/{JWT.sub}' }], extra_config: { 'auth/validator': validator } },
      { endpoint: '/me-q', backend: [{ url_pattern: '/profiles?who={JWT.sub}' }], extra_config: { 'auth/validator': validator } },
      { endpoint: '/seq-id', backend: [{ url_pattern: '/first' }, { url_pattern: '/second/{resp0_id}' }], extra_config: { proxy: { sequential: true } } },
      { endpoint: '/seq-ok', backend: [{ url_pattern: '/first' }, { url_pattern: '/second/{resp0_ok}' }], extra_config: { proxy: { sequential: true } } },
      { endpoint: '/all-q', input_query_strings: ['*'], backend: [{ url_pattern: '/all-q' }] },
      { endpoint: '/{tenant}/orders', backend: [{ url_pattern: '/orders/{tenant}' }] },
      { endpoint: '/all-h', input_headers: ['*'], backend: [{ url_pattern: '/all-h' }] },
      { endpoint: '/conn', input_headers: ['X-A', 'X-B', 'X-C'], backend: [{ url_pattern: '/conn' }] },
      { endpoint: '/get-body', input_headers: ['Content-Type'], backend: [{ url_pattern: '/get-body' }] },
      {
        endpoint: '/per-user',
        backend: [{ url_pattern: '/per-user' }],
        extra_config: {
          'auth/validator': { ...validator, propagate_claims: [['sub', 'X-User']] },
          'qos/ratelimit/router': { client_max_rate: 1, client_capacity: 1, every: '1h', strategy: 'header', key: 'X-User' },
        },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('path parameters that would walk out of the prefix for a backend decoding once get 400', async () => {
  const n = be.seen.length;
  for (const p of [
    '/api/users/a%2F..%2F..%2Fadmin',
    '/api/users/..%2Fadmin',
    '/api/users/..%5Cadmin',
    '/api/users/%2e%2e%2fadmin',
    '/api/users/%2E%2E%5Cadmin',
    '/api/users/a%5Cb',
    '/api/users/%252e%252e',
  ]) {
    const r = await http(gw.port, 'GET', p);
    assert.equal(r.status, 400, p);
  }
  assert.equal(be.seen.length, n, 'no traversal reached the backend');
  const ok = await http(gw.port, 'GET', '/api/users/a.b..c');
  assert.equal(ok.status, 200, 'dots inside a value are not a dot segment');
  assert.equal(be.seen[n].url, '/users/a.b..c');
});

test('a placeholder in the query part takes any value, encoded', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/q/x%26admin%3D1');
  assert.equal(r.status, 200);
  assert.equal(be.seen[n].url, '/find?q=x%26admin%3D1');
});

test('{JWT.claim} values go through the same check: sub ".." or "a/b" is refused with 400', async () => {
  const n = be.seen.length;
  for (const sub of ['..', '.', '../admin', 'a/b', 'a\\b', '%2e%2e']) {
    const r = await http(gw.port, 'GET', '/me', { authorization: `Bearer ${await mint(key, { sub })}` });
    assert.equal(r.status, 400, `sub ${JSON.stringify(sub)}`);
  }
  assert.equal(be.seen.length, n);
  const ok = await http(gw.port, 'GET', '/me', { authorization: `Bearer ${await mint(key, { sub: 'auth0|42' })}` });
  assert.equal(ok.status, 200);
  assert.equal(be.seen[n].url, '/profiles/auth0%7C42');
  const q = await http(gw.port, 'GET', '/me-q', { authorization: `Bearer ${await mint(key, { sub: '../a/b' })}` });
  assert.equal(q.status, 200, 'in the query part the value is only encoded');
  assert.equal(be.seen[n + 1].url, '/profiles?who=..%2Fa%2Fb');
});

test('sequential {respN_...} values go through the same check', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/seq-id');
  // resp0_id is "..": the second call fails (the value comes from a backend, so the answer is
  // the first backend's data, marked incomplete, as for any failed call in a sequence).
  assert.equal(r.headers['x-rampart-completed'], 'false');
  assert.ok(!be.seen.slice(n).some((s) => s.url.startsWith('/second')), 'the second backend was never called with it');
  const ok = await http(gw.port, 'GET', '/seq-ok');
  assert.equal(ok.status, 200);
  assert.ok(be.seen.slice(n).some((s) => s.url === '/second/fine'));
});

test('more than 1000 query parameters: 414 at once; up to the cap, all are forwarded, sorted, in one pass', async () => {
  const many = Array.from({ length: 5000 }, (_, i) => `p${i}=${i}`).join('&');
  const r = await http(gw.port, 'GET', `/all-q?${many}`);
  assert.equal(r.status, 414);
  const n = be.seen.length;
  const keys = Array.from({ length: 999 }, (_, i) => `k${String(i).padStart(4, '0')}`);
  const q =
    keys
      .map((k, i) => `${k}=${i}`)
      .reverse()
      .join('&') + '&k0000=again';
  const ok = await http(gw.port, 'GET', `/all-q?${q}`);
  assert.equal(ok.status, 200);
  const got = new URL(be.seen[n].url, 'http://x').searchParams;
  assert.deepEqual([...new Set(got.keys())], keys, 'every key, sorted');
  assert.deepEqual(got.getAll('k0000'), ['0', 'again'], 'repeated values in request order');
});

test('trailing-slash and clean-path redirects never point to another host', async () => {
  for (const p of ['/\\evil.example/orders/', '/%5Cevil.example/orders/', '/\\\\evil.example/orders/']) {
    const r = await rawExchange(gw.port, `GET ${p} HTTP/1.1\r\nHost: gw.example\r\nConnection: close\r\n\r\n`);
    const loc = /\r\nlocation: ([^\r]*)/i.exec(r.text)?.[1];
    if (loc === undefined) continue; // no redirect at all is safe too
    assert.ok(!/^[/\\]{2}/.test(loc) && !loc.includes('\\'), `${p} -> Location ${loc}`);
    assert.equal(new URL(loc, 'http://gw.example').host, 'gw.example', `${p} -> Location ${loc}`);
  }
});

test('with remove_extra_slash, //evil.example/orders/ does not redirect off-origin', async () => {
  const g = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: { router: { remove_extra_slash: true } },
    endpoints: [{ endpoint: '/{tenant}/orders', backend: [{ url_pattern: '/orders/{tenant}' }] }],
  });
  try {
    for (const p of ['//evil.example/orders/', '///evil.example/orders/', '/\t/evil.example/orders/']) {
      const r = await rawExchange(g.port, `GET ${p} HTTP/1.1\r\nHost: gw.example\r\nConnection: close\r\n\r\n`);
      const loc = /\r\nlocation: ([^\r]*)/i.exec(r.text)?.[1];
      if (loc === undefined) continue;
      assert.equal(new URL(loc, 'http://gw.example').host, 'gw.example', `${JSON.stringify(p)} -> Location ${loc}`);
    }
  } finally {
    await g.stop();
  }
});

test('a limit keyed on a header the gateway sets reads the gateway value, never the client copy', async () => {
  const alice = { authorization: `Bearer ${await mint(key, { sub: 'alice' })}` };
  const bob = { authorization: `Bearer ${await mint(key, { sub: 'bob' })}` };
  assert.equal((await http(gw.port, 'GET', '/per-user', { ...alice, 'X-User': 'r1' })).status, 200);
  // A rotating client X-User used to give a fresh bucket each time.
  for (const x of ['r2', 'r3', 'r4']) assert.equal((await http(gw.port, 'GET', '/per-user', { ...alice, 'X-User': x })).status, 429, x);
  // A client sending none used to be always limited (no identity); bob has his own bucket.
  assert.equal((await http(gw.port, 'GET', '/per-user', bob)).status, 200);
});

test('a service-level limit keyed on a header set after authentication is refused at startup', async () => {
  await assert.rejects(
    startGateway({
      version: 3,
      host: [be.origin],
      extra_config: {
        'qos/ratelimit/service': { client_max_rate: 5, strategy: 'header', key: 'X-Role' },
        'auth/api-keys': { hash: 'sha256', propagate_role: 'X-Role', keys: [{ key: 'a'.repeat(64), roles: ['r'] }] },
      },
      endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/x' }], extra_config: { 'auth/api-keys': { roles: ['r'] } } }],
    }),
    /qos~1ratelimit~1service.*header "X-Role" is set by the gateway/,
  );
});

test('a request with two Host headers is refused with 400', async () => {
  const n = be.seen.length;
  const r = await rawExchange(gw.port, 'GET /api/users/1 HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n');
  assert.match(r.text, /^HTTP\/1\.1 400 /);
  assert.equal(be.seen.length, n);
});

test('with input_headers ["*"], client forwarding headers never reach the backend', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/all-h', {
    'X-Real-IP': '6.6.6.6',
    Forwarded: 'for=6.6.6.6;proto=https',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Port': '443',
    'X-Keep': 'yes',
  });
  assert.equal(r.status, 200);
  const h = be.seen[n].headers;
  assert.equal(h['x-keep'], 'yes');
  for (const name of ['x-real-ip', 'forwarded', 'x-forwarded-proto', 'x-forwarded-port']) assert.equal(h[name], undefined, name);
  assert.equal(h['x-forwarded-for'], '127.0.0.1', "the gateway's own value");
});

test('headers named in any Connection header are removed, even when declared', async () => {
  const n = be.seen.length;
  const r = await rawExchange(
    gw.port,
    'GET /conn HTTP/1.1\r\nHost: x\r\nConnection: X-A\r\nConnection: keep-alive, X-B\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n\r\n',
    1500,
  );
  assert.match(r.text, /^HTTP\/1\.1 200 /);
  const h = be.seen[n].headers;
  assert.equal(h['x-a'], undefined);
  assert.equal(h['x-b'], undefined);
  assert.equal(h['x-c'], '3');
});

test('a GET body goes upstream with Content-Length, never chunked', async () => {
  const n = be.seen.length;
  const r = await rawExchange(
    gw.port,
    'GET /get-body HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{"a":1}',
  );
  assert.match(r.text, /^HTTP\/1\.1 200 /);
  assert.equal(be.seen[n].headers['transfer-encoding'], undefined);
  assert.equal(be.seen[n].headers['content-length'], '7');
  assert.equal(be.seen[n].body, '{"a":1}');
});

test('basic auth: mixed bcrypt costs are refused at startup; passwords over 72 bytes get 401', async () => {
  const bcrypt = (await import('bcryptjs')).default;
  await assert.rejects(
    startGateway({
      version: 3,
      host: [be.origin],
      endpoints: [
        {
          endpoint: '/b',
          backend: [{ url_pattern: '/b' }],
          extra_config: { 'auth/basic': { users: { a: bcrypt.hashSync('pw-a', 4), b: bcrypt.hashSync('pw-b', 5) } } },
        },
      ],
    }),
    /auth~1basic: bcrypt costs differ \(4 for "a", 5 for "b"\)/,
  );
  const long = 'x'.repeat(72);
  const g = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/b', backend: [{ url_pattern: '/b' }], extra_config: { 'auth/basic': { users: { a: bcrypt.hashSync(long, 4) } } } }],
  });
  try {
    const basic = (pw: string) => ({ authorization: 'Basic ' + Buffer.from(`a:${pw}`).toString('base64') });
    assert.equal((await http(g.port, 'GET', '/b', basic(long))).status, 200);
    // bcrypt would accept any suffix after byte 72.
    assert.equal((await http(g.port, 'GET', '/b', basic(long + 'anything'))).status, 401);
  } finally {
    await g.stop();
  }
});

// --- no-op backends that misbehave ---------------------------------------------------------

/** A raw TCP "backend" answering every request on a connection with `reply`. */
async function rawBackend(reply: (path: string, sock: Socket) => void): Promise<{ port: number; server: TcpServer; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        reply(head.split(' ')[1] ?? '/', sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

/** Sends `count` requests one after another on one keep-alive connection; resolves with the
 * status line of each answer, or 'reset'/'no answer' for those that got none. */
function sequentialOnOneConnection(port: number, paths: string[]): Promise<string[]> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const out: string[] = [];
    let buf = '';
    let i = 0;
    const send = () => sock.write(`GET ${paths[i]} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const finish = (why: string) => {
      while (out.length < paths.length) out.push(why);
      clearTimeout(t);
      sock.destroy();
      resolve(out);
    };
    const t = setTimeout(() => finish('no answer'), 10_000);
    sock.on('error', () => finish('reset'));
    sock.on('close', () => finish('reset'));
    sock.on('connect', send);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        const len = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 'NaN');
        if (!Number.isFinite(len)) return finish('unframed answer');
        if (buf.length < end + 4 + len) return;
        buf = buf.slice(end + 4 + len);
        out.push(head.split('\r\n')[0]);
        if (++i === paths.length) return finish('done');
        send();
      }
    });
  });
}

test('a no-op backend sending invalid chunked framing: 502, and the client connection keeps working', async () => {
  const bad = await rawBackend((path, sock) => {
    if (path === '/bad') sock.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n');
    else sock.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
  });
  const g = await startGateway({
    version: 3,
    host: [`http://127.0.0.1:${bad.port}`],
    endpoints: [
      { endpoint: '/bad', output_encoding: 'no-op', backend: [{ url_pattern: '/bad', encoding: 'no-op' }] },
      { endpoint: '/good', output_encoding: 'no-op', backend: [{ url_pattern: '/good', encoding: 'no-op' }] },
    ],
  });
  try {
    const paths = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? '/good' : '/bad'));
    const got = await sequentialOnOneConnection(g.port, paths);
    assert.deepEqual(
      got,
      paths.map((p) => (p === '/bad' ? 'HTTP/1.1 502 Bad Gateway' : 'HTTP/1.1 200 OK')),
    );
  } finally {
    await g.stop();
    bad.server.close();
    for (const s of bad.sockets) s.destroy();
  }
});

test('a no-op backend sending a gzip bomb: passed through to a gzip client, inflated only up to a bound otherwise', async () => {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  assert.ok(bomb.length < 200 * 1024);
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers['accept-encoding'] as string | undefined);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
    res.end(bomb);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const g = await startGateway({
    version: 3,
    host: [`http://127.0.0.1:${(server.address() as { port: number }).port}`],
    endpoints: [{ endpoint: '/bomb', output_encoding: 'no-op', backend: [{ url_pattern: '/bomb', encoding: 'no-op' }] }],
  });
  const fetchRaw = (extra: string) =>
    new Promise<{ bytes: number; enc: unknown }>((resolve, reject) => {
      const sock = connect(g.port, '127.0.0.1', () => sock.write(`GET /bomb HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`));
      let bytes = 0;
      let head = '';
      sock.on('data', (d) => {
        bytes += d.length;
        if (head.length < 2048) head += d.toString('latin1');
        if (bytes > 48 * 1024 * 1024) sock.destroy(); // past the bound: stop reading
      });
      sock.on('close', () => resolve({ bytes, enc: /\r\ncontent-encoding: ([^\r]*)/i.exec(head)?.[1] }));
      sock.on('error', reject);
    });
  try {
    const gz = await fetchRaw('Accept-Encoding: gzip, br\r\n');
    assert.equal(seen[0], 'gzip', 'the gateway asks for gzip, as KrakenD does');
    assert.equal(gz.enc, 'gzip', 'passed through as the backend sent it');
    assert.ok(gz.bytes < bomb.length + 4096, `gzip client received ${gz.bytes} bytes`);
    const plain = await fetchRaw('');
    assert.equal(plain.enc, undefined);
    // Inflated for a client that did not ask for gzip, but only up to 32 MiB (then cut).
    assert.ok(plain.bytes > 1024 * 1024, `plain client received ${plain.bytes} bytes`);
    assert.ok(plain.bytes < 32 * 1024 * 1024 + 64 * 1024, `plain client received ${plain.bytes} bytes: not bounded`);
  } finally {
    await g.stop();
    server.closeAllConnections();
    server.close();
  }
});

test('slow readers cannot pin the backend pool: the endpoint timeout bounds a streamed no-op body', async () => {
  const open = new Set<import('node:net').Socket>();
  let bigStarted = 0;
  const server = createServer((req, res) => {
    if (req.url === '/big') {
      bigStarted++;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      // An endless body: written as fast as the gateway reads it.
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const g = await startGateway({
    version: 3,
    timeout: '1s',
    max_idle_connections_per_host: 2,
    host: [`http://127.0.0.1:${(server.address() as { port: number }).port}`],
    endpoints: [
      { endpoint: '/big', output_encoding: 'no-op', backend: [{ url_pattern: '/big', encoding: 'no-op' }] },
      { endpoint: '/small', output_encoding: 'no-op', backend: [{ url_pattern: '/small', encoding: 'no-op' }] },
    ],
  });
  const readers: Socket[] = [];
  try {
    // Two clients that ask for the stream and never read: they took both pool connections.
    for (let i = 0; i < 2; i++) {
      const s = connect(g.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.pause();
      s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      readers.push(s);
    }
    const deadline = Date.now() + 5000;
    while (bigStarted < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(bigStarted, 2);
    // Past the endpoint timeout, the stalled streams are cut and other endpoints are served.
    await new Promise((r) => setTimeout(r, 1500));
    const r = await http(g.port, 'GET', '/small');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
    for (const s of readers) assert.ok(s.destroyed || s.readableEnded || (await closedWithin(s, 2000)), 'the stalled client connection was closed');
  } finally {
    for (const s of readers) s.destroy();
    await g.stop();
    server.closeAllConnections();
    server.close();
  }
});

function closedWithin(s: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    s.resume(); // read what is buffered so 'close' can arrive
  });
}
