import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { h, onRequest, onResponse, refused, req, res } from './martian-helpers.js';
import { compileMartian, runMartianResponse } from '../../src/modifiers/martian/index.js';

const rock = Buffer.from('{"msg":"you rock!"}').toString('base64');

describe('body.Modifier', () => {
  const cfg = { 'body.Modifier': { scope: ['request', 'response'], body: rock, contentType: 'application/json' } };
  it('replaces request and response bodies, sets Content-Type, drops Content-Encoding (KrakenD docs example)', () => {
    const r = req({ headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' }, body: Buffer.from('old') });
    const s = onResponse(cfg, res({ headers: { 'content-encoding': 'br' }, body: Buffer.from('upstream') }), r);
    assert.equal(r.body?.toString(), '{"msg":"you rock!"}');
    assert.deepEqual(h(r, 'content-type'), ['application/json']);
    assert.equal(r.headers.has('content-encoding'), false);
    assert.equal(s.body?.toString(), '{"msg":"you rock!"}');
    assert.deepEqual(h(s, 'content-type'), ['application/json']);
    assert.equal(s.headers.has('content-encoding'), false);
  });
  it('without contentType Go sets an empty Content-Type, and so does Rampart', () => {
    const r = onRequest({ 'body.Modifier': { scope: ['request'], body: rock } });
    assert.deepEqual(h(r, 'content-type'), ['']);
  });
  it('honours a forwarded Range on the response: one range', () => {
    const s = onResponse(cfg, res(), req({ headers: { range: 'bytes=2-4' } }));
    assert.equal(s.status, 206);
    assert.equal(s.body?.toString(), 'msg');
    assert.deepEqual(h(s, 'content-range'), ['bytes 2-4/19']);
  });
  it('several ranges give multipart/byteranges', () => {
    const s = onResponse(cfg, res(), req({ headers: { range: 'bytes=0-0,2-' } }));
    assert.equal(s.status, 206);
    const ct = h(s, 'content-type')?.[0] ?? '';
    const boundary = /^multipart\/byteranges; boundary=([0-9a-f]{60})$/.exec(ct)?.[1];
    assert.ok(boundary, ct);
    const text = s.body?.toString() ?? '';
    assert.ok(text.startsWith(`--${boundary}\r\nContent-Range: bytes 0-0/19\r\nContent-Type: application/json\r\n\r\n{`));
    assert.ok(text.endsWith(`msg":"you rock!"}\r\n--${boundary}--\r\n`));
  });
  it('an unsatisfiable range is 416 (Go would panic past the end)', () => {
    assert.equal(onResponse(cfg, res(), req({ headers: { range: 'bytes=5-1' } })).status, 416);
    assert.equal(onResponse(cfg, res(), req({ headers: { range: 'bytes=0-999' } })).status, 416);
    const m = compileMartian(cfg);
    assert.match(runMartianResponse(m, res(), req({ headers: { range: 'bytes=-5' } })) ?? '', /strconv.Atoi/);
  });
  it('refuses a body that is not standard base64', () => {
    refused({ 'body.Modifier': { scope: ['request'], body: '{"msg":1}' } }, '/body.Modifier/body', /base64/);
    refused({ 'body.Modifier': { scope: ['request'], body: 'YQ' } }, '/body.Modifier/body', /base64/);
  });
});

describe('cookie.Modifier', () => {
  const cfg = {
    'cookie.Modifier': {
      scope: ['request', 'response'],
      name: 'AcceptCookies',
      value: 'yes',
      path: '/some/path',
      domain: 'example.com',
      expires: '2025-04-12T23:20:50.52Z',
      secure: true,
      httpOnly: false,
      maxAge: 86400,
    },
  };
  it('adds name=value to the request Cookie header and a full Set-Cookie to the response (KrakenD docs example)', () => {
    const r = req({ headers: { cookie: 'a=1' } });
    const s = onResponse(cfg, res({ headers: { 'set-cookie': 'upstream=1' } }), r);
    assert.deepEqual(h(r, 'cookie'), ['a=1; AcceptCookies=yes']);
    assert.deepEqual(h(s, 'set-cookie'), [
      'upstream=1',
      'AcceptCookies=yes; Path=/some/path; Domain=example.com; Expires=Sat, 12 Apr 2025 23:20:50 GMT; Max-Age=86400; Secure',
    ]);
  });
  it('quotes a value with a space, and refuses values a cookie cannot carry', () => {
    const r = onRequest({ 'cookie.Modifier': { scope: ['request'], name: 'n', value: 'a b' } });
    assert.deepEqual(h(r, 'cookie'), ['n="a b"']);
    refused({ 'cookie.Modifier': { scope: ['request'], name: 'n', value: 'a;b' } }, '/cookie.Modifier/value', /may not carry/);
    refused({ 'cookie.Modifier': { scope: ['request'], name: 'n=', value: 'a' } }, '/cookie.Modifier/name', /cookie name/);
    refused({ 'cookie.Modifier': { scope: ['request'], name: 'n', expires: 'tomorrow' } }, '/cookie.Modifier/expires', /RFC 3339/);
  });
});

describe('cookie.Filter', () => {
  const cfg = {
    'cookie.Filter': {
      scope: ['request'],
      name: 'marketingCookies',
      value: 'yes',
      modifier: { 'header.Modifier': { scope: ['request'], name: 'Accepts-Marketing-Cookies', value: 'true' } },
      else: { 'header.Modifier': { scope: ['request'], name: 'Accepts-Marketing-Cookies', value: 'false' } },
    },
  };
  it('matches a request cookie by name and value (KrakenD docs example)', () => {
    assert.deepEqual(h(onRequest(cfg, req({ headers: { cookie: 'marketingCookies=no;' } })), 'accepts-marketing-cookies'), ['false']);
    assert.deepEqual(h(onRequest(cfg, req({ headers: { cookie: 'x=1; marketingCookies=yes' } })), 'accepts-marketing-cookies'), ['true']);
    assert.deepEqual(h(onRequest(cfg, req()), 'accepts-marketing-cookies'), ['false']);
  });
  it('on responses it reads Set-Cookie', () => {
    const c = { 'cookie.Filter': { scope: ['response'], name: 'session', modifier: { 'status.Modifier': { scope: ['response'], statusCode: 201 } } } };
    assert.equal(onResponse(c, res({ headers: { 'set-cookie': 'session=abc; Path=/; HttpOnly' } })).status, 201);
    assert.equal(onResponse(c, res({ headers: { 'set-cookie': 'other=abc' } })).status, 200);
  });
});

describe('status.Modifier and status.Verifier', () => {
  it('sets the response status', () => {
    assert.equal(onResponse({ 'status.Modifier': { scope: ['response'], statusCode: 418 } }).status, 418);
  });
  it('is response-only and needs a real status code', () => {
    refused({ 'status.Modifier': { scope: ['request'], statusCode: 200 } }, '/status.Modifier/scope/0', /cannot modify a request/);
    refused({ 'status.Modifier': { scope: ['response'], statusCode: 99 } }, '/status.Modifier/statusCode', /between 100 and 599/);
    refused({ 'status.Modifier': { scope: ['response'] } }, '/status.Modifier', /needs "statusCode"/);
  });
  it('status.Verifier changes nothing', () => {
    assert.equal(onResponse({ 'status.Verifier': { scope: ['response'], statusCode: 201 } }).status, 200);
  });
});
