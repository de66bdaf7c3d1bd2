// validation/cel engine (issue #16) on real cel-js and re2js: KrakenD's variables, phases from
// the syntax tree, startup refusals with pointers, abort semantics of fixtures cel-1..cel-5,
// RE2 matches() on catastrophic input, cost bounds, KrakenD's `now` format.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { DataProtectionConfigError } from '../../src/data-protection/compile-error.js';
import { asNode, serializeAst } from '../../src/data-protection/cel/ast.js';
import { compileCel } from '../../src/data-protection/cel/compile-cel.js';
import { celEnvironment } from '../../src/data-protection/cel/environment.js';
import { krakendNow } from '../../src/data-protection/cel/now.js';
import { canonicalHeaderLists } from '../../src/data-protection/cel/activation.js';
import { celAbortAnswer, runCelJwt, runCelRequest, runCelResponse } from '../../src/data-protection/cel/run-cel.js';
import type { RequestFacts, ResponseFacts } from '../../src/data-protection/types.js';

const P = '/endpoints/0/extra_config/validation~1cel';
const EP = { level: 'endpoint', jwtValidator: true } as const;
const cel = (exprs: string[], ctx: { level: 'endpoint' | 'backend'; jwtValidator: boolean } = EP) =>
  compileCel(
    exprs.map((check_expr) => ({ check_expr })),
    P,
    ctx,
  );
const reqFacts = (o: Partial<RequestFacts> = {}): RequestFacts => ({
  method: 'GET',
  path: '/cel/req-resp/30',
  params: { id: '30' },
  headers: { 'x-header': ['something'] },
  query: {},
  body: null,
  claims: null,
  ...o,
});
const respFacts = (o: Partial<ResponseFacts> = {}): ResponseFacts => ({ status: 200, headers: {}, data: {}, completed: true, ...o });

function refused(fn: () => unknown, pointer: string, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataProtectionConfigError, String(e));
    assert.equal(e.pointer, pointer);
    assert.match(e.reason, reason);
    return true;
  });
}

describe('cel: phases from the syntax tree', () => {
  it('JWT.required_role is JWT-only (KrakenD files it as a request check too, by substring)', () => {
    const c = cel(["JWT.required_role == 'x'"]);
    assert.equal(c.request.checks.length, 0);
    assert.equal(c.jwt.checks.length, 1);
    assert.deepEqual([...c.jwt.uses], ['JWT']);
  });

  it('literals and field names do not misfile: req_path == "/resp" is a request check', () => {
    const c = cel(["req_path == '/resp/JWT'", 'resp_data.req_x == 1', 'size(JWT.resp) > 0']);
    assert.deepEqual([c.request.checks.length, c.response.checks.length, c.jwt.checks.length], [1, 1, 1]);
  });

  it('comprehension variables are not KrakenD variables', () => {
    const c = cel(["JWT.roles.exists(req_path, req_path == 'admin')", 'resp_data.items.all(JWT, JWT > 0)']);
    assert.equal(c.jwt.checks.length, 1);
    assert.equal(c.response.checks.length, 1);
    assert.deepEqual([...c.response.checks[0].uses], ['resp_data']);
  });

  it('now-only expressions run in the request phase (KrakenD never evaluates them)', () => {
    const c = cel(['timestamp(now) > timestamp("2000-01-01T00:00:00Z")']);
    assert.equal(c.request.checks.length, 1);
    assert.deepEqual(runCelRequest(c, reqFacts()), { ok: true });
  });

  it('the abort index counts within its phase', () => {
    const c = cel(['size(JWT.roles) > 1', "'something' in req_headers['X-Header']", 'resp_completed', 'int(req_params.Id) % 2 == 0']);
    const r = runCelRequest(c, reqFacts({ params: { id: '1' } }));
    assert.ok(!r.ok);
    assert.equal(r.index, 1);
    assert.equal(r.message, 'request aborted by evaluator #1');
  });
});

