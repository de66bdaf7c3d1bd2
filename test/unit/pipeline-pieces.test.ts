// The inner test layer (issue #13): pipeline pieces driven in process with stub handlers and
// stub request contexts — guard runner and refusal index, response hooks and their order, the
// merge, static data, and the response writer over a real loopback socket. Fast; the end-to-end
// suite over the built binary stays the acceptance test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { compilePhases, compileGuards, wrapAll, type StageEntry } from '../../src/pipeline/build-stages.js';
import { runHooks, respond, writeAnswer, type HookEntry } from '../../src/pipeline/respond.js';
import { parallelMerge, sequentialMerge } from '../../src/pipeline/merge.js';
import { compileStatic } from '../../src/pipeline/static-data.js';
import { answerOfResult } from '../../src/pipeline/answer-of-result.js';
import { plainAnswer, rejectionAnswer } from '../../src/pipeline/replies.js';
import { dataResult, errorResult, failureOf, rawResult, type BackendHandler, type CallInput } from '../../src/core/backend-result.js';
import { GatewayError } from '../../src/core/gateway-error.js';
import { refusal, type RequestContext, type Rejection } from '../../src/core/request.js';
import { ERROR_CODES, statusOf } from '../../src/core/error-codes.js';
import type { Answer } from '../../src/core/answer.js';
import { GatewayRequestContext } from '../../src/server/request-context.js';
import { createLogger } from '../../src/observability/logger.js';

const log = createLogger('silent');

function stubCtx(headers: Record<string, string> = {}, method = 'GET'): RequestContext {
  const req = { headers, method, rawHeaders: [], url: '/x', socket: {} } as unknown as IncomingMessage;
  return new GatewayRequestContext(req, {} as never, method, '/x', '', '127.0.0.1');
}

const entry = (guard: StageEntry['guard'], hook: StageEntry['hook'], phase: StageEntry['phase'] = 'edge'): StageEntry => ({
  phase,
  guard,
  hook,
  hookNeedsBody: false,
});
const NO: Rejection = refusal('ip.denied', 'test', 'no');

describe('guards and the refusal index', () => {
  it('runs guards in phase order and records which one refused', () => {
    const seen: string[] = [];
    const g =
      (name: string, refuse = false) =>
      () => {
        seen.push(name);
        return refuse ? NO : undefined;
      };
    const phases = compilePhases(
      [entry(g('admit'), undefined, 'admit'), entry(g('edge'), undefined, 'edge'), entry(g('auth', true), undefined, 'authenticate')],
      [['edge', 'authenticate', 'admit']],
      'endpointRefusedAt',
    );
    const ctx = stubCtx();
    assert.equal(phases.runners[0]!(ctx), NO);
    assert.deepEqual(seen, ['edge', 'auth']);
    assert.equal(ctx.endpointRefusedAt, 1);
  });

  it('awaits only guards that return a promise, and records an async refusal', async () => {
    const run = compileGuards([() => undefined, () => Promise.resolve(undefined), () => Promise.resolve(NO)], 3, 'serviceRefusedAt')!;
    const ctx = stubCtx();
    const r = run(ctx);
    assert.ok(r instanceof Promise);
    assert.equal(await r, NO);
    assert.equal(ctx.serviceRefusedAt, 5, 'index offset by the guards of earlier groups');
  });

  it('is null with no guard (the hot path skips it)', () => {
    assert.equal(compileGuards([], 0, 'serviceRefusedAt'), null);
  });
});

