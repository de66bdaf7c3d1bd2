// Martian over real loopback sockets: a minimal executor (what the pipeline adapter does) sends
// the modified request with undici to a recording backend and shapes the real answer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';

import { startBackend, type TestBackend } from '../helpers/backend.js';
import {
  compileMartian,
  runMartianRequest,
  runMartianResponse,
  skippedResponse,
  toMutableRequest,
  requestToSend,
  toMutableResponse,
  type MutableResponse,
} from '../../src/modifiers/martian/index.js';

let backend: TestBackend;

before(async () => {
  backend = await startBackend((req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json', server: 'upstream/1.0', 'x-upstream': 'yes' });
    res.end(JSON.stringify({ url: req.url, body }));
  });
});
after(() => backend.close());

/** krakend-martian's HTTPRequestExecutor, in the adapter's terms. */
async function execute(cfg: unknown, url: string, headers: Record<string, string> = {}, body: Buffer | null = null, method = 'GET'): Promise<MutableResponse> {
  const m = compileMartian(cfg);
  const req = toMutableRequest(method, url, headers, body);
  const err = runMartianRequest(m, req);
  if (err !== undefined) throw new Error(err);
  let res: MutableResponse;
  if (req.skipRoundTrip) res = skippedResponse();
  else {
    const s = requestToSend(req);
    const r = await request(s.url, {
      method: s.method as 'GET',
      headers: { ...s.headers, host: s.host },
      body: s.body ?? undefined,
      headersTimeout: 3000,
      bodyTimeout: 3000,
    });
    const buf = Buffer.from(await r.body.arrayBuffer());
    res = toMutableResponse(r.statusCode, Object.entries(r.headers), buf);
  }
  const err2 = runMartianResponse(m, res, req);
  if (err2 !== undefined) throw new Error(err2);
  return res;
}

const last = (): (typeof backend.seen)[number] => backend.seen[backend.seen.length - 1];

