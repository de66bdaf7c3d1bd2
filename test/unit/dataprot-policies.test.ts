// security/policies engine (issue #16): sections bound to their phases, macros (between,
// isEmpty), auto_join_policies, disable_macros, error status/body/content type, bodies only
// with detailed errors, jwt needs auth/validator, refusals with pointers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { DataProtectionConfigError } from '../../src/data-protection/compile-error.js';
import { compilePolicies } from '../../src/data-protection/policies/compile-policies.js';
import { runJwtPolicies, runRequestPolicies, runResponsePolicies } from '../../src/data-protection/policies/run-policies.js';
import type { PoliciesCompileContext, PoliciesConfig } from '../../src/data-protection/policies/types.js';
import type { RequestFacts } from '../../src/data-protection/types.js';

const P = '/endpoints/2/extra_config/security~1policies';
const CTX: PoliciesCompileContext = { level: 'endpoint', jwtValidator: true, returnDetailedErrors: false };
const compile = (c: PoliciesConfig, ctx: Partial<PoliciesCompileContext> = {}) => compilePolicies(c, P, { ...CTX, ...ctx });
const facts = (o: Partial<RequestFacts> = {}): RequestFacts => ({
  method: 'GET',
  path: '/p',
  params: {},
  headers: {},
  query: {},
  body: null,
  claims: null,
  ...o,
});

function refused(fn: () => unknown, pointer: string, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataProtectionConfigError, String(e));
    assert.equal(e.pointer, pointer);
    assert.match(e.reason, reason);
    return true;
  });
}

