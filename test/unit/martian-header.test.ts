import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { compileMartian, runMartianRequest, runMartianResponse } from '../../src/modifiers/martian/index.js';
import { h, onRequest, onResponse, refused, req, res, runReq } from './martian-helpers.js';

const both = ['request', 'response'];

describe('header.Modifier', () => {
  it('sets a header on the request, replacing every value', () => {
    const r = onRequest({ 'header.Modifier': { scope: ['request'], name: 'X-Some', value: 'new' } }, req({ headers: { 'x-some': ['a', 'b'] } }));
    assert.deepEqual(h(r, 'x-some'), ['new']);
  });
  it('sets on the response too, and Host only on the request', () => {
    const cfg = { 'header.Modifier': { scope: both, name: 'User-Agent', value: 'Late-Night-Commander v2.3' } };
    const r = req();
    const s = onResponse(cfg, res(), r);
    assert.deepEqual(h(r, 'user-agent'), ['Late-Night-Commander v2.3']);
    assert.deepEqual(h(s, 'user-agent'), ['Late-Night-Commander v2.3']);
  });
  it('a Host header.Modifier changes the Host sent, not the map', () => {
    const r = onRequest({ 'header.Modifier': { scope: ['request'], name: 'Host', value: 'api.example.com' } });
    assert.equal(r.host, 'api.example.com');
    assert.equal(r.headers.has('host'), false);
    assert.equal(r.url.host, 'backend.local:8080');
  });
  it('basic auth towards a backend (KrakenD docs example)', () => {
    const r = onRequest({ 'header.Modifier': { scope: ['request'], name: 'Authorization', value: 'Basic dXNlcjpwYTU1dzByZA==' } });
    assert.deepEqual(h(r, 'authorization'), ['Basic dXNlcjpwYTU1dzByZA==']);
  });
  it('refuses framing headers, bad names and CR/LF values with a pointer', () => {
    refused({ 'header.Modifier': { scope: ['request'], name: 'Content-Length', value: '0' } }, '/header.Modifier/name', /smuggling/);
    refused({ 'header.Modifier': { scope: ['request'], name: 'Transfer-Encoding', value: 'chunked' } }, '/header.Modifier/name', /computed/);
    refused({ 'header.Modifier': { scope: ['request'], name: 'X Bad', value: 'v' } }, '/header.Modifier/name', /not a valid header name/);
    refused({ 'header.Modifier': { scope: ['request'], name: 'X-A', value: 'a\r\nX-Injected: 1' } }, '/header.Modifier/value', /injection/);
    refused({ 'header.Modifier': { scope: ['request'], value: 'v' } }, '/header.Modifier', /needs "name"/);
    refused({ 'header.Modifier': { scope: ['request'], name: 5 } }, '/header.Modifier/name', /must be a string/);
  });
});

describe('header.Append', () => {
  it('appends a value, creating the header when absent', () => {
    const cfg = { 'header.Append': { scope: both, name: 'X-Some', value: 'I am' } };
    const r = req({ headers: { 'x-some': 'first' } });
    const s = onResponse(cfg, res(), r);
    assert.deepEqual(h(r, 'x-some'), ['first', 'I am']);
    assert.deepEqual(h(s, 'x-some'), ['I am']);
  });
  it('appending Host to a request that has one is Go\'s "illegal header multiple" error', () => {
    assert.equal(runReq({ 'header.Append': { scope: ['request'], name: 'Host', value: 'x' } }), 'proxyutil: illegal header multiple: Host');
  });
});

describe('header.Blacklist', () => {
  it('removes the listed headers from request and response, case-insensitively', () => {
    const cfg = { 'header.Blacklist': { scope: both, names: ['X-Some', 'User-Agent', 'X-Forwarded-Host', 'X-Forwarded-For'] } };
    const r = req({ headers: { 'x-some': 'a', 'user-agent': 'KrakenD', 'x-forwarded-for': '10.0.0.1', 'x-keep': 'k' } });
    const s = onResponse(cfg, res({ headers: { 'x-some': 'b', 'x-keep': 'k' } }), r);
    assert.deepEqual([...r.headers.keys()], ['x-keep']);
    assert.deepEqual([...s.headers.keys()], ['x-keep']);
  });
  it('names must be an array of strings', () => {
    refused({ 'header.Blacklist': { scope: both, names: 'X-Some' } }, '/header.Blacklist/names', /array of strings/);
    refused({ 'header.Blacklist': { scope: both, names: ['ok', 3] } }, '/header.Blacklist/names/1', /string/);
  });
});

