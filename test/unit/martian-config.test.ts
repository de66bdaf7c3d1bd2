import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { compileMartian, MARTIAN_NAMES, MARTIAN_SCHEMA, MartianConfigError, runMartianRequest } from '../../src/modifiers/martian/index.js';
import { h, onRequest, refused, req } from './martian-helpers.js';

const hdr = { 'header.Modifier': { scope: ['request'], name: 'X', value: '1' } };

describe('martian config errors carry the JSON pointer of the bad node', () => {
  it('unknown modifier names, at the top and nested, with a hint for a case slip', () => {
    refused({ 'header.Nope': { scope: ['request'] } }, '/header.Nope', /unknown martian modifier "header.Nope"/);
    refused(
      { 'fifo.Group': { scope: ['request'], modifiers: [hdr, { 'fifo.Group': { scope: ['request'], modifiers: [{ 'header.modifier': {} }] } }] } },
      '/fifo.Group/modifiers/1/fifo.Group/modifiers/0/header.modifier',
      /did you mean "header.Modifier"/,
    );
    refused({ 'url.Filter': { scope: ['request'], modifier: hdr, else: { 'martian.Noop': {} } } }, '/url.Filter/else/martian.Noop', /unknown/);
  });
  it('a base pointer is prefixed, slashes escaped (~1)', () => {
    assert.throws(
      () => compileMartian({ 'x.Y': {} }, '/endpoints/0/backend/1/extra_config/modifier~1martian'),
      (e: unknown) => {
        assert.ok(e instanceof MartianConfigError);
        assert.equal(e.pointer, '/endpoints/0/backend/1/extra_config/modifier~1martian/x.Y');
        assert.equal(e.stack?.includes('    at '), false, 'no stack trace in a config error');
        return true;
      },
    );
  });
  it('exactly one modifier per object; objects only', () => {
    refused({}, '', /exactly one modifier/);
    refused({ ...hdr, 'header.Append': { name: 'X', value: '1' } }, '', /got 2/);
    refused([hdr], '', /must be an object/);
    refused('header.Modifier', '', /must be an object/);
    refused({ 'header.Modifier': 'X: 1' }, '/header.Modifier', /must be an object/);
    refused({ 'fifo.Group': { scope: ['request'], modifiers: {} } }, '/fifo.Group/modifiers', /array/);
    // No "modifiers": an empty group, as martian decodes it (and KrakenD starts with it).
    assert.doesNotThrow(() => compileMartian({ 'fifo.Group': { scope: ['request', 'response'], aggregateErrors: true } }));
    assert.doesNotThrow(() => compileMartian({ 'priority.Group': { scope: ['request'] } }));
  });
  it('scopes: unknown names, empty lists, not an array', () => {
    refused({ 'header.Modifier': { scope: ['request', 'both'], name: 'X', value: '1' } }, '/header.Modifier/scope/1', /"request" or "response"/);
    refused({ 'header.Modifier': { scope: [], name: 'X', value: '1' } }, '/header.Modifier/scope', /never run/);
    refused({ 'header.Modifier': { scope: 'request', name: 'X', value: '1' } }, '/header.Modifier/scope', /array/);
  });
  it('unknown keys are refused (Go ignores them silently), comments are kept', () => {
    refused({ 'header.Modifier': { scope: ['request'], name: 'X', valeu: '1' } }, '/header.Modifier/valeu', /no "valeu"/);
    refused({ 'header.Modifier': { scope: ['request'], Name: 'X', value: '1' } }, '/header.Modifier/Name', /the key is "name"/);
    assert.doesNotThrow(() => compileMartian({ 'header.Modifier': { '@comment': 'why', scope: ['request'], name: 'X', value: '1' } }));
  });
  it('typed fields', () => {
    refused({ 'fifo.Group': { scope: ['request'], aggregateErrors: 'yes', modifiers: [] } }, '/fifo.Group/aggregateErrors', /true or false/);
    refused({ 'port.Filter': { scope: ['request'], port: '80', modifier: hdr } }, '/port.Filter/port', /integer/);
  });
  it('static.Modifier (serves local files) is refused with the reason', () => {
    refused({ 'static.Modifier': { scope: ['request', 'response'], rootPath: '/etc' } }, '/static.Modifier', /disk/);
  });
  it('nesting depth and size are bounded at startup', () => {
    let deep: unknown = hdr;
    for (let i = 0; i < 40; i++) deep = { 'fifo.Group': { scope: ['request'], modifiers: [deep] } };
    assert.throws(() => compileMartian(deep), /nested deeper than 32/);
    const wide = { 'fifo.Group': { scope: ['request'], modifiers: Array.from({ length: 6000 }, () => hdr) } };
    assert.throws(() => compileMartian(wide), /more than 5000 modifiers/);
  });
  it('the registry lists every KrakenD CE name', () => {
    const ce = [
      'body.Modifier',
      'cookie.Filter',
      'cookie.Modifier',
      'fifo.Group',
      'header.Append',
      'header.Blacklist',
      'header.Copy',
      'header.Filter',
      'header.Id',
      'header.Modifier',
      'header.RegexFilter',
      'header.Verifier',
      'port.Filter',
      'port.Modifier',
      'priority.Group',
      'querystring.Filter',
      'querystring.Modifier',
      'querystring.Verifier',
      'stash.Modifier',
      'status.Modifier',
      'status.Verifier',
      'url.Filter',
      'url.Modifier',
      'url.RegexFilter',
      'url.Verifier',
    ];
    for (const n of ce) assert.ok(MARTIAN_NAMES.includes(n), n);
    assert.deepEqual(Object.keys(MARTIAN_SCHEMA.properties as object).sort(), [...MARTIAN_NAMES].sort());
  });
});

