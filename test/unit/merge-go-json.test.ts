// The merge's direct JSON path (merge-go-json.ts, json-go-members.ts) must write exactly the bytes
// the general path writes for the same answers: each backend's `finish` (decode, allow, group),
// the merger's `combine` (later backends win on a top-level key) and encodeGoBytes; or decline,
// and then the general path answers. Backends here are compiled by compileBackend, so both sides
// run the gateway's own code; only the upstream exchange is replaced by its response.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Pool } from 'undici';

import type { BackendConfig } from '../../src/config/types.js';
import type { BackendResult, UpstreamResponse } from '../../src/core/backend-result.js';
import { CallSignal } from '../../src/core/call-signal.js';
import { encodeGoBytes } from '../../src/encoding/json-go-bytes.js';
import { compileBackend, type DirectBackend } from '../../src/pipeline/compile-backend.js';
import { combine } from '../../src/pipeline/merge.js';
import { compileMergeGoJson, ShapedBody, type MergeGoJson } from '../../src/pipeline/merge-go-json.js';
import { mergedObject } from '../../src/encoding/json-go-members.js';
import type { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { originBody } from '../../bench/lib/nginx.js';

const pools = { forOrigin: () => ({}) as Pool } as unknown as UpstreamPools;

interface Shaping {
  allow?: string[];
  deny?: string[];
  group?: string;
  mapping?: Record<string, string>;
  target?: string;
}

function cfg(s: Shaping): BackendConfig {
  return {
    pointer: '/b',
    extra: {},
    urlPattern: '/',
    hosts: ['http://127.0.0.1:9'],
    method: 'GET',
    encoding: 'json',
    isCollection: false,
    returnErrorCode: false,
    shadow: false,
    ...s,
  };
}

async function compile(shapings: Shaping[], addsGzip = true): Promise<{ directs: DirectBackend[]; m: MergeGoJson | null }> {
  const cfgs = shapings.map(cfg);
  const directs: DirectBackend[] = [];
  for (const c of cfgs) directs.push((await compileBackend(c, { pools, client: {} as never, addsGzip, chunkedBody: false })).direct!);
  return { directs, m: compileMergeGoJson(cfgs, directs, addsGzip) };
}

function response(body: Buffer | string, status = 200, headers: string[] = ['content-type', 'application/json']): UpstreamResponse {
  return { status, headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body), url: 'http://127.0.0.1:9/' };
}

/** What the general path answers for these responses: status, completed header and body. */
async function general(directs: DirectBackend[], responses: UpstreamResponse[]): Promise<{ bytes: string; completed: boolean } | 'error'> {
  const signal = new CallSignal();
  const results: BackendResult[] = [];
  for (let k = 0; k < directs.length; k++) results.push(await directs[k].finish({ ...responses[k] }, signal));
  const r = combine(results, true);
  if (r.kind !== 'data') return 'error';
  return { bytes: encodeGoBytes(r.data).toString('hex'), completed: r.complete && r.error === undefined && Object.keys(r.data).length > 0 };
}

/** The fast path's bytes, or undefined when a backend's answer was left to its `finish`. */
async function fast(m: MergeGoJson, responses: UpstreamResponse[]): Promise<string | undefined> {
  const signal = new CallSignal();
  const lists = [];
  for (let k = 0; k < responses.length; k++) {
    const o = await m.exchanges[k].finish({ ...responses[k] }, signal);
    if (!(o instanceof ShapedBody)) return undefined;
    lists.push(o.members);
  }
  return mergedObject(lists.map((x) => x)).toString('hex');
}

/** Checks one merge; returns whether the fast path decided it. */
async function same(shapings: Shaping[], bodies: (string | Buffer)[]): Promise<boolean> {
  const { directs, m } = await compile(shapings);
  assert.ok(m, 'eligible shaping');
  const responses = bodies.map((b) => response(b));
  const got = await fast(m, responses);
  if (got === undefined) return false;
  const want = await general(directs, responses);
  assert.notEqual(want, 'error', 'fast path answered what the general path fails');
  if (want === 'error') return true;
  assert.equal(got, want.bytes, `for ${JSON.stringify(shapings)} ${bodies.map(String).join(' | ')}`);
  // Every backend decided by bytes answered completely; the header says whether there are keys.
  assert.equal(want.completed, got !== Buffer.from('{}').toString('hex'));
  return true;
}

