import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { compileMartian, runMartianRequest, runMartianResponse, skippedResponse } from '../../src/modifiers/martian/index.js';
import { h, onRequest, onResponse, refused, req, res } from './martian-helpers.js';

const set = (name: string, value: string, scope = ['request']): unknown => ({ 'header.Modifier': { scope, name, value } });
const appendHost = { 'header.Append': { scope: ['request'], name: 'Host', value: 'x' } };
const badPort = { 'port.Modifier': { scope: ['request'], port: 81 } };
const colons = (): ReturnType<typeof req> => req({ url: { scheme: 'http', host: 'a:b:c', path: '/', query: '' } });

describe('fifo.Group', () => {
  it('runs members in order (KrakenD docs example: body then header)', () => {
    const cfg = {
      'fifo.Group': {
        scope: ['request', 'response'],
        aggregateErrors: true,
        modifiers: [{ 'body.Modifier': { scope: ['request'], body: 'eyJtc2ciOiJ5b3Ugcm9jayEifQ==' } }, set('X-Martian', 'true', ['request', 'response'])],
      },
    };
    const r = req();
    const s = onResponse(cfg, res({ body: Buffer.from('up') }), r);
    assert.equal(r.body?.toString(), '{"msg":"you rock!"}');
    assert.deepEqual(h(r, 'x-martian'), ['true']);
    assert.deepEqual(h(s, 'x-martian'), ['true']);
    assert.equal(s.body?.toString(), 'up', 'the body modifier was request-only');
  });
  it('later members see earlier changes; the last write wins', () => {
    const r = onRequest({
      'fifo.Group': { scope: ['request'], modifiers: [set('X-A', '1'), { 'header.Copy': { scope: ['request'], from: 'X-A', to: 'X-B' } }, set('X-A', '2')] },
    });
    assert.deepEqual(h(r, 'x-a'), ['2']);
    assert.deepEqual(h(r, 'x-b'), ['1']);
  });
  it('without aggregateErrors it stops at the first error', () => {
    const m = compileMartian({ 'fifo.Group': { scope: ['request'], modifiers: [appendHost, set('X-After', '1')] } });
    const r = req();
    assert.equal(runMartianRequest(m, r), 'proxyutil: illegal header multiple: Host');
    assert.equal(r.headers.has('x-after'), false);
  });
  it('with aggregateErrors it runs every member and joins the errors', () => {
    const m = compileMartian({ 'fifo.Group': { scope: ['request'], aggregateErrors: true, modifiers: [appendHost, set('X-After', '1'), badPort] } });
    const r = colons();
    const err = runMartianRequest(m, r) ?? '';
    assert.deepEqual(err.split('\n'), ['proxyutil: illegal header multiple: Host', 'address a:b:c: too many colons in address']);
    assert.deepEqual(h(r, 'x-after'), ['1']);
  });
  it('the group scope selects phases; members keep their own', () => {
    const cfg = { 'fifo.Group': { scope: ['request'], modifiers: [set('X-Both', '1', ['request', 'response'])] } };
    const r = req();
    const s = onResponse(cfg, res(), r);
    assert.deepEqual(h(r, 'x-both'), ['1']);
    assert.equal(s.headers.has('x-both'), false);
    const onlyRes = { 'fifo.Group': { scope: ['request', 'response'], modifiers: [set('X-R', '1', ['response'])] } };
    const r2 = req();
    const s2 = onResponse(onlyRes, res(), r2);
    assert.equal(r2.headers.has('x-r'), false);
    assert.deepEqual(h(s2, 'x-r'), ['1']);
  });
  it('no scope means every phase the modifier has (Go parse.NewResult)', () => {
    const r = req();
    const s = onResponse({ 'header.Modifier': { name: 'X-A', value: '1' } }, res(), r);
    assert.deepEqual(h(r, 'x-a'), ['1']);
    assert.deepEqual(h(s, 'x-a'), ['1']);
  });
  it('nested groups and filters compose', () => {
    const cfg = {
      'fifo.Group': {
        scope: ['request'],
        modifiers: [
          { 'fifo.Group': { scope: ['request'], modifiers: [set('X-Inner', '1')] } },
          {
            'header.Filter': {
              scope: ['request'],
              name: 'X-Inner',
              value: '1',
              modifier: { 'fifo.Group': { scope: ['request'], modifiers: [set('X-Seen', 'yes')] } },
            },
          },
        ],
      },
    };
    assert.deepEqual(h(onRequest(cfg), 'x-seen'), ['yes']);
  });
});

