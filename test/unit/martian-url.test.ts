import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { h, onRequest, onResponse, refused, req, res, runReq } from './martian-helpers.js';

const setHit = { 'header.Modifier': { scope: ['request'], name: 'X-Hit', value: 'true' } };
const setMiss = { 'header.Modifier': { scope: ['request'], name: 'X-Hit', value: 'false' } };

describe('url.Modifier', () => {
  it('replaces the set parts only (KrakenD docs example), leaving the Host header', () => {
    const r = onRequest(
      { 'url.Modifier': { scope: ['request'], scheme: 'http', host: 'localhost:8080', path: '/__echo/hello', query: 'flag=true' } },
      req({ url: { scheme: 'https', host: 'does-not-exist', path: '/neither', query: 'x=1' }, host: 'does-not-exist' }),
    );
    assert.deepEqual(r.url, { scheme: 'http', host: 'localhost:8080', path: '/__echo/hello', query: 'flag=true' });
    assert.equal(r.host, 'does-not-exist');
  });
  it("escapes a configured path as Go's EscapedPath does", () => {
    const r = onRequest({ 'url.Modifier': { scope: ['request'], path: '/a b/ü' } });
    assert.equal(r.url.path, '/a%20b/%C3%BC');
  });
  it('is request-only and refuses other schemes', () => {
    refused({ 'url.Modifier': { scope: ['response'], path: '/x' } }, '/url.Modifier/scope/0', /cannot modify a response/);
    refused({ 'url.Modifier': { scope: ['request'], scheme: 'file' } }, '/url.Modifier/scheme', /http/);
    refused({ 'url.Modifier': { scope: ['request'], host: 'evil.com/path' } }, '/url.Modifier/host', /host\[:port\]/);
  });
});

describe('url.Filter', () => {
  const cfg = { 'url.Filter': { scope: ['request', 'response'], query: 'legacy=1', modifier: setHit, else: setMiss } };
  it('compares the raw query exactly (KrakenD docs example)', () => {
    assert.deepEqual(h(onRequest(cfg, req({ url: { scheme: 'http', host: 'h', path: '/p', query: 'legacy=1' } })), 'x-hit'), ['true']);
    assert.deepEqual(h(onRequest(cfg, req({ url: { scheme: 'http', host: 'h', path: '/p', query: 'legacy=1&b=2' } })), 'x-hit'), ['false']);
  });
  it('matches host wildcards, scheme and decoded path; every set part must match', () => {
    const c = (o: object): unknown => ({ 'url.Filter': { scope: ['request'], ...o, modifier: setHit, else: setMiss } });
    const u = { scheme: 'https', host: 'api.example.com', path: '/a%20b', query: '' };
    const hit = (o: object): string | undefined => h(onRequest(c(o), req({ url: { ...u } })), 'x-hit')?.[0];
    assert.equal(hit({ host: '*.example.com' }), 'true');
    assert.equal(hit({ host: 'example.com' }), 'false');
    assert.equal(hit({ host: 'api.example.com', scheme: 'https', path: '/a b' }), 'true');
    assert.equal(hit({ host: 'api.example.com', scheme: 'http' }), 'false');
    assert.equal(hit({}), 'true');
  });
  it('in the response phase it matches the request URL', () => {
    const c = { 'url.Filter': { scope: ['response'], path: '/foo', modifier: { 'status.Modifier': { scope: ['response'], statusCode: 202 } } } };
    assert.equal(onResponse(c).status, 202);
  });
});

describe('url.RegexFilter', () => {
  const cfg = { 'url.RegexFilter': { scope: ['request'], regex: '.*localhost.*', modifier: setHit, else: setMiss } };
  it('matches RE2 against URL.String() (KrakenD docs example)', () => {
    assert.deepEqual(h(onRequest(cfg, req({ url: { scheme: 'http', host: 'localhost:8080', path: '/x', query: '' } })), 'x-hit'), ['true']);
    assert.deepEqual(h(onRequest(cfg, req()), 'x-hit'), ['false']);
  });
  it("sees the query string, as Go's URL.String() includes it", () => {
    const c = { 'url.RegexFilter': { scope: ['request'], regex: 'debug=1$', modifier: setHit } };
    assert.deepEqual(h(onRequest(c, req({ url: { scheme: 'http', host: 'h', path: '/x', query: 'debug=1' } })), 'x-hit'), ['true']);
  });
  it('refuses lookarounds (not RE2)', () => {
    refused({ 'url.RegexFilter': { scope: ['request'], regex: '(?=a)', modifier: setHit } }, '/url.RegexFilter/regex', /RE2/);
  });
});

describe('querystring.Modifier', () => {
  it("sets a value over the client's and re-encodes sorted (KrakenD docs example)", () => {
    const r = onRequest(
      { 'querystring.Modifier': { scope: ['request'], name: 'amount', value: '75' } },
      req({ url: { scheme: 'http', host: 'h', path: '/__echo/querystring.Modifier', query: 'currency=EUR&amount=55' } }),
    );
    assert.equal(r.url.query, 'amount=75&currency=EUR');
  });
  it('encodes like url.Values.Encode (spaces as +, reserved bytes escaped) and drops pairs Go refuses', () => {
    const r = onRequest(
      { 'querystring.Modifier': { scope: ['request'], name: 'q', value: 'a b&c=d' } },
      req({ url: { scheme: 'http', host: 'h', path: '/', query: 'z=1&bad=%zz&semi=a;b&a=x+y' } }),
    );
    assert.equal(r.url.query, 'a=x+y&q=a+b%26c%3Dd&z=1');
  });
  it('sorts keys by UTF-8 bytes like Go, also around surrogates', () => {
    const r = onRequest(
      { 'querystring.Modifier': { scope: ['request'], name: 'a', value: '1' } },
      req({ url: { scheme: 'http', host: 'h', path: '/', query: '%F0%9F%98%80=1&%EF%BF%BD=2&z=3' } }),
    );
    assert.equal(r.url.query, 'a=1&z=3&%EF%BF%BD=2&%F0%9F%98%80=1');
  });
  it('is request-only', () => {
    refused({ 'querystring.Modifier': { scope: ['response'], name: 'a', value: 'b' } }, '/querystring.Modifier/scope/0', /cannot modify a response/);
  });
});