describe('martian over loopback sockets', () => {
  it('header modifiers reach the backend; a client header not named by the config is not invented', async () => {
    await execute(
      {
        'fifo.Group': {
          scope: ['request'],
          modifiers: [
            { 'header.Modifier': { scope: ['request'], name: 'Authorization', value: 'Basic dXNlcjpwYTU1dzByZA==' } },
            { 'header.Append': { scope: ['request'], name: 'X-Some', value: 'I am' } },
            { 'header.Blacklist': { scope: ['request'], names: ['X-Drop'] } },
            { 'header.Copy': { scope: ['request'], from: 'User-Agent', to: 'X-Browser' } },
            { 'header.Id': { scope: ['request'], header: 'X-Request-Id' } },
          ],
        },
      },
      `${backend.origin}/h`,
      { 'user-agent': 'KrakenD Version 2', 'x-some': 'first', 'x-drop': 'secret' },
    );
    const h = last().headers;
    assert.equal(h.authorization, 'Basic dXNlcjpwYTU1dzByZA==');
    assert.equal(h['x-some'], 'first, I am');
    assert.equal(h['x-drop'], undefined);
    assert.equal(h['x-browser'], 'KrakenD Version 2');
    assert.match(String(h['x-request-id']), /^[0-9a-f-]{36}$/);
  });
  it('querystring.Modifier and url.Modifier change what the backend is asked', async () => {
    await execute(
      {
        'fifo.Group': {
          scope: ['request'],
          modifiers: [
            { 'url.Modifier': { scope: ['request'], path: '/__echo/hello' } },
            { 'querystring.Modifier': { scope: ['request'], name: 'amount', value: '75' } },
          ],
        },
      },
      `${backend.origin}/neither?currency=EUR&amount=55`,
    );
    assert.equal(last().url, '/__echo/hello?amount=75&currency=EUR');
  });
  it('port.Modifier moves the call to another port (the Host header stays)', async () => {
    const dead = `http://127.0.0.1:1/p`;
    await execute({ 'port.Modifier': { scope: ['request'], port: backend.port } }, dead);
    assert.equal(last().url, '/p');
    assert.equal(last().headers.host, '127.0.0.1:1');
  });
  it('body.Modifier sends the configured body with a correct Content-Length', async () => {
    await execute(
      { 'body.Modifier': { scope: ['request'], body: 'eyJtc2ciOiJ5b3Ugcm9jayEifQ==', contentType: 'application/json' } },
      `${backend.origin}/b`,
      {},
      Buffer.from('client body'),
      'POST',
    );
    assert.equal(last().body, '{"msg":"you rock!"}');
    assert.equal(last().headers['content-length'], '19');
    assert.equal(last().headers['content-type'], 'application/json');
  });
  it('cookie.Modifier and stash.Modifier', async () => {
    await execute(
      {
        'fifo.Group': {
          scope: ['request'],
          modifiers: [
            { 'cookie.Modifier': { scope: ['request'], name: 'AcceptCookies', value: 'yes' } },
            { 'stash.Modifier': { scope: ['request'], headerName: 'X-Stash' } },
          ],
        },
      },
      `${backend.origin}/c?amount=1`,
      { cookie: 'a=1' },
    );
    assert.equal(last().headers.cookie, 'a=1; AcceptCookies=yes');
    assert.equal(last().headers['x-stash'], `${backend.origin}/c?amount=1`);
  });
  it('filters decide on the real request: header.Filter and url.RegexFilter', async () => {
    const cfg = {
      'fifo.Group': {
        scope: ['request'],
        modifiers: [
          {
            'header.Filter': {
              scope: ['request'],
              name: 'X-Tenant',
              value: 'v1',
              modifier: { 'querystring.Modifier': { scope: ['request'], name: 'legacy', value: '1' } },
            },
          },
          {
            'url.RegexFilter': {
              scope: ['request'],
              regex: '.*127\\.0\\.0\\.1.*',
              modifier: { 'header.Modifier': { scope: ['request'], name: 'Is-Localhost', value: 'true' } },
              else: { 'header.Modifier': { scope: ['request'], name: 'Is-Localhost', value: 'false' } },
            },
          },
        ],
      },
    };
    await execute(cfg, `${backend.origin}/f`, { 'x-tenant': 'v1' });
    assert.equal(last().url, '/f?legacy=1');
    assert.equal(last().headers['is-localhost'], 'true');
    await execute(cfg, `${backend.origin}/f`, { 'x-tenant': 'v2' });
    assert.equal(last().url, '/f');
  });
  it('response modifiers shape the real answer: status, headers, body', async () => {
    const res = await execute(
      {
        'fifo.Group': {
          scope: ['response'],
          modifiers: [
            { 'status.Modifier': { scope: ['response'], statusCode: 202 } },
            { 'header.Blacklist': { scope: ['response'], names: ['Server'] } },
            { 'header.Modifier': { scope: ['response'], name: 'X-Martian', value: 'true' } },
            { 'cookie.Modifier': { scope: ['response'], name: 'seen', value: '1', httpOnly: true } },
          ],
        },
      },
      `${backend.origin}/r`,
    );
    assert.equal(res.status, 202);
    assert.equal(res.headers.has('server'), false);
    assert.deepEqual(res.headers.get('x-upstream'), ['yes']);
    assert.deepEqual(res.headers.get('x-martian'), ['true']);
    assert.deepEqual(res.headers.get('set-cookie'), ['seen=1; HttpOnly']);
    assert.deepEqual(JSON.parse(res.body?.toString() ?? ''), { url: '/r', body: '' });
  });
  it('skip.RoundTrip: the backend is never called', async () => {
    const before = backend.seen.length;
    const res = await execute(
      {
        'fifo.Group': {
          scope: ['request', 'response'],
          modifiers: [
            { 'skip.RoundTrip': { scope: ['request'] } },
            { 'body.Modifier': { scope: ['response'], body: 'e30=', contentType: 'application/json' } },
          ],
        },
      },
      `${backend.origin}/never`,
    );
    assert.equal(backend.seen.length, before);
    assert.equal(res.status, 200);
    assert.equal(res.body?.toString(), '{}');
  });
});