describe('header.Copy', () => {
  it('copies the first value of one header into another of the same message', () => {
    const cfg = { 'header.Copy': { scope: both, from: 'User-Agent', to: 'X-Browser' } };
    const r = req({ headers: { 'user-agent': ['curl/8', 'second'] } });
    const s = onResponse(cfg, res({ headers: { 'user-agent': 'upstream' } }), r);
    assert.deepEqual(h(r, 'x-browser'), ['curl/8']);
    assert.deepEqual(h(s, 'x-browser'), ['upstream']);
  });
  it('a missing source sets an empty value (as Go does), never a value from elsewhere', () => {
    const r = onRequest({ 'header.Copy': { scope: ['request'], from: 'X-Absent', to: 'X-To' } });
    assert.deepEqual(h(r, 'x-to'), ['']);
  });
  it('copies Host from Request.Host', () => {
    const r = onRequest({ 'header.Copy': { scope: ['request'], from: 'Host', to: 'X-Original-Host' } });
    assert.deepEqual(h(r, 'x-original-host'), ['backend.local:8080']);
  });
});

describe('header.Id', () => {
  it('sets X-Krakend-Id with a UUID by default, and keeps an existing one', () => {
    const r = onRequest({ 'header.Id': { scope: ['request'] } });
    assert.match(h(r, 'x-krakend-id')?.[0] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const kept = onRequest({ 'header.Id': { scope: ['request'], header: 'X-Request-Id' } }, req({ headers: { 'x-request-id': 'abc' } }));
    assert.deepEqual(h(kept, 'x-request-id'), ['abc']);
  });
  it('each request gets a different id', () => {
    const m = compileMartian({ 'header.Id': { scope: ['request'], header: 'X-Request-Id' } });
    const a = req();
    const b = req();
    runMartianRequest(m, a);
    runMartianRequest(m, b);
    assert.notEqual(h(a, 'x-request-id')?.[0], h(b, 'x-request-id')?.[0]);
  });
  it('is request-only', () => {
    refused({ 'header.Id': { scope: ['response'] } }, '/header.Id/scope/0', /cannot modify a response/);
  });
});

describe('header.Filter', () => {
  const cfg = {
    'header.Filter': {
      scope: ['request'],
      name: 'X-Tenant',
      value: 'v1',
      modifier: { 'querystring.Modifier': { scope: ['request'], name: 'legacy', value: '1' } },
      else: { 'header.Modifier': { scope: ['request'], name: 'X-Legacy', value: 'no' } },
    },
  };
  it('runs the modifier when some value matches exactly (KrakenD docs example)', () => {
    const r = onRequest(cfg, req({ headers: { 'x-tenant': ['v0', 'v1'] } }));
    assert.equal(r.url.query, 'legacy=1');
    assert.equal(r.headers.has('x-legacy'), false);
  });
  it('runs else otherwise', () => {
    const r = onRequest(cfg, req({ headers: { 'x-tenant': 'v10' } }));
    assert.equal(r.url.query, '');
    assert.deepEqual(h(r, 'x-legacy'), ['no']);
  });
  it('on responses it tests the response headers', () => {
    const c = {
      'header.Filter': { scope: ['response'], name: 'X-Cache', value: 'HIT', modifier: { 'status.Modifier': { scope: ['response'], statusCode: 203 } } },
    };
    assert.equal(onResponse(c, res({ headers: { 'x-cache': 'HIT' } })).status, 203);
    assert.equal(onResponse(c, res({ headers: { 'x-cache': 'MISS' } })).status, 200);
  });
  it('needs a modifier', () => {
    refused({ 'header.Filter': { scope: ['request'], name: 'X' } }, '/header.Filter', /needs "modifier"/);
  });
});

describe('header.RegexFilter', () => {
  const cfg = {
    'header.RegexFilter': {
      scope: ['request'],
      header: 'X-App-Version',
      regex: '.*-(alpha|beta|preview)$',
      modifier: { 'querystring.Modifier': { scope: ['request'], name: 'testing', value: '1' } },
    },
  };
  it('matches RE2 on the first value (KrakenD docs example)', () => {
    assert.equal(onRequest(cfg, req({ headers: { 'x-app-version': 'v1.2.3-alpha' } })).url.query, 'testing=1');
    assert.equal(onRequest(cfg, req({ headers: { 'x-app-version': 'v1.2.3' } })).url.query, '');
    assert.equal(onRequest(cfg, req()).url.query, '');
  });
  it('is unanchored like Go MatchString', () => {
    const c = {
      'header.RegexFilter': {
        scope: ['request'],
        header: 'X-A',
        regex: 'b+',
        modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Hit', value: '1' } },
      },
    };
    assert.deepEqual(h(onRequest(c, req({ headers: { 'x-a': 'abbbc' } })), 'x-hit'), ['1']);
  });
  it('in the response phase it reads the request header', () => {
    const c = {
      'header.RegexFilter': {
        scope: ['response'],
        header: 'X-Debug',
        regex: '^1$',
        modifier: { 'header.Modifier': { scope: ['response'], name: 'X-Debugged', value: 'yes' } },
      },
    };
    const s = onResponse(c, res({ headers: { 'x-debug': '0' } }), req({ headers: { 'x-debug': '1' } }));
    assert.deepEqual(h(s, 'x-debugged'), ['yes']);
  });
  it('refuses a bad regex, backreferences (not RE2) and an else', () => {
    refused(
      { 'header.RegexFilter': { scope: ['request'], header: 'X', regex: '(', modifier: cfg['header.RegexFilter'].modifier } },
      '/header.RegexFilter/regex',
      /invalid regular expression/,
    );
    refused(
      { 'header.RegexFilter': { scope: ['request'], header: 'X', regex: '(a)\\1', modifier: cfg['header.RegexFilter'].modifier } },
      '/header.RegexFilter/regex',
      /invalid regular expression/,
    );
    refused({ 'header.RegexFilter': { ...cfg['header.RegexFilter'], else: cfg['header.RegexFilter'].modifier } }, '/header.RegexFilter/else', /no "else"/);
  });
});

describe('header.Verifier and stash.Modifier', () => {
  it('header.Verifier compiles and changes nothing (KrakenD never reads verifications)', () => {
    const r = req({ headers: { 'x-a': '1' } });
    const s = onResponse({ 'header.Verifier': { scope: both, name: 'X-A', value: '2' } }, res(), r);
    assert.deepEqual([...r.headers.entries()], [['x-a', ['1']]]);
    assert.equal(s.headers.size, 0);
  });
  it('stash.Modifier writes the URL being sent into a header, and echoes it on the response', () => {
    const r = req({ url: { scheme: 'http', host: 'localhost:8080', path: '/__echo/stash.Modifier', query: 'amount=1' } });
    const s = onResponse({ 'stash.Modifier': { scope: both, headerName: 'X-Stash' } }, res(), r);
    assert.deepEqual(h(r, 'x-stash'), ['http://localhost:8080/__echo/stash.Modifier?amount=1']);
    assert.deepEqual(h(s, 'x-stash'), ['http://localhost:8080/__echo/stash.Modifier?amount=1']);
  });
  it('stash.Modifier on the response alone is refused, as in Go', () => {
    refused({ 'stash.Modifier': { scope: ['response'], headerName: 'X-Stash' } }, '/stash.Modifier/scope', /both request and response/);
  });
  it('response modifiers see the request as martian left it', () => {
    const m = compileMartian({ 'stash.Modifier': { scope: both, headerName: 'X-Stash' } });
    const r = req();
    const s = res();
    runMartianRequest(m, r);
    r.headers.set('x-stash', ['changed later']);
    runMartianResponse(m, s, r);
    assert.deepEqual(h(s, 'x-stash'), ['changed later']);
  });
});
