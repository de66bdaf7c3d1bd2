// Self-checks for the conformance mock backend and the Go-like client, against each other and
// against raw sockets. Byte-for-byte expectations come from /work/shared/conformance/README.md.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ClientError, goRequest, headerValues } from './client.js';
import { goJsonMarshal, goParseQuery } from './go-compat.js';
import { isLoopbackForwardedFor, startMockBackend, type MockBackend } from './mock-backend.js';
import { mockBackendDataDir } from './paths.js';

const LOOPBACK = { 'X-Forwarded-For': '127.0.0.1' };
const DATE_RE = /Date: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/;

/** Sends raw bytes, returns everything the server sent until it closed the connection. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port }, () => s.write(bytes));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    s.on('error', reject);
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error('raw request timed out'));
    });
  });
}

/** A one-shot TCP server recording the first request's bytes and answering with `reply`. */
async function recorder(reply: (req: string) => string | Buffer): Promise<{ port: number; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((sock) => {
    let buf = '';
    sock.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /\r\nContent-Length: (\d+)\r\n/.exec(buf.slice(0, end + 2));
      const need = end + 4 + (m ? Number(m[1]) : 0);
      if (buf.length < need) return;
      requests.push(buf.slice(0, need));
      sock.end(reply(buf.slice(0, need)));
      buf = '';
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, requests, server };
}

describe('Go-like client: request bytes', () => {
  let rec: Awaited<ReturnType<typeof recorder>>;
  before(async () => {
    rec = await recorder(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  after(() => rec.server.close());

  it('GET: Host, User-Agent, sorted canonical headers, Accept-Encoding; no Connection', async () => {
    const base = `http://127.0.0.1:${rec.port}`;
    const res = await goRequest({ url: `${base}/p/a?b=1&c=2`, header: { 'x-y-Z': 'true', autHoriZatiOn: 'bearer 1', 'A-B-C': 'x' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'ok');
    assert.equal(
      rec.requests.at(-1),
      `GET /p/a?b=1&c=2 HTTP/1.1\r\nHost: 127.0.0.1:${rec.port}\r\nUser-Agent: Go-http-client/1.1\r\n` +
        'A-B-C: x\r\nAuthorization: bearer 1\r\nX-Y-Z: true\r\nAccept-Encoding: gzip\r\n\r\n',
    );
  });

  it('POST without body sends Content-Length: 0; with body its length; OPTIONS none', async () => {
    const base = `http://127.0.0.1:${rec.port}`;
    await goRequest({ method: 'POST', url: `${base}/x` });
    assert.equal(
      rec.requests.at(-1),
      `POST /x HTTP/1.1\r\nHost: 127.0.0.1:${rec.port}\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\nAccept-Encoding: gzip\r\n\r\n`,
    );
    await goRequest({ method: 'POST', url: `${base}/x`, body: Buffer.from(goJsonMarshal({ foo: 'bar' })) });
    assert.equal(
      rec.requests.at(-1),
      `POST /x HTTP/1.1\r\nHost: 127.0.0.1:${rec.port}\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 13\r\nAccept-Encoding: gzip\r\n\r\n{"foo":"bar"}`,
    );
    await goRequest({ method: 'OPTIONS', url: `${base}/x`, header: { 'User-Agent': 'some', Origin: 'http://foo.example' } });
    assert.equal(
      rec.requests.at(-1),
      `OPTIONS /x HTTP/1.1\r\nHost: 127.0.0.1:${rec.port}\r\nUser-Agent: some\r\nOrigin: http://foo.example\r\nAccept-Encoding: gzip\r\n\r\n`,
    );
  });

  it('an explicit Accept-Encoding replaces the gzip default; HEAD gets none', async () => {
    const base = `http://127.0.0.1:${rec.port}`;
    await goRequest({ url: `${base}/x`, header: { 'accept-encoding': 'br' } });
    assert.equal(rec.requests.at(-1), `GET /x HTTP/1.1\r\nHost: 127.0.0.1:${rec.port}\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: br\r\n\r\n`);
    await goRequest({ method: 'HEAD', url: `${base}/x` });
    assert.equal(rec.requests.at(-1), `HEAD /x HTTP/1.1\r\nHost: 127.0.0.1:${rec.port}\r\nUser-Agent: Go-http-client/1.1\r\n\r\n`);
  });
});

describe('Go-like client: responses', () => {
  it('gunzips transparently and drops Content-Encoding/Content-Length; keeps repeated headers apart', async () => {
    const gz = gzipSync(Buffer.from('hello'));
    const rec = await recorder(() =>
      Buffer.concat([
        Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\nX-List: a, b\r\n\r\n`),
        gz,
      ]),
    );
    try {
      const res = await goRequest({ url: `http://127.0.0.1:${rec.port}/` });
      assert.equal(res.body.toString(), 'hello');
      assert.equal(res.uncompressed, true);
      assert.equal(headerValues(res, 'content-encoding'), undefined);
      assert.equal(headerValues(res, 'content-length'), undefined);
      assert.deepEqual(headerValues(res, 'set-cookie'), ['a=1', 'b=2']);
      assert.deepEqual(headerValues(res, 'x-list'), ['a, b']);
    } finally {
      rec.server.close();
    }
  });

  it('decodes chunked responses', async () => {
    const rec = await recorder(() => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    try {
      const res = await goRequest({ url: `http://127.0.0.1:${rec.port}/` });
      assert.equal(res.body.toString(), 'abcde');
    } finally {
      rec.server.close();
    }
  });

  it('stops after 10 redirects', async () => {
    const rec = await recorder(() => 'HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n');
    try {
      await assert.rejects(goRequest({ url: `http://127.0.0.1:${rec.port}/` }), (err: unknown) => {
        assert.ok(err instanceof ClientError);
        assert.equal(err.code, 'TOO_MANY_REDIRECTS');
        return true;
      });
      assert.equal(rec.requests.length, 10);
      assert.match(rec.requests[1], /\r\nReferer: http:\/\/127\.0\.0\.1:\d+\/\r\n/);
    } finally {
      rec.server.close();
    }
  });

  it('reports connection errors with their code', async () => {
    const rec = await recorder(() => '');
    const port = rec.port;
    await new Promise<void>((r) => rec.server.close(() => r()));
    await assert.rejects(goRequest({ url: `http://127.0.0.1:${port}/` }), (err: unknown) => err instanceof ClientError && err.code === 'ECONNREFUSED');
  });
});

describe('mock backend', () => {
  let mock: MockBackend;
  let base: string;
  before(async () => {
    mock = await startMockBackend(0, { delayMs: 150 });
    base = `http://127.0.0.1:${mock.port}`;
  });
  after(() => mock.close());

  it('echo: exact raw response', async () => {
    const out = await raw(
      mock.port,
      `GET /param_forwarding/foo?a=1&b=2&b=3 HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: KrakenD Version 2.13.8\r\nx-forwarded-for: 127.0.0.1\r\nX-Forwarded-Host: localhost:8080\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n`,
    );
    const body =
      '{"foo":42,"headers":{"Accept-Encoding":["gzip"],"Connection":["close"],"User-Agent":["KrakenD Version 2.13.8"],"X-Forwarded-Host":["localhost:8080"]},"path":"/param_forwarding/foo","query":{"a":["1"],"b":["2","3"]}}\n';
    assert.match(out, DATE_RE);
    assert.equal(
      out.replace(DATE_RE, ''),
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: test1=test1\r\nSet-Cookie: test2=test2\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  it('echo through the client: default headers, Referer-free, Go escaping, Pragma rule', async () => {
    const res = await goRequest({ url: `${base}/param_forwarding/x`, header: { ...LOOPBACK, 'X-Html': '<a&b>', Pragma: 'no-cache' } });
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(res, 'Set-Cookie'), ['test1=test1', 'test2=test2']);
    assert.deepEqual(headerValues(res, 'Content-Type'), ['application/json']);
    assert.equal(
      res.body.toString('utf8'),
      '{"foo":42,"headers":{"Accept-Encoding":["gzip"],"Cache-Control":["no-cache"],"Pragma":["no-cache"],"User-Agent":["Go-http-client/1.1"],"X-Html":["\\u003ca\\u0026b\\u003e"]},"path":"/param_forwarding/x","query":{}}\n',
    );
  });

  it('echo: repeated request headers stay separate; dump_body with a chunked body', async () => {
    const out = await raw(
      mock.port,
      'POST /param_forwarding/bar?foo=foo&dump_body=1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ::1\r\nX-A: 1\r\nx-a: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
        '5\r\n{"foo\r\n8\r\n":"bar"}\r\n0\r\n\r\n',
    );
    const body = out.slice(out.indexOf('\r\n\r\n') + 4);
    assert.equal(
      body,
      '{"body":"{\\"foo\\":\\"bar\\"}","foo":42,"headers":{"Connection":["close"],"X-A":["1","2"]},"path":"/param_forwarding/bar","query":{"dump_body":["1"],"foo":["foo"]}}\n',
    );
  });

  it('keeps the connection alive and answers pipelined requests in order', async () => {
    const out = await raw(
      mock.port,
      'GET /collection/1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 127.0.0.1\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.equal(out.split('HTTP/1.1 ').length - 1, 2);
    assert.ok(out.indexOf('HTTP/1.1 200 OK') < out.indexOf('HTTP/1.1 404 Not Found'));
    assert.ok(!/keep-alive/i.test(out));
  });

  it('collection: exact body', async () => {
    const res = await goRequest({ url: `${base}/collection/2`, header: LOOPBACK });
    const items = Array.from({ length: 10 }, (_, i) => `{"i":${i},"path":"/collection/2"}`).join(',');
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(res, 'Content-Type'), ['application/json']);
    assert.equal(res.body.toString(), `[${items}]\n`);
  });

  it('X-Forwarded-For guard', async () => {
    for (const ok of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackForwardedFor(ok), ok);
    for (const bad of [
      undefined,
      '',
      '10.0.0.1',
      '127.0.0.1, 127.0.0.2',
      '127.0.0.1:80',
      '[::1]',
      'fe80::1%lo',
      '::ffff:10.0.0.1',
      'localhost',
      '127.000.0.1',
    ]) {
      assert.ok(!isLoopbackForwardedFor(bad), String(bad));
    }
    const res = await goRequest({ url: `${base}/param_forwarding/`, header: { 'X-Forwarded-For': '10.0.0.1' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.toString(), 'invalid X-Forwarded-For\n');
    assert.deepEqual(headerValues(res, 'Content-Type'), ['text/plain; charset=utf-8']);
    assert.deepEqual(headerValues(res, 'X-Content-Type-Options'), ['nosniff']);
    const missing = await goRequest({ url: `${base}/xml` });
    assert.equal(missing.status, 400);
  });

  it('404 for unregistered paths, without the guard', async () => {
    for (const p of ['/unknown', '/', '/42', '/xml/']) {
      const out = await raw(mock.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.equal(
        out.replace(DATE_RE, ''),
        'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n',
        p,
      );
    }
  });

  it('301 to the trailing-slash form, query kept; the client follows it with a Referer', async () => {
    const out = await raw(mock.port, 'GET /param_forwarding?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(
      out.replace(DATE_RE, ''),
      'HTTP/1.1 301 Moved Permanently\r\nContent-Type: text/html; charset=utf-8\r\nLocation: /param_forwarding/?x=1\r\nContent-Length: 57\r\nConnection: close\r\n\r\n' +
        '<a href="/param_forwarding/?x=1">Moved Permanently</a>.\n\n',
    );
    const post = await raw(mock.port, 'POST /collection HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    assert.equal(post.replace(DATE_RE, ''), 'HTTP/1.1 301 Moved Permanently\r\nLocation: /collection/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    const res = await goRequest({ url: `${base}/param_forwarding`, header: LOOPBACK });
    assert.equal(res.status, 200);
    assert.equal(res.redirects, 1);
    assert.equal(
      res.body.toString(),
      `{"foo":42,"headers":{"Accept-Encoding":["gzip"],"Referer":["${base}/param_forwarding"],"User-Agent":["Go-http-client/1.1"]},"path":"/param_forwarding/","query":{}}\n`,
    );
  });

  it('301 to the cleaned path', async () => {
    const res = await goRequest({ url: `${base}/param_forwarding/../collection/x`, followRedirects: false });
    assert.equal(res.status, 301);
    assert.deepEqual(headerValues(res, 'Location'), ['/collection/x']);
  });

  it('redirect route: status from the query; 303 becomes GET without body, 307 keeps it', async () => {
    for (const code of [301, 302, 303, 307, 308]) {
      const res = await goRequest({ url: `${base}/redirect/?status=${code}`, followRedirects: false, header: LOOPBACK });
      assert.equal(res.status, code);
      assert.deepEqual(headerValues(res, 'Location'), [`/param_forwarding/?status=${code}`]);
    }
    const r303 = await goRequest({ method: 'POST', url: `${base}/redirect/?status=303&dump_body=1`, header: LOOPBACK, body: Buffer.from('hi') });
    const j303 = JSON.parse(r303.body.toString()) as { body: string; headers: Record<string, string[]> };
    assert.equal(j303.body, '');
    assert.equal(j303.headers['Content-Length'], undefined);
    assert.deepEqual(j303.headers.Referer, [`${base}/redirect/?status=303&dump_body=1`]);
    const r307 = await goRequest({ method: 'POST', url: `${base}/redirect/?status=307&dump_body=1`, header: LOOPBACK, body: Buffer.from('hi') });
    const j307 = JSON.parse(r307.body.toString()) as { body: string; headers: Record<string, string[]> };
    assert.equal(j307.body, 'hi');
    assert.deepEqual(j307.headers['Content-Length'], ['2']);
    const bad = await goRequest({ url: `${base}/redirect/?status=abc`, header: LOOPBACK });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.toString(), 'strconv.Atoi: parsing "abc": invalid syntax\n');
  });

  it('/xml and /jwk/symmetric serve the shared files byte for byte', async () => {
    const xml = await goRequest({ url: `${base}/xml`, header: LOOPBACK });
    assert.deepEqual(headerValues(xml, 'Content-Type'), ['application/xml; charset=utf-8']);
    assert.ok(xml.body.equals(readFileSync(join(mockBackendDataDir(), 'user.xml'))));
    const jwk = await goRequest({ url: `${base}/jwk/symmetric` }); // no guard on this route
    assert.equal(jwk.status, 200);
    assert.deepEqual(headerValues(jwk, 'Content-Type'), ['application/json']);
    assert.ok(jwk.body.equals(readFileSync(join(mockBackendDataDir(), 'jwk-symmetric.json'))));
  });

  it('/delayed/ waits, then echoes', async () => {
    const t0 = Date.now();
    const res = await goRequest({ url: `${base}/delayed/`, header: LOOPBACK });
    assert.ok(Date.now() - t0 >= 140);
    assert.equal(JSON.parse(res.body.toString()).path, '/delayed/');
  });

  it('rejects HTTP/1.1 requests without Host like Go', async () => {
    const out = await raw(mock.port, 'GET /unknown HTTP/1.1\r\n\r\n');
    assert.equal(
      out,
      'HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: missing required Host header',
    );
  });
});

describe('Go query parsing', () => {
  it('follows url.ParseQuery', () => {
    const q = goParseQuery('a=1&b=2&b=3&c&d=x+y%21&bad=%zz&semi=1;2&&=e');
    assert.deepEqual(
      [...q.entries()].map(([k, v]) => [k, v.map((b) => b.toString())]),
      [
        ['a', ['1']],
        ['b', ['2', '3']],
        ['c', ['']],
        ['d', ['x y!']],
        ['', ['e']],
      ],
    );
  });
});