describe('response hooks', () => {
  const mark = (name: string) => (_ctx: RequestContext, a: Answer) => void a.headers.push('x-hook', name);

  it('run in the reverse of execution order, only for stages the request got past', () => {
    const phases = compilePhases(
      [entry(() => undefined, mark('a')), entry(undefined, mark('b')), entry(() => NO, mark('c')), entry(undefined, mark('d'))],
      [['edge']],
      'serviceRefusedAt',
    );
    const hooks = phases.hooks!;
    assert.deepEqual(
      hooks.map((h) => h.after),
      [1, 1, 2, 2],
    );
    const all = runHooks(stubCtx(), plainAnswer(200, '', [], undefined), hooks, Infinity) as Answer;
    assert.deepEqual(all.headers, ['x-hook', 'd', 'x-hook', 'c', 'x-hook', 'b', 'x-hook', 'a']);
    // Refused by the third stage's guard (index 1): its own hook and the later one do not run.
    const refused = runHooks(stubCtx(), plainAnswer(403, '', [], undefined), hooks, 1) as Answer;
    assert.deepEqual(refused.headers, ['x-hook', 'b', 'x-hook', 'a']);
  });

  it('compose their Go JSON bytes forms in the order the hooks run, only when every hook has one', () => {
    const tag = (name: string) => (b: Buffer) => Buffer.concat([b, Buffer.from(name)]);
    const withGo = (phase: StageEntry['phase'], name: string, go: StageEntry['goJson']): StageEntry => ({ ...entry(undefined, mark(name), phase), goJson: go });
    const all = compilePhases([withGo('admit', 'a', tag('a')), withGo('edge', 'b', tag('b'))], [['edge', 'admit']], 'endpointRefusedAt');
    // Execution order edge (b) then admit (a); hooks run last first: a, then b.
    assert.equal(all.goJson!(Buffer.from('>'))?.toString(), '>ab');
    const stops = compilePhases([withGo('edge', 'a', () => undefined), withGo('edge', 'b', tag('b'))], [['edge']], 'endpointRefusedAt');
    assert.equal(stops.goJson!(Buffer.from('>')), undefined, 'a hook that cannot tell ends it');
    const one = compilePhases([withGo('edge', 'a', tag('a')), entry(undefined, mark('b'))], [['edge']], 'endpointRefusedAt');
    assert.equal(one.goJson, null, 'a hook without one closes the bytes path');
    assert.equal(compilePhases([entry(() => undefined, undefined)], [['edge']], 'endpointRefusedAt').goJson, null, 'no hooks: none');
  });

  it('may replace the answer, also asynchronously', async () => {
    const hooks: HookEntry[] = [
      { after: 0, hook: (_c, a) => void a.headers.push('x-first', String(a.status)) },
      { after: 0, hook: async () => plainAnswer(418, 'no', [], 'text/plain') },
    ];
    const a = await runHooks(stubCtx(), plainAnswer(200, '', [], undefined), hooks, Infinity);
    assert.equal(a.status, 418);
    assert.deepEqual(a.headers, ['content-type', 'text/plain', 'x-first', '418']);
  });
});

describe('merge and static data', () => {
  const input = { ctx: stubCtx(), params: {}, query: '', headers: [], body: null, signal: new AbortController().signal } as unknown as CallInput;
  const answer =
    (r: ReturnType<typeof dataResult> | ReturnType<typeof errorResult>): BackendHandler =>
    async () =>
      r;

  it('merges data, later keys winning; one failure makes it partial', async () => {
    const err = new GatewayError('backend.failed', 'boom');
    const m = parallelMerge([answer(dataResult({ a: 1, b: 1 }, true)), answer(dataResult({ b: 2 }, true)), answer(errorResult(err))], []);
    const r = await m(input);
    assert.equal(r.kind, 'data');
    if (r.kind !== 'data') return;
    assert.deepEqual(r.data, { a: 1, b: 2 });
    assert.equal(r.complete, false);
    assert.equal(failureOf(r), err);
  });

  it('no data at all is an error result with the one failure', async () => {
    const err = new GatewayError('backend.timeout', 'slow');
    const r = await parallelMerge([answer(errorResult(err)), answer(errorResult(err))], [])(input);
    assert.equal(r.kind, 'error');
    assert.equal(failureOf(r)?.code, 'backend.timeout', 'the first failure names the code');
    const one = await parallelMerge([answer(errorResult(err))], [])(input);
    assert.equal(failureOf(one), err);
  });

  it('a sequential chain stops at the first failure with a partial answer', async () => {
    let third = false;
    const r = await sequentialMerge([
      answer(dataResult({ a: 1 }, true)),
      answer(errorResult(new GatewayError('backend.failed', 'x'))),
      async () => ((third = true), dataResult({ c: 1 }, true)),
    ])(input);
    assert.equal(third, false);
    assert.equal(r.kind, 'data');
    if (r.kind === 'data') assert.deepEqual([r.data, r.complete], [{ a: 1 }, false]);
  });

  it('static data: errored turns an error into 200 data; a no-op answer is left alone', () => {
    const apply = compileStatic({ strategy: 'errored', data: { s: true } })!;
    const r = apply(errorResult(new GatewayError('backend.failed', 'x')));
    assert.equal(r.kind, 'data');
    const raw = rawResult({ status: 200, headers: [], body: Buffer.from('x'), url: 'http://127.0.0.1/' });
    assert.equal(compileStatic({ strategy: 'always', data: { s: true } })!(raw), raw);
  });

  it('wrappers compose with the first listed outermost', async () => {
    const order: string[] = [];
    const w =
      (n: string) =>
      (next: BackendHandler): BackendHandler =>
      async (i) => (order.push(n), next(i));
    await wrapAll(answer(dataResult({}, true)), [w('outer'), w('inner')])(input);
    assert.deepEqual(order, ['outer', 'inner']);
  });
});