describe('cel: startup refusals with pointers', () => {
  it('mixing phases', () => {
    refused(() => cel(['true', "req_method == 'GET' && resp_completed"]), `${P}/1/check_expr`, /mixes request and response/);
    refused(() => cel(['JWT.sub == req_params.Id']), `${P}/0/check_expr`, /mixes/);
  });
  it('unknown variable (req_body, which KrakenD silently drops)', () => {
    refused(() => cel(["req_body.x == 'y'"]), `${P}/0/check_expr`, /type-check: Unknown variable: req_body/);
  });
  it('type-check failure (resp_data.sequence-2.message)', () => {
    refused(() => cel(["resp_data.sequence-2.message == 'pong'"]), `${P}/0/check_expr`, /type-check/);
    refused(() => cel(['req_params.Id == 1']), `${P}/0/check_expr`, /type-check/);
  });
  it('non-bool result', () => {
    refused(() => cel(['req_method']), `${P}/0/check_expr`, /returns string, not bool/);
    refused(() => cel(['1 + 2']), `${P}/0/check_expr`, /returns int, not bool/);
  });
  it('parse errors, empty expressions, mod_expr, reserved names', () => {
    refused(() => cel(['req_method ==']), `${P}/0/check_expr`, /does not parse/);
    refused(() => cel(['']), `${P}/0/check_expr`, /non-empty/);
    refused(() => compileCel([{ check_expr: 'true', mod_expr: 'x' }], P, EP), `${P}/0/mod_expr`, /unknown field/);
    refused(() => cel(["__rampart_matches(req_method, 'a')"]), `${P}/0/check_expr`, /reserved/);
    refused(() => compileCel([], P, EP), P, /non-empty list/);
  });
  it('extension functions cel-js has and KrakenD does not (strings ext, cel.bind, bytes.json)', () => {
    for (const e of [
      "req_path.lowerAscii() == 'x'",
      "req_path.split('/').size() > 1",
      "req_path.indexOf('a') >= 0",
      "cel.bind(x, req_path, x == 'a')",
      "b'{}'.json() == {}",
      'between(1, 0, 2)',
    ]) {
      refused(() => cel([e]), `${P}/0/check_expr`, /not in KrakenD's CEL environment/);
    }
  });
  it('JWT at backend level, or without auth/validator', () => {
    refused(() => cel(['size(JWT.roles) > 1'], { level: 'backend', jwtValidator: true }), `${P}/0/check_expr`, /backend level/);
    refused(() => cel(['size(JWT.roles) > 1'], { level: 'endpoint', jwtValidator: false }), `${P}/0/check_expr`, /needs auth\/validator/);
  });
  it('matches() with a non-literal or non-RE2 pattern', () => {
    refused(() => cel(['req_path.matches(req_headers["X"][0])']), `${P}/0/check_expr`, /literal pattern/);
    refused(() => cel(["req_path.matches('(?=a)')"]), `${P}/0/check_expr`, /RE2/);
  });
  it('cost bounds: nested comprehensions, AST size, expression length', () => {
    refused(() => cel(['resp_data.l.exists(a, resp_data.l.exists(b, a == b))']), `${P}/0/check_expr`, /nested 2 deep/);
    refused(() => cel([Array.from({ length: 1100 }, () => '1').join('+') + ' > 0']), `${P}/0/check_expr`, /maxAstNodes/);
    refused(() => cel(['true || ' + "'x' == 'x' || ".repeat(400) + 'true']), `${P}/0/check_expr`, /longer than 4096/);
    // Sequential (not nested) comprehensions are fine.
    assert.equal(cel(['resp_data.l.map(a, a + 1).exists(b, b == 2)']).response.checks.length, 1);
  });
});

describe('cel: evaluation (fixtures cel-1..cel-5)', () => {
  const endpoint = cel(["'something' in req_headers['X-Header']", 'int(req_params.Id) % 2 == 0']);
  const backend1 = cel(['int(req_params.Id) % 3 == 0'], { level: 'backend', jwtValidator: false });
  it('cel-1: /1 with header: #1 false -> abort #1, endpoint answers 500', () => {
    const r = runCelRequest(endpoint, reqFacts({ params: { id: '1' } }));
    assert.ok(!r.ok);
    assert.deepEqual([r.index, r.message, r.cause], [1, 'request aborted by evaluator #1', 'false']);
    assert.equal(celAbortAnswer('endpoint', r.phase), 500);
  });
  it('cel-2: no header -> #0 throws (no such key) -> abort #0', () => {
    const r = runCelRequest(endpoint, reqFacts({ headers: {} }));
    assert.ok(!r.ok);
    assert.equal(r.message, 'request aborted by evaluator #0');
    assert.equal(r.cause, 'evaluation error (no_such_key)');
  });
  it('cel-3/4: backend check false -> that backend skipped', () => {
    const r = runCelRequest(backend1, reqFacts({ params: { id: '10' } }));
    assert.ok(!r.ok);
    assert.equal(celAbortAnswer('backend', r.phase), 'skip');
  });
  it('cel-5: all pass', () => {
    assert.deepEqual(runCelRequest(endpoint, reqFacts()), { ok: true });
    assert.deepEqual(runCelRequest(backend1, reqFacts()), { ok: true });
  });
  it('headers are canonicalised (x-header -> X-Header), values are lists', () => {
    const c = cel(["req_headers['X-Some-Thing'] == ['a', 'b']"]);
    assert.deepEqual(runCelRequest(c, reqFacts({ headers: { 'x-some-thing': ['a', 'b'] } })), { ok: true });
  });
  it('prototype keys are not map keys', () => {
    const c = cel(["'constructor' in req_headers || 'toString' in req_params || has(req_params.__proto__)"]);
    const r = runCelRequest(c, reqFacts());
    assert.ok(!r.ok, 'all false');
    assert.equal(r.cause, 'false');
  });
  it('query string, method and path', () => {
    const c = cel(["req_method == 'POST' && req_path.startsWith('/api') && req_querystring.page[0] == '2'"]);
    assert.deepEqual(runCelRequest(c, reqFacts({ method: 'POST', path: '/api/x', query: { page: ['2'] } })), { ok: true });
    assert.equal(runCelRequest(c, reqFacts({ method: 'POST', path: '/api/x', query: { page: ['3'] } })).ok, false);
  });
  it('response phase: status as int, headers, data, completed', () => {
    const c = cel([
      'resp_metadata_status == 200',
      "resp_metadata_headers['Content-Type'][0] == 'application/json'",
      "resp_data.user.role == 'admin'",
      'resp_completed',
    ]);
    assert.deepEqual(runCelResponse(c, respFacts({ headers: { 'content-type': ['application/json'] }, data: { user: { role: 'admin' } } })), { ok: true });
    const r = runCelResponse(c, respFacts({ headers: { 'content-type': ['application/json'] }, data: { user: { role: 'user' } } }));
    assert.ok(!r.ok && r.index === 2 && r.phase === 'response');
  });
  it('JWT phase: cel-7 passes, fewer roles fail -> 401; non-bool dyn result aborts', () => {
    const c = cel(['size(JWT.roles)>1']);
    assert.deepEqual(runCelJwt(c, { roles: ['role_a', 'role_b'] }), { ok: true });
    const r = runCelJwt(c, { roles: ['role_y'] });
    assert.ok(!r.ok);
    assert.equal(celAbortAnswer('endpoint', r.phase), 401);
    const d = runCelJwt(cel(['JWT.flag']), { flag: 'yes' });
    assert.ok(!d.ok && d.cause === 'returned string, not bool');
    assert.deepEqual(runCelJwt(cel(['JWT.flag']), { flag: true }), { ok: true });
  });
  it('evaluation errors never echo input values', () => {
    const r = runCelRequest(cel(["int(req_headers['Authorization'][0]) > 0"]), reqFacts({ headers: { authorization: ['Bearer SECRET-TOKEN'] } }));
    assert.ok(!r.ok);
    assert.doesNotMatch(JSON.stringify(r), /SECRET/);
  });
});

describe('cel: matches() on RE2', () => {
  it('a catastrophic pattern against a long header answers correctly (both forms)', () => {
    const c = cel(["req_headers['X'][0].matches('^(a+)+$')"]);
    const long = 'a'.repeat(100_000);
    assert.deepEqual(runCelRequest(c, reqFacts({ headers: { x: [long] } })), { ok: true });
    assert.equal(runCelRequest(c, reqFacts({ headers: { x: [long + '!'] } })).ok, false);
    const g = cel(["matches(req_path, '^/(x+x+)+y$')"]);
    assert.equal(runCelRequest(g, reqFacts({ path: '/' + 'x'.repeat(50_000) })).ok, false);
    assert.equal(runCelRequest(g, reqFacts({ path: '/xxy' })).ok, true);
  });
  it('RE2 semantics: unanchored, inline flags', () => {
    const c = cel(["req_path.matches('(?i)ADMIN')"]);
    assert.equal(runCelRequest(c, reqFacts({ path: '/x/admin/y' })).ok, true);
    assert.equal(runCelRequest(c, reqFacts({ path: '/x/user' })).ok, false);
  });
  it('matches() on a dyn value inside a larger expression keeps its meaning', () => {
    const c = cel(["JWT.email.matches('@example\\\\.com$') && !(JWT.sub.matches('^svc-'))"]);
    assert.deepEqual(runCelJwt(c, { email: 'a@example.com', sub: 'u1' }), { ok: true });
    assert.equal(runCelJwt(c, { email: 'a@example.com', sub: 'svc-1' }).ok, false);
    assert.equal(runCelJwt(c, { email: 'a@exampleXcom', sub: 'u1' }).ok, false);
  });
});

describe('cel: printing a tree back', () => {
  it('round-trips literals of every kind with the same value', () => {
    const env = celEnvironment();
    for (const e of [
      '1 + 2 * 3 == 7',
      '-1 < 0 && 1.5 > 1.0 && 2.0 == 2.0 && 1e300 > 1e299 && 1e21 == 1e21 && 0.1 + 0.2 > 0.3',
      '1u == 1u',
      "b'\\x41' == b'A'",
      '\'a"b\\n\' + "c" == \'a"b\\nc\'',
      "[1, 2][1] == 2 && {'k': true}.k",
      '(true ? 1 : 2) == 1',
      '!false',
      'null == null',
      '[1,2,3].filter(x, x > 1).size() == 2',
    ]) {
      const printed = serializeAst(asNode(env.parse(e).ast));
      assert.equal(env.evaluate(printed), true, `${e} -> ${printed}`);
    }
  });
});

describe('cel: now', () => {
  it("KrakenD's format: local time, trimmed fraction", () => {
    const d = new Date(Date.UTC(2026, 11, 3, 9, 0, 5, 0));
    const s = krakendNow(d);
    assert.match(s, /^2026-12-03T\d\d:\d\d:05(Z|[+-]\d\d:\d\d)$/);
    assert.match(krakendNow(new Date(Date.UTC(2026, 11, 3, 9, 0, 0, 500))), /:00\.5(Z|[+-]\d\d:\d\d)$/);
    assert.match(krakendNow(new Date(Date.UTC(2026, 11, 3, 9, 0, 0, 120))), /:00\.12(Z|[+-]\d\d:\d\d)$/);
    // Parsed by timestamp() in an expression; Saturday closes a weekdays-only check.
    const c = cel(['(timestamp(now).getDayOfWeek() + 6) % 7 <= 4']);
    assert.equal(runCelRequest(c, reqFacts(), new Date(Date.UTC(2026, 11, 5, 12))).ok, false, 'Saturday');
    assert.equal(runCelRequest(c, reqFacts(), new Date(Date.UTC(2026, 11, 3, 12))).ok, true, 'Thursday');
  });
  it('process-local offsets as Go prints them, and timestamp() reads them', () => {
    const url = new URL('../../src/data-protection/cel/now.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(url)}).then((m) => console.log(m.krakendNow(new Date(Date.UTC(2026, 11, 3, 9, 0, 0, 500)))))`;
    for (const [tz, want] of [
      ['Asia/Kolkata', '2026-12-03T14:30:00.5+05:30'],
      ['America/New_York', '2026-12-03T04:00:00.5-05:00'],
      ['UTC', '2026-12-03T09:00:00.5Z'],
    ]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { env: { ...process.env, TZ: tz }, encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.stdout.trim(), want, `${tz}: ${r.stderr}`);
    }
    assert.equal(celEnvironment().evaluate("timestamp('2026-12-03T14:30:00.5+05:30') == timestamp('2026-12-03T09:00:00.5Z')"), true);
  });
});

describe('CEL activation: canonical headers built in one pass', () => {
  it('canonicalHeaderLists keys as Go textproto, values in arrival order; the activation binds it as given', () => {
    const flat = ['x-tenant', 'acme', 'user-agent', 'u', 'X-TENANT', 'other', 'x-forwarded-for', '127.0.0.1'];
    const m = canonicalHeaderLists(flat);
    assert.deepEqual({ ...m }, { 'X-Tenant': ['acme', 'other'], 'User-Agent': ['u'], 'X-Forwarded-For': ['127.0.0.1'] });
    assert.equal(Object.getPrototypeOf(m), null);
    const c = cel(["req_headers['X-Tenant'] == ['acme', 'other'] && !('x-tenant' in req_headers)"]);
    assert.deepEqual(runCelRequest(c, reqFacts({ headers: {}, canonicalHeaders: m })), { ok: true });
    // Without it, the same map from `headers` (any key case).
    assert.deepEqual(runCelRequest(c, reqFacts({ headers: { 'x-tenant': ['acme'], 'X-TENANT': ['other'] } })), { ok: true });
  });
});