describe('merge direct JSON path', () => {
  it('the bench merge (issue #20) takes it and equals the general path', async () => {
    const body = originBody();
    assert.ok(await same([{ allow: ['id', 'name', 'tags'] }, { group: 'detail', allow: ['owner', 'items'] }], [body, body]));
    assert.ok(await same([{}, {}], [body, JSON.stringify(JSON.parse(body), null, 2)]));
  });

  it('later backends win on a shared key; group wraps; empty allow results', async () => {
    assert.ok(await same([{}, {}], ['{"a":1,"b":2}', '{"b":3,"c":4}']));
    assert.ok(await same([{}, {}, {}], ['{"a":1,"b":2}', '{"b":3,"a":[5]}', '{"a":{"z":1}}']));
    // A group named as a key of another backend: the later one wins, whichever it is.
    assert.ok(await same([{ group: 'a' }, {}], ['{"x":1}', '{"a":2}']));
    assert.ok(await same([{}, { group: 'a' }], ['{"a":2,"b":1}', '{"x":1}']));
    // allow keeping nothing: {} (then the group holds {}).
    assert.ok(await same([{ allow: ['q'] }, { allow: ['q'], group: 'g' }], ['{"a":1}', '{"a":1}']));
    assert.ok(await same([{ allow: ['q'] }, { allow: ['r'] }], ['{"a":1}', '{}']));
    // __proto__ is a key like any other, as a member, an allowed name and a group.
    assert.ok(await same([{ allow: ['__proto__'] }, { group: '__proto__' }], ['{"__proto__":{"x":1},"a":1}', '{"b":2}']));
    // Unicode keys sort by code point (UTF-8 byte order), not UTF-16.
    assert.ok(await same([{ group: '\u{1F600}' }, { allow: ['\uE000', 'é'] }], ['{"a":1}', '{"\uE000":1,"é":2,"z":3}']));
  });

  it('declines to compile shaping it does not write as bytes', async () => {
    for (const s of [
      { allow: ['a.b'] },
      { deny: ['a'] },
      { target: 'a' },
      { mapping: { a: 'b' } },
      { group: 'x"y' },
      { group: '<' },
      { group: '\ud800' },
      { allow: ['\udc00'] },
    ])
      assert.equal((await compile([{}, s])).m, null, JSON.stringify(s));
    // An empty list or name is no shaping (compileBackendShaper treats it as unset); deny is
    // ignored beside a non-empty allow.
    for (const s of [{ allow: [] }, { group: '' }, { deny: [] }, { mapping: {} }, { allow: ['a'], deny: ['a'] }])
      assert.ok((await compile([{}, s])).m, JSON.stringify(s));
    assert.equal((await compile([{}])).m, null, 'one backend: the single JSON path');
  });

  it('leaves failures, gzip and bodies the canonicaliser declines to the general path', async () => {
    const { m } = await compile([{}, {}]);
    const signal = new CallSignal();
    const decided = async (r: UpstreamResponse): Promise<boolean> => (await m!.exchanges[0].finish(r, signal)) instanceof ShapedBody;
    assert.ok(await decided(response('{"a":1}')));
    assert.ok(await decided(response('{"a":1}', 201)));
    assert.equal(await decided(response('{"a":1}', 500)), false);
    assert.equal(await decided(response(gzipSync('{"a":1}'), 200, ['content-encoding', 'gzip'])), false);
    for (const b of ['{"a":1,"a":2}', '[1]', '{"a":', '{"\\u0061":1}', 'null']) assert.equal(await decided(response(b)), false, b);
  });

  it('equals the general path on random bodies and shapings (property)', async () => {
    const names = ['a', 'b', 'A', '_', '', 'é', '\u{1F600}', '\uE000', '__proto__', 'id', 'k'];
    const key = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) });
    const leaf = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.double(),
      fc.integer(),
      fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map((n) => Number(n)),
      fc.boolean(),
      fc.constant(null),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
      object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    }));
    const body = fc.tuple(fc.dictionary(key, value, { maxKeys: 6 }), fc.boolean()).map(([o, pretty]) => JSON.stringify(o, null, pretty ? 2 : undefined));
    // Bodies with a duplicate key or cut short are declined (each side is checked on its own).
    const text = fc.oneof(
      { weight: 8, arbitrary: body },
      { weight: 1, arbitrary: body.map((b) => (b.length > 2 ? `${b.slice(0, -1)},"a":0}`.replace('{,', '{') : b)) },
      { weight: 1, arbitrary: body.map((b) => b.slice(0, b.length >> 1)) },
    );
    const shaping = fc.record({ allow: fc.array(fc.constantFrom(...names, 'zz'), { maxLength: 3 }), group: fc.constantFrom(...names) }, { requiredKeys: [] });
    const merges = fc
      .integer({ min: 2, max: 3 })
      .chain((n) => fc.tuple(fc.array(shaping, { minLength: n, maxLength: n }), fc.array(text, { minLength: n, maxLength: n })));
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(merges, async ([shapings, bodies]) => {
        if (await same(shapings, bodies)) decided++;
      }),
      { numRuns: 1000 },
    );
    // Every body of a merge must be decided for the merge to be (random keys with escapes and the duplicate or cut bodies are declined).
    assert.ok(decided > 300, `only ${decided} of 1000 decided`);
  });
});