describe('error codes', () => {
  it('a refusal takes its status from the code unless the config chose one', () => {
    assert.equal(refusal('auth.jwt.invalid', 'x').status, 401);
    assert.equal(refusal('limit.client', 'x', 'r', { status: 503 }).status, 503);
    assert.ok(Object.isFrozen(refusal('ip.denied', 'x')));
  });

  it('every code maps to a real HTTP status, and a failure keeps its code', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) assert.ok(spec.status >= 200 && spec.status < 600, code);
    assert.equal(new GatewayError('backend.circuit_open', 'open').status, statusOf('backend.circuit_open'));
    assert.equal(new GatewayError('backend.failed', 'x', 404).status, 404, 'return_error_code passes the backend status');
  });
});

describe('the response writer over a real socket', () => {
  async function serve(
    write: (res: import('node:http').ServerResponse, req: IncomingMessage) => void,
    method = 'GET',
  ): Promise<{ status: number; headers: string[]; body: string }> {
    const server = createServer((req, res) => write(res, req));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      return await new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path: '/', headers: { accept: 'application/json' } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.rawHeaders, body }));
        });
        req.on('error', reject);
        req.end();
      });
    } finally {
      server.close();
    }
  }

  it('encodes data after the hooks, with content-type and content-length', async () => {
    const plan = { returnErrorMsg: false, addsGzip: false, flatmap: null, cacheControl: 'public, max-age=5' };
    const a = answerOfResult(plan, dataResult({ b: 1, a: 2 }, true), undefined);
    const got = await serve((res) => writeAnswer(res, a, (d) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(d) })));
    assert.equal(got.body, '{"b":1,"a":2}');
    const h = Object.fromEntries(
      got.headers.map((v, i, l) => (i % 2 === 0 ? [v.toLowerCase(), l[i + 1]] : null)).filter((x): x is [string, string] => x !== null),
    );
    assert.equal(h['content-length'], '13');
    assert.equal(h['cache-control'], 'public, max-age=5');
    assert.equal(h['x-rampart-completed'], 'true');
  });

  it('keeps repeated names, streams a stream body, and writes once', async () => {
    const a = plainAnswer(201, '', ['set-cookie', 'a=1', 'set-cookie', 'b=2'], 'text/plain');
    a.body = Readable.from([Buffer.from('he'), Buffer.from('llo')]);
    const got = await serve((res) => writeAnswer(res, a, undefined));
    assert.equal(got.status, 201);
    assert.equal(got.body, 'hello');
    assert.deepEqual(
      got.headers.filter((_, i, l) => l[i - 1]?.toLowerCase() === 'set-cookie' && i % 2 === 1),
      ['a=1', 'b=2'],
    );
  });

  it('a rejection answer closes the connection when asked, and a 204 has no content-length', async () => {
    const got = await serve((res) => writeAnswer(res, rejectionAnswer({ status: 204, headers: ['Vary', 'Origin'], close: true }), undefined));
    assert.equal(got.status, 204);
    const names = got.headers.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    assert.ok(names.includes('vary') && names.includes('connection'));
    assert.ok(!names.includes('content-length'));
  });

  it('a throwing hook answers an empty 500, never a hung client', async () => {
    const plan = {
      endpointHooks: [
        {
          after: 0,
          hook: () => {
            throw new Error('hook bug');
          },
        },
      ],
      serviceHooks: null,
      encode: undefined,
    };
    const got = await serve((res, req) => {
      const ctx = new GatewayRequestContext(req, res, 'GET', '/', '', '127.0.0.1');
      void respond(ctx, plainAnswer(200, 'secret body', [], 'text/plain'), plan, log);
    });
    assert.equal(got.status, 500);
    assert.equal(got.body, '');
  });
});
