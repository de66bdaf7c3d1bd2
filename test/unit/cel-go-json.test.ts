// validation/cel response checks on the direct JSON path (issue #16): compileCelGoJson's pass on
// Go's bytes of a JSON object must pass exactly when the general path's hook (runCelResponse on
// responseFacts of the decoded answer) passes, returning the bytes unchanged, or decline
// (undefined, the general path then decides); and it must decide ordinary bodies, so the route
// keeps the direct path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { compileCel } from '../../src/data-protection/cel/compile-cel.js';
import { compileCelGoJson } from '../../src/data-protection/cel/cel-go-json.js';
import { runCelResponse } from '../../src/data-protection/cel/run-cel.js';
import { responseFacts } from '../../src/components/validation/facts.js';
import { canonicalGoJson } from '../../src/encoding/json-go-canon.js';
import { COMPLETED_HEADER } from '../../src/core/version.js';
import type { Answer } from '../../src/core/answer.js';

const P = '/endpoints/0/extra_config/validation~1cel';
const compile = (exprs: string[]) =>
  compileCel(
    exprs.map((check_expr) => ({ check_expr })),
    P,
    { level: 'endpoint', jwtValidator: false },
  );

/** The general path: the answer answerOfResult makes of a complete decoded result, checked. */
function generalPasses(exprs: string[], body: string): boolean {
  const data = JSON.parse(body) as Record<string, unknown>;
  const a: Answer = {
    status: 200,
    headers: [COMPLETED_HEADER, Object.keys(data).length > 0 ? 'true' : 'false'],
    data,
    body: '',
    origin: 'proxy',
    failure: undefined,
    close: false,
  };
  return runCelResponse(compile(exprs), responseFacts(a, 'endpoint')).ok;
}

/** 'pass' (the bytes themselves), 'declined', or 'no form' (compile time). */
function fast(exprs: string[], bytes: Buffer): 'pass' | 'declined' | 'no form' {
  const f = compileCelGoJson(compile(exprs));
  if (f === undefined) return 'no form';
  const out = f(bytes);
  if (out === undefined) return 'declined';
  assert.equal(out, bytes, 'a passing check returns the same bytes');
  return 'pass';
}

function outcome(exprs: string[], body: string): 'pass' | 'declined' | 'no form' | 'no bytes' {
  const bytes = canonicalGoJson(Buffer.from(body, 'utf8'));
  if (bytes === undefined) return 'no bytes';
  const got = fast(exprs, bytes);
  if (got === 'pass') assert.ok(generalPasses(exprs, body), `passed what the general path aborts: ${JSON.stringify(exprs)} on ${body.slice(0, 200)}`);
  return got;
}