describe('querystring.Filter', () => {
  const cfg = { 'querystring.Filter': { scope: ['request'], name: 'param', value: 'true', modifier: setHit, else: setMiss } };
  const q = (query: string): ReturnType<typeof req> => req({ url: { scheme: 'http', host: 'h', path: '/', query } });
  it('matches name and value (KrakenD docs example)', () => {
    assert.deepEqual(h(onRequest(cfg, q('param=true')), 'x-hit'), ['true']);
    assert.deepEqual(h(onRequest(cfg, q('param=false&param=true')), 'x-hit'), ['true']);
    assert.deepEqual(h(onRequest(cfg, q('param=false')), 'x-hit'), ['false']);
  });
  it('without value, the key alone is enough', () => {
    const c = { 'querystring.Filter': { scope: ['request'], name: 'debug', modifier: setHit } };
    assert.deepEqual(h(onRequest(c, q('debug=')), 'x-hit'), ['true']);
    assert.equal(h(onRequest(c, q('other=1')), 'x-hit'), undefined);
  });
  it('querystring.Verifier needs a non-empty name and changes nothing', () => {
    refused({ 'querystring.Verifier': { scope: ['request'], name: '' } }, '/querystring.Verifier/name', /non-empty key/);
    assert.equal(onRequest({ 'querystring.Verifier': { scope: ['request'], name: 'a' } }, q('b=1')).url.query, 'b=1');
  });
});

describe('port.Modifier', () => {
  const u = (host: string, scheme = 'http'): ReturnType<typeof req> => req({ url: { scheme, host, path: '/', query: '' } });
  it('sets a port, keeping the Host header (Go ignores the map entry martian writes)', () => {
    const r = onRequest({ 'port.Modifier': { scope: ['request'], port: 8080 } }, u('localhost:1234'));
    assert.equal(r.url.host, 'localhost:8080');
    assert.equal(r.host, 'backend.local:8080');
  });
  it('defaultForScheme and remove', () => {
    assert.equal(onRequest({ 'port.Modifier': { scope: ['request'], defaultForScheme: true } }, u('h:1', 'https')).url.host, 'h:443');
    assert.equal(onRequest({ 'port.Modifier': { scope: ['request'], remove: true } }, u('h:1')).url.host, 'h');
    assert.equal(onRequest({ 'port.Modifier': { scope: ['request'], port: 81 } }, u('[::1]:80')).url.host, '[::1]:81');
  });
  it("a host Go cannot split is Go's error", () => {
    assert.match(runReq({ 'port.Modifier': { scope: ['request'], port: 81 } }, u('a:b:c')) ?? '', /too many colons/);
  });
  it('exactly one of port, defaultForScheme, remove', () => {
    refused({ 'port.Modifier': { scope: ['request'] } }, '/port.Modifier', /only one of/);
    refused({ 'port.Modifier': { scope: ['request'], port: 80, remove: true } }, '/port.Modifier', /only one of/);
    refused({ 'port.Modifier': { scope: ['request'], port: 70000 } }, '/port.Modifier/port', /between/);
  });
});

describe('port.Filter', () => {
  const cfg = { 'port.Filter': { scope: ['request'], port: 1234, modifier: { 'port.Modifier': { scope: ['request'], port: 8080 } } } };
  const u = (host: string, scheme = 'http'): ReturnType<typeof req> => req({ url: { scheme, host, path: '/', query: '' } });
  it('runs its modifier when the URL port matches (KrakenD docs example)', () => {
    assert.equal(onRequest(cfg, u('localhost:1234')).url.host, 'localhost:8080');
    assert.equal(onRequest(cfg, u('localhost:9999')).url.host, 'localhost:9999');
  });
  it("a URL without port has the scheme's default port", () => {
    const c = { 'port.Filter': { scope: ['request'], port: 443, modifier: setHit } };
    assert.deepEqual(h(onRequest(c, u('h', 'https')), 'x-hit'), ['true']);
    assert.equal(h(onRequest(c, u('h', 'http')), 'x-hit'), undefined);
  });
  it('has no else', () => {
    refused({ 'port.Filter': { ...cfg['port.Filter'], else: setMiss } }, '/port.Filter/else', /no "else"/);
  });
  it('response phase: Go errors on a URL without port whose default differs', () => {
    const c = { 'port.Filter': { scope: ['response'], port: 8080, modifier: { 'status.Modifier': { scope: ['response'], statusCode: 201 } } } };
    assert.equal(onResponse(c, res(), u('h:8080')).status, 201);
    assert.equal(onResponse(c, res(), u('h:1')).status, 200);
  });
});

describe('method.Filter (martian v3; CE does not link it)', () => {
  const cfg = { 'method.Filter': { scope: ['request'], method: 'post', modifier: setHit, else: setMiss } };
  it('compares case-insensitively', () => {
    assert.deepEqual(h(onRequest(cfg, req({ method: 'POST' })), 'x-hit'), ['true']);
    assert.deepEqual(h(onRequest(cfg, req({ method: 'GET' })), 'x-hit'), ['false']);
  });
  it('needs a method', () => {
    refused({ 'method.Filter': { scope: ['request'], modifier: setHit } }, '/method.Filter', /needs "method"/);
  });
});