describe('regex filters run in linear time (re2js)', () => {
  it('a catastrophic-backtracking pattern on a long header answers correctly', () => {
    // (a+)+$ against "aaaa…b" takes exponential time on a backtracking engine.
    const cfg = { 'header.RegexFilter': { scope: ['request'], header: 'X-A', regex: '^(a+)+$', modifier: hdr } };
    const long = 'a'.repeat(50_000);
    assert.equal(onRequest(cfg, req({ headers: { 'x-a': long + 'b' } })).headers.has('x'), false);
    assert.deepEqual(h(onRequest(cfg, req({ headers: { 'x-a': long } })), 'x'), ['1']);
  });
  it('same for url.RegexFilter over a long path', () => {
    const cfg = { 'url.RegexFilter': { scope: ['request'], regex: '(x+x+)+y', modifier: hdr } };
    const r = req({ url: { scheme: 'http', host: 'h', path: '/' + 'x'.repeat(20_000), query: '' } });
    assert.equal(onRequest(cfg, r).headers.has('x'), false);
  });
});

/** A pipeline-style walk: compile every backend's modifier/martian with its pointer. */
function compileAll(config: {
  endpoints: Array<{ backend: Array<{ extra_config?: Record<string, unknown> }> }>;
}): Map<string, ReturnType<typeof compileMartian>> {
  const out = new Map<string, ReturnType<typeof compileMartian>>();
  config.endpoints.forEach((e, i) =>
    e.backend.forEach((b, j) => {
      const v = b.extra_config?.['modifier/martian'];
      const at = `/endpoints/${i}/backend/${j}/extra_config/modifier~1martian`;
      if (v !== undefined) out.set(at, compileMartian(v, at));
    }),
  );
  return out;
}

describe('real-looking KrakenD configs', () => {
  it('a legacy-API bridge: strip client headers, add an API key, flag legacy tenants', () => {
    const config = {
      endpoints: [
        {
          backend: [
            {
              url_pattern: '/v1/orders',
              extra_config: {
                'modifier/martian': {
                  'fifo.Group': {
                    scope: ['request', 'response'],
                    aggregateErrors: true,
                    modifiers: [
                      { 'header.Blacklist': { scope: ['request'], names: ['Cookie', 'X-Forwarded-For'] } },
                      { 'header.Modifier': { scope: ['request'], name: 'X-Api-Key', value: 'k-123' } },
                      { 'querystring.Modifier': { scope: ['request'], name: 'client', value: 'gateway' } },
                      {
                        'header.Filter': {
                          scope: ['request'],
                          name: 'X-Tenant',
                          value: 'legacy',
                          modifier: { 'url.Modifier': { scope: ['request'], path: '/v0/orders' } },
                        },
                      },
                      { 'header.Blacklist': { scope: ['response'], names: ['Server', 'X-Powered-By'] } },
                    ],
                  },
                },
              },
            },
          ],
        },
      ],
    };
    const all = compileAll(config);
    const m = all.get('/endpoints/0/backend/0/extra_config/modifier~1martian');
    assert.ok(m);
    const r = req({
      url: { scheme: 'https', host: 'orders.internal', path: '/v1/orders', query: 'page=2' },
      headers: { cookie: 's=1', 'x-tenant': 'legacy', 'x-forwarded-for': '1.2.3.4' },
    });
    assert.equal(runMartianRequest(m, r), undefined);
    assert.deepEqual([...r.headers.keys()].sort(), ['x-api-key', 'x-tenant']);
    assert.equal(r.url.path, '/v0/orders');
    assert.equal(r.url.query, 'client=gateway&page=2');
  });
  it('a bad node deep in a real config is reported with its full pointer', () => {
    const config = {
      endpoints: [
        { backend: [{ extra_config: { 'modifier/martian': hdr } }] },
        {
          backend: [
            {},
            {
              extra_config: {
                'modifier/martian': {
                  'fifo.Group': { scope: ['request'], modifiers: [hdr, { 'header.Modifier': { scope: ['request'], name: 'X', value: 'a\nb' } }] },
                },
              },
            },
          ],
        },
      ],
    };
    assert.throws(
      () => compileAll(config),
      (e: unknown) => {
        assert.ok(e instanceof MartianConfigError);
        assert.equal(
          e.message,
          '/endpoints/1/backend/1/extra_config/modifier~1martian/fifo.Group/modifiers/1/header.Modifier/value: header value has control characters (CR, LF, NUL…): refused (header injection)',
        );
        return true;
      },
    );
  });
  it('the CORS advice from the KrakenD docs: never forward Origin or preflight headers', () => {
    const m = compileMartian({
      'header.Blacklist': { scope: ['request'], names: ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'] },
    });
    const r = req({ headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT', accept: '*/*' } });
    runMartianRequest(m, r);
    assert.deepEqual([...r.headers.keys()], ['accept']);
  });
  it('a mobile/desktop split with a regex filter and a priority group', () => {
    const m = compileMartian({
      'priority.Group': {
        scope: ['request'],
        modifiers: [
          {
            priority: 10,
            modifier: {
              'header.RegexFilter': {
                scope: ['request'],
                header: 'User-Agent',
                regex: '(?i)(android|iphone)',
                modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Device', value: 'mobile' } },
              },
            },
          },
          { priority: 20, modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Device', value: 'desktop' } } },
        ],
      },
    });
    const mobile = req({ headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)' } });
    const desktop = req({ headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' } });
    runMartianRequest(m, mobile);
    runMartianRequest(m, desktop);
    assert.deepEqual(h(mobile, 'x-device'), ['mobile']);
    assert.deepEqual(h(desktop, 'x-device'), ['desktop']);
  });
});
