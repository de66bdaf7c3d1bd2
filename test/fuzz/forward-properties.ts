// Header and query forwarding (src/proxy/forward-headers.ts, forward-query.ts) under random
// client input: only declared names pass, every Connection-named and hop-by-hop header is gone,
// the gateway's own forwarding headers are the only ones, and the query is re-encoded in Go's
// key order with nothing added or lost.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareCodePoints } from '../../src/encoding/go-order.js';
import { compileHeaderFilter } from '../../src/proxy/forward-headers.js';
import { compileBackendQueryFilter, compileQueryFilter, MAX_QUERY_PARAMS, tooManyQueryParams } from '../../src/proxy/forward-query.js';

const HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'host',
  'content-length',
  'expect',
  'http2-settings',
];
const GATEWAY = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-via'];
const FORWARDING = [
  'forwarded',
  'x-real-ip',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-server',
  'x-forwarded-ssl',
  'x-client-ip',
  'true-client-ip',
  'x-original-forwarded-for',
];
const NAMES = [
  ...HOP,
  ...GATEWAY,
  ...FORWARDING,
  'content-type',
  'accept',
  'accept-encoding',
  'user-agent',
  'authorization',
  'cookie',
  'x-a',
  'x-b',
  'x-user',
  '*',
];

/** A header name in random case. */
const name = fc
  .tuple(fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/)), fc.array(fc.boolean(), { maxLength: 30 }))
  .map(([n, up]) => [...n].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
const headerValue = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('gzip', 'close', 'keep-alive'));
/** A Connection header value: tokens with odd spacing and empty list members. */
const connectionValue = fc
  .array(fc.tuple(name, fc.constantFrom('', ' ', '\t', '  ')), { maxLength: 5 })
  .map((ts) => ts.map(([t, sp]) => sp + t + sp).join(','));

export const headerInput = fc.record({
  declared: fc.oneof(fc.constant([] as string[]), fc.array(name, { maxLength: 6 })),
  disableCompression: fc.boolean(),
  headers: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.tuple(name, headerValue) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Connection', 'connection', 'CONNECTION'), connectionValue) },
    ),
    { maxLength: 12 },
  ),
});

export const headerProperty = fc.property(headerInput, ({ declared, disableCompression, headers }) => {
  const raw = headers.flat();
  const { build } = compileHeaderFilter(declared, disableCompression);
  const out = build({ rawHeaders: raw, clientIp: '192.0.2.7', host: 'gw.example' });
  const all = declared.includes('*');
  const allowed = new Set(declared.length === 0 ? ['content-type'] : declared.map((d) => d.toLowerCase()));
  const named = new Set(headers.filter(([n]) => n.toLowerCase() === 'connection').flatMap(([, v]) => v.split(',').map((t) => t.trim().toLowerCase())));
  const passes = (l: string) => !HOP.includes(l) && !GATEWAY.includes(l) && !named.has(l) && (all ? !FORWARDING.includes(l) : allowed.has(l));
  // The client's part: exactly the headers that may pass, in order, with their values.
  const fromClient = headers.filter(([n]) => passes(n.toLowerCase())).flatMap(([n, v]) => [n.toLowerCase(), v]);
  assert.deepEqual(out.slice(0, fromClient.length), fromClient);
  // The gateway's part.
  const tail = out.slice(fromClient.length);
  const pairs: [string, string][] = [];
  for (let i = 0; i < tail.length; i += 2) pairs.push([tail[i], tail[i + 1]]);
  const forwardsUA = all || allowed.has('user-agent');
  assert.deepEqual(
    pairs.map(([n]) => n).filter((n) => n !== 'accept-encoding'),
    [forwardsUA ? 'x-forwarded-via' : 'user-agent', 'x-forwarded-for', 'x-forwarded-host'],
  );
  assert.deepEqual(
    pairs.find(([n]) => n === 'x-forwarded-for'),
    ['x-forwarded-for', '192.0.2.7'],
  );
  const forwardsAE = all || allowed.has('accept-encoding');
  assert.equal(
    pairs.some(([n]) => n === 'accept-encoding'),
    !forwardsAE && !disableCompression,
  );
  // Nothing forbidden anywhere.
  for (let i = 0; i < out.length; i += 2) {
    assert.equal(out[i], out[i].toLowerCase());
    assert.ok(!HOP.includes(out[i]), `hop-by-hop ${out[i]} forwarded`);
    if (i < fromClient.length) assert.ok(!named.has(out[i]), `${out[i]} is named in Connection`);
  }
});

const KEYS = [
  'a',
  'b',
  'A',
  'a b',
  'a+b',
  'é',
  '😀',
  '\uffff',
  '\ue000',
  '%',
  '%zz',
  '%2',
  '=',
  '',
  'k[]',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'page',
];
/** A query key or value as a client may write it: raw, %-encoded, or with `+` for spaces. */
const part = fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })), fc.nat({ max: 3 })).map(([s, how]) => {
  if (how === 0) return s.replace(/[&#]/g, '');
  if (how === 1) return encodeURIComponent(s.replace(/[\ud800-\udfff]/gu, ''));
  if (how === 2) return encodeURIComponent(s.replace(/[\ud800-\udfff]/gu, '')).replace(/%20/g, '+');
  return [...s].map((c) => '%' + (c.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')).join('');
});
export const rawQuery = fc
  .array(fc.tuple(part, fc.option(part, { nil: undefined }), fc.constantFrom('&', '&&', '&')), { maxLength: 10 })
  .map((ps) => ps.map(([k, v, sep], i) => (i ? sep : '') + k + (v === undefined ? '' : '=' + v)).join(''));
const declaredKeys: fc.Arbitrary<string[]> = fc.oneof(fc.constant(['*'] as string[]), fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 5 }));

export const queryProperty = fc.property(
  declaredKeys,
  fc.option(fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  rawQuery,
  (declared, backendKeys, q) => {
    const filter = compileQueryFilter(declared)!;
    const out = filter(q);
    const all = declared.includes('*');
    const input = [...new URLSearchParams(q)].filter(([k]) => all || declared.includes(k));
    // Stable by key in Go's order (UTF-8 bytes, i.e. code points), values in request order.
    const expected = [...input].sort((x, y) => compareCodePoints(x[0], y[0]));
    assert.deepEqual([...new URLSearchParams(out)], expected, `${JSON.stringify(q)} -> ${JSON.stringify(out)}`);
    assert.ok(!/[#\s]/.test(out));
    // The backend filter runs on what the endpoint produced and never throws on it.
    const back = compileBackendQueryFilter(backendKeys);
    if (back)
      assert.deepEqual(
        [...new URLSearchParams(back(out))],
        expected.filter(([k]) => backendKeys!.includes(k)),
      );
  },
);

/** No query with more than MAX_QUERY_PARAMS real parameters slips past the cap (the check skips
 * short queries without scanning them). */
export const queryCapProperty = fc.property(
  fc.array(fc.constantFrom('a=1', 'b', '', 'kk=vv', 'x='), { minLength: MAX_QUERY_PARAMS - 3, maxLength: MAX_QUERY_PARAMS + 40 }),
  (pairs) => {
    const q = pairs.join('&');
    const real = [...new URLSearchParams(q)].length;
    if (real > MAX_QUERY_PARAMS) assert.ok(tooManyQueryParams(q), `${real} parameters passed the cap`);
    if (q.split('&').length <= MAX_QUERY_PARAMS) assert.ok(!tooManyQueryParams(q));
  },
);