describe('compileCelGoJson', () => {
  it('passes the bench route check and declines a failing one', () => {
    assert.equal(outcome(['resp_data.id > 0'], '{"name":"x","id":42}'), 'pass');
    assert.equal(outcome(['resp_data.id > 0'], '{"name":"x","id":0}'), 'declined');
    assert.equal(generalPasses(['resp_data.id > 0'], '{"name":"x","id":0}'), false);
  });

  it('declines a missing field (no_such_key on the general path) and a path through a non-object', () => {
    assert.equal(outcome(['resp_data.nope == 1'], '{"id":1}'), 'declined');
    assert.equal(outcome(['resp_data.id.x == 1'], '{"id":1}'), 'declined');
    assert.equal(outcome(['has(resp_data.nope)'], '{"id":1}'), 'declined');
    assert.equal(outcome(['!has(resp_data.nope)'], '{"id":1}'), 'pass');
  });

  it('reads nested paths, bracket keys, __proto__ and whole values', () => {
    const body = '{"z":1,"owner":{"login":"b","id":7,"tags":["a","b"]},"__proto__":{"k":2},"é":"ü"}';
    assert.equal(outcome(["resp_data.owner.login == 'b' && resp_data.owner.id == 7"], body), 'pass');
    assert.equal(outcome(["resp_data['owner']['tags'][1] == 'b'", 'size(resp_data.owner.tags) == 2'], body), 'pass');
    assert.equal(outcome(["resp_data['__proto__'].k == 2", "resp_data['é'] == 'ü'"], body), 'pass');
    assert.equal(outcome(['resp_completed && resp_metadata_status == 0 && size(resp_metadata_headers) == 0'], body), 'pass');
    assert.equal(outcome(['resp_completed'], '{}'), 'declined');
  });

  it('declines what Go bytes do not show as decoded: U+FFFD (lone surrogates), objects of several members read whole', () => {
    assert.equal(outcome(["resp_data.s != ''"], '{"s":"\\ud800"}'), 'declined');
    assert.equal(outcome(["resp_data.s != ''"], '{"s":"\\ufffd"}'), 'declined');
    assert.equal(outcome(['size(resp_data.o) == 2'], '{"o":{"b":1,"a":2}}'), 'declined');
    assert.equal(outcome(['size(resp_data.o) == 1'], '{"o":{"b":{"c":1}}}'), 'pass');
  });

  it('has no form when resp_data is used other than by field chains', () => {
    for (const e of [
      'size(resp_data) > 0',
      "'x' in resp_data",
      'resp_data == {}',
      "resp_data.exists(k, k == 'a')",
      "[{'a': 1}].exists(resp_data, true) || resp_data.a == 1",
    ])
      assert.equal(compileCelGoJson(compile([e])), undefined, e);
    assert.equal(compileCelGoJson(compile(["req_method == 'GET'"])), undefined);
  });

  it('property: never passes what the general path aborts, and decides most bodies', () => {
    const KEYS = ['a', 'b', 'id', '__proto__', 'constructor', 'é', '\ufffd', 'x y', '<'];
    // Mostly keys the chains name, so that paths are often present.
    const seg = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a', 'b', 'id') }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) });
    const scalar = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -0, 1e21, 1e-7, 2 ** 53 + 1, 123456789012345680000),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.string({ unit: 'binary', maxLength: 3 }),
      fc.constantFrom('a', '<&>', '\u2028', '\\"', 'é'),
      fc.boolean(),
      fc.constant(null),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(seg, tie('value'), { maxKeys: 4 }),
      ),
    }));
    const body = fc.dictionary(seg, value, { maxKeys: 5 }).map((o) => JSON.stringify(o));
    const chain = fc
      .array(seg, { minLength: 1, maxLength: 2 })
      .map((segs) => 'resp_data' + segs.map((s) => (/^[a-z]+$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join(''));
    const dotted = fc.array(fc.constantFrom('a', 'b', 'id'), { minLength: 1, maxLength: 3 }).map((s) => 'resp_data.' + s.join('.'));
    const expr = fc.oneof(
      chain.map((c) => `${c} > 0`),
      fc.tuple(chain, fc.constantFrom('1', '1.0', '"a"', 'true', 'null', '[1]', '{"a": 1}', '-0.0')).map(([c, l]) => `${c} == ${l}`),
      chain.map((c) => `${c} != null`),
      chain.map((c) => `size(${c}) >= 0`),
      chain.map((c) => `string(${c}) != "x"`),
      chain.map((c) => `type(${c}) != int`),
      chain.map((c) => `${c}.exists(k, k == 'a')`),
      chain.map((c) => `${c}.map(k, k)[0] == 'b'`),
      dotted.map((c) => `has(${c})`),
      dotted.map((c) => `!has(${c})`),
      fc.constantFrom('resp_completed', 'resp_metadata_status == 0', 'size(resp_metadata_headers) == 0', "now != ''"),
    );
    let decided = 0;
    let generalPassed = 0;
    fc.assert(
      fc.property(fc.array(expr, { minLength: 1, maxLength: 2 }), body, (exprs, b) => {
        const got = outcome(exprs, b);
        if (got === 'no bytes' || got === 'no form') return;
        if (generalPasses(exprs, b)) generalPassed++;
        if (got === 'pass') decided++;
      }),
      { numRuns: 4000 },
    );
    console.log(`decided ${decided} of ${generalPassed} passing cases`);
    assert.ok(generalPassed > 100, `only ${generalPassed} generated cases passed the general path`);
    assert.ok(decided > generalPassed * 0.6, `decided ${decided} of ${generalPassed} passing cases`);
  });
});