describe('policies: request and response', () => {
  it('all policies must hold; the first failing one is reported; defaults 500, text/plain, no body', () => {
    const p = compile({ req: { policies: ["req_method == 'GET'", 'has(req_querystring.key)'] } });
    assert.deepEqual(runRequestPolicies(p, facts({ query: { key: ['1'] } })), { ok: true });
    const r = runRequestPolicies(p, facts());
    assert.ok(!r.ok);
    assert.deepEqual([r.status, r.body, r.contentType, r.index], [500, '', 'text/plain', 1]);
    assert.match(r.log, /request aborted by policy #1 \(false\)/);
  });

  it('configured error: body reaches the client only with detailed errors, always in the log', () => {
    const cfg: PoliciesConfig = { req: { policies: ['false'], error: { status: 403, body: '{"msg":"forbidden"}', content_type: 'application/json' } } };
    const quiet = runRequestPolicies(compile(cfg), facts());
    assert.ok(!quiet.ok);
    assert.deepEqual([quiet.status, quiet.body, quiet.contentType], [403, '', 'application/json']);
    assert.match(quiet.log, /forbidden/);
    const loud = runRequestPolicies(compile(cfg, { returnDetailedErrors: true }), facts());
    assert.ok(!loud.ok && loud.body === '{"msg":"forbidden"}');
  });

  it('response policies see response variables', () => {
    const p = compile({ resp: { policies: ['resp_metadata_status < 500', '!has(resp_data.password)'], error: { status: 502 } } });
    assert.deepEqual(runResponsePolicies(p, { status: 200, headers: {}, data: { user: 'a' }, completed: true }), { ok: true });
    const r = runResponsePolicies(p, { status: 200, headers: {}, data: { password: 'x' }, completed: true });
    assert.ok(!r.ok && r.status === 502 && r.index === 1);
  });

  it('debug names the failing policy text (config, not request data)', () => {
    const p = compile({ req: { policies: ["req_headers['X-Key'][0] == 'k'"] }, debug: true });
    const r = runRequestPolicies(p, facts({ headers: { 'x-key': ['SECRET'] } }));
    assert.ok(!r.ok);
    assert.equal(r.policy, "req_headers['X-Key'][0] == 'k'");
    assert.doesNotMatch(JSON.stringify(r), /SECRET/);
  });

  it('auto_join_policies evaluates one joined expression', () => {
    const p = compile({ req: { policies: ["req_method == 'GET'", "req_path == '/p'"] }, auto_join_policies: true });
    assert.equal(p.req!.phase.checks.length, 1);
    assert.deepEqual(runRequestPolicies(p, facts()), { ok: true });
    const r = runRequestPolicies(p, facts({ path: '/q' }));
    assert.ok(!r.ok && r.index === 0);
  });
});

describe('policies: jwt', () => {
  it('RBAC on claims: failure is 401 with no body', () => {
    const p = compile({ jwt: { policies: ["JWT.role in ['admin', 'root']"] } }, { returnDetailedErrors: true });
    assert.deepEqual(runJwtPolicies(p, { role: 'admin' }), { ok: true });
    const r = runJwtPolicies(p, { role: 'user' });
    assert.ok(!r.ok);
    assert.deepEqual([r.status, r.body], [401, '']);
  });
  it('needs auth/validator, endpoint level only, no error block', () => {
    refused(() => compile({ jwt: { policies: ['true'] } }, { jwtValidator: false }), `${P}/jwt`, /need auth\/validator/);
    refused(() => compile({ jwt: { policies: ['true'] } }, { level: 'backend' }), `${P}/jwt`, /endpoint-only/);
    refused(() => compile({ jwt: { policies: ['true'], error: { status: 403 } } } as never), `${P}/jwt/error`, /401/);
  });
});

describe('policies: macros', () => {
  it('between: function and method forms, inclusive, numeric only', () => {
    const p = compile({ req: { policies: ['between(int(req_params.N), 1, 10)', 'double(req_params.N).between(1, 10.5)'] } });
    for (const n of ['1', '5', '10']) assert.deepEqual(runRequestPolicies(p, facts({ params: { n } })), { ok: true }, n);
    for (const n of ['0', '11']) assert.equal(runRequestPolicies(p, facts({ params: { n } })).ok, false, n);
    const s = compile({ req: { policies: ["between(req_method, 'A', 'Z')"] } });
    const r = runRequestPolicies(s, facts());
    assert.ok(!r.ok, 'strings are refused at run time (deny)');
  });
  it('isEmpty: missing field, missing key, null, empty string, list and map', () => {
    const p = compile({ req: { policies: ['isEmpty(req_querystring.debug)', "isEmpty(req_headers['X-Debug'])"] } });
    assert.deepEqual(runRequestPolicies(p, facts()), { ok: true }, 'missing');
    assert.deepEqual(runRequestPolicies(p, facts({ query: { debug: [] }, headers: { 'x-debug': [] } })), { ok: true }, 'empty lists');
    assert.equal(runRequestPolicies(p, facts({ query: { debug: ['1'] } })).ok, false);
    assert.equal(runRequestPolicies(p, facts({ headers: { 'x-debug': ['1'] } })).ok, false);
    const j = compile({ jwt: { policies: ['isEmpty(JWT.a) && isEmpty(JWT.b) && isEmpty(JWT.c) && !isEmpty(JWT.d)'] } });
    assert.deepEqual(runJwtPolicies(j, { a: null, b: '', c: {}, d: 'x' }), { ok: true });
    assert.equal(runJwtPolicies(j, { a: null, b: '', c: { k: 1 }, d: 'x' }).ok, false);
  });
  it('disable_macros removes them (startup error), and validation/cel never has them', () => {
    refused(
      () => compile({ req: { policies: ['isEmpty(req_path)'] }, disable_macros: true }),
      `${P}/req/policies/0`,
      /isEmpty\(\) is not in KrakenD's CEL environment \(standard library only\)/,
    );
  });
  it('undocumented helpers are refused at startup, not guessed', () => {
    refused(() => compile({ req: { policies: ["hasHeader('X')"] } }), `${P}/req/policies/0`, /hasHeader\(\) is not in KrakenD's CEL environment/);
    refused(() => compile({ req: { policies: ["geoIP().country == 'ES'"] } }), `${P}/req/policies/0`, /geoIP\(\) is not/);
  });
});

describe('policies: startup refusals', () => {
  it('a policy referencing another phase, with its pointer', () => {
    refused(() => compile({ req: { policies: ['true', 'resp_completed'] } }), `${P}/req/policies/1`, /request phase, where resp_completed is not available/);
    refused(() => compile({ resp: { policies: ["JWT.sub == 'x'"] } }), `${P}/resp/policies/0`, /JWT is not available/);
    refused(() => compile({ jwt: { policies: ["req_method == 'GET'"] } }), `${P}/jwt/policies/0`, /req_method/);
  });
  it('empty config, empty lists, bad error fields, catastrophic matches compile to RE2', () => {
    refused(() => compile({}), P, /at least one of req, resp or jwt/);
    refused(() => compile({ req: { policies: [] } }), `${P}/req/policies`, /non-empty/);
    refused(() => compile({ req: { policies: ['true'], error: { status: 1000 } } }), `${P}/req/error/status`, /HTTP status/);
    refused(() => compile({ req: { policies: ['true'], error: { content_type: 'a\r\nX-Evil: 1' } } }), `${P}/req/error/content_type`, /one-line/);
    const p = compile({ req: { policies: ["req_path.matches('^(a+)+$')"] } });
    assert.equal(runRequestPolicies(p, facts({ path: 'a'.repeat(100_000) + '!' })).ok, false);
  });
});

describe('policies: getCookie (KrakenD EE playground)', () => {
  it('reads the named cookie from the forwarded Cookie lines; "" when absent', async () => {
    const { cookieValue } = await import('../../src/data-protection/policies/macros.js');
    assert.equal(cookieValue(['a=1; GDPR=yes'], 'GDPR'), 'yes');
    assert.equal(cookieValue(['a=1', 'GDPR = yes ;b=2'], 'GDPR'), 'yes');
    assert.equal(cookieValue(['GDPR="yes"'], 'GDPR'), 'yes');
    assert.equal(cookieValue(['GDPR=a=b'], 'GDPR'), 'a=b');
    assert.equal(cookieValue(['gdpr=yes', 'XGDPR=yes', 'GDPR'], 'GDPR'), '');
    assert.equal(cookieValue(undefined, 'GDPR'), '');
  });

  it('is a request-phase macro: runs on req policies, refused in resp and jwt ones, off with disable_macros', () => {
    const p = compile({ req: { policies: ["getCookie('GDPR') == 'yes'"] } });
    assert.deepEqual(runRequestPolicies(p, facts({ headers: { cookie: ['GDPR=yes'] } })), { ok: true });
    assert.ok(!runRequestPolicies(p, facts({ headers: { cookie: ['GDPR=no'] } })).ok);
    assert.ok(!runRequestPolicies(p, facts()).ok);
    refused(() => compile({ resp: { policies: ["getCookie('GDPR') == 'yes'"] } }), `${P}/resp/policies/0`, /req_headers/);
    refused(() => compile({ jwt: { policies: ["getCookie('GDPR') == 'yes'"] } }), `${P}/jwt/policies/0`, /req_headers/);
    refused(() => compile({ disable_macros: true, req: { policies: ["getCookie('GDPR') == 'yes'"] } }), `${P}/req/policies/0`, /getCookie/);
  });
});