describe('priority.Group', () => {
  it('runs the highest priority first, so the lowest writes last', () => {
    const cfg = {
      'priority.Group': {
        scope: ['request', 'response'],
        modifiers: [
          { priority: 0, modifier: set('X-Order', 'zero') },
          { priority: 100, modifier: set('X-Order', 'hundred') },
          { priority: 50, modifier: { 'header.Append': { scope: ['request'], name: 'X-Trace', value: '50' } } },
          { priority: 100, modifier: { 'header.Append': { scope: ['request'], name: 'X-Trace', value: '100' } } },
        ],
      },
    };
    const r = onRequest(cfg);
    assert.deepEqual(h(r, 'x-order'), ['zero']);
    assert.deepEqual(h(r, 'x-trace'), ['100', '50']);
  });
  it('equal priorities run the later-declared first (Go inserts before equals)', () => {
    const r = onRequest({
      'priority.Group': {
        scope: ['request'],
        modifiers: [
          { priority: 1, modifier: set('X', 'first-declared') },
          { priority: 1, modifier: set('X', 'second-declared') },
        ],
      },
    });
    assert.deepEqual(h(r, 'x'), ['first-declared']);
  });
  it('KrakenD docs example adds both query strings', () => {
    const r = onRequest({
      'priority.Group': {
        scope: ['request', 'response'],
        modifiers: [
          { priority: 0, modifier: { 'querystring.Modifier': { scope: ['request'], name: 'first', value: '0' } } },
          { priority: 100, modifier: { 'querystring.Modifier': { scope: ['request'], name: 'last', value: '100' } } },
        ],
      },
    });
    assert.equal(r.url.query, 'first=0&last=100');
  });
  it('stops at the first error (no aggregateErrors in priority.Group)', () => {
    const m = compileMartian({
      'priority.Group': {
        scope: ['request'],
        modifiers: [
          { priority: 2, modifier: appendHost },
          { priority: 1, modifier: set('X', '1') },
        ],
      },
    });
    const r = req();
    assert.match(runMartianRequest(m, r) ?? '', /illegal header multiple/);
    assert.equal(r.headers.has('x'), false);
  });
  it('refuses members without a modifier or with a fractional priority', () => {
    refused({ 'priority.Group': { scope: ['request'], modifiers: [{ priority: 1 }] } }, '/priority.Group/modifiers/0', /needs "modifier"/);
    refused(
      { 'priority.Group': { scope: ['request'], modifiers: [{ priority: 1.5, modifier: set('X', '1') }] } },
      '/priority.Group/modifiers/0/priority',
      /integer/,
    );
    refused({ 'priority.Group': { scope: ['request'], modifiers: [set('X', '1')] } }, '/priority.Group/modifiers/0/header.Modifier', /no "header.Modifier"/);
  });
});

describe('skip.RoundTrip', () => {
  it("flags the request; the adapter answers krakend-martian's empty 200, which response modifiers then shape", () => {
    const m = compileMartian({
      'fifo.Group': {
        scope: ['request', 'response'],
        modifiers: [
          { 'skip.RoundTrip': { scope: ['request'] } },
          set('X-Mocked', 'yes', ['response']),
          { 'body.Modifier': { scope: ['response'], body: 'e30=', contentType: 'application/json' } },
        ],
      },
    });
    const r = req();
    assert.equal(runMartianRequest(m, r), undefined);
    assert.equal(r.skipRoundTrip, true);
    const s = skippedResponse();
    assert.equal(runMartianResponse(m, s, r), undefined);
    assert.equal(s.status, 200);
    assert.deepEqual(h(s, 'x-mocked'), ['yes']);
    assert.equal(s.body?.toString(), '{}');
  });
  it('without it the flag stays false', () => {
    assert.equal(onRequest(set('X', '1')).skipRoundTrip, false);
  });
  it('is request-only', () => {
    refused({ 'skip.RoundTrip': { scope: ['response'] } }, '/skip.RoundTrip/scope/0', /cannot modify a response/);
  });
  it('runMartianResponse turns status 0 into 200 as krakend-martian does', () => {
    const s = res({ status: 0 });
    runMartianResponse(compileMartian(set('X', '1')), s, req());
    assert.equal(s.status, 200);
  });
});
