// Token extraction (src/components/auth/validator/extract-token.ts) under random Authorization
// and Cookie headers: the header wins when present, a "Bearer " prefix in any case is removed,
// the cookie is read only when configured, by exact name, first match; never a throw, never
// whitespace around a token.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { compileExtractor } from '../../src/components/auth/validator/extract-token.js';

const tokenText = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,40}$/), fc.constantFrom('a.b.c', 'x'));
const caseOf = (s: string, up: boolean[]) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join('');
const cookieName = fc.constantFrom('access_token', 'token', 'Token', 'tok', 'access_token2', ' access_token', 'a');

export const tokenInput = fc.record({
  header: fc.constantFrom('Authorization', 'X-Token'),
  cookieKey: fc.option(fc.constantFrom('access_token', 'token'), { nil: undefined }),
  // The header: absent, a Bearer token (prefix in any case, odd spacing), a bare token, or noise.
  value: fc.oneof(
    fc.constant(undefined),
    fc
      .tuple(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.constantFrom(' ', '  ', ' \t'), tokenText)
      .map(([up, sp, t]) => ({ kind: 'bearer' as const, text: caseOf('bearer', up) + sp + t, token: t })),
    tokenText.map((t) => ({ kind: 'bare' as const, text: t, token: t })),
    fc.string({ maxLength: 20 }).map((t) => ({ kind: 'noise' as const, text: t, token: undefined })),
  ),
  cookies: fc.array(fc.tuple(cookieName, tokenText, fc.boolean(), fc.constantFrom('; ', ';', ' ; ')), { maxLength: 5 }),
  cookieNoise: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
});

export const tokenProperty = fc.property(tokenInput, ({ header, cookieKey, value, cookies, cookieNoise }) => {
  const headers: Record<string, string> = {};
  if (value) headers[header.toLowerCase()] = value.text;
  const cookie = cookies.map(([n, v, quoted], i) => (i ? cookies[i - 1][3] : '') + `${n}=${quoted ? `"${v}"` : v}`).join('') + (cookieNoise ?? '');
  if (cookies.length || cookieNoise) headers.cookie = cookie;
  const got = compileExtractor(header, cookieKey)({ headers } as unknown as IncomingMessage);
  if (got !== undefined) {
    assert.ok(got.length > 0);
    assert.equal(got, got.trim(), 'whitespace around the token');
  }
  if (value && value.text.trim() !== '') {
    // Present: the header decides, whatever the cookies say.
    if (value.kind !== 'noise') assert.equal(got, value.token);
    else assert.ok(got !== undefined && value.text.includes(got));
    return;
  }
  if (value && value.text !== '') {
    // Only whitespace: no token from the header, and the cookie is not consulted either.
    assert.equal(got, undefined);
    return;
  }
  if (cookieKey === undefined || cookieNoise !== undefined) {
    if (cookieKey === undefined) assert.equal(got, undefined, 'a cookie read without cookie_key');
    return;
  }
  const first = cookies.find(([n]) => n.trim() === cookieKey);
  assert.equal(got, first ? first[1] : undefined, `cookie ${JSON.stringify(cookie)}`);
});
