// URL templating (src/proxy/url-template.ts) under random values and encodings: the invariant of
// issue #14 item 3. What a backend sees, percent-decoded once (or twice) and dot-segment
// normalised with `/` and `\` both read as separators, never leaves the url_pattern's fixed
// prefix and has exactly the template's segments, or the builder refuses the value.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileUrlTemplate, UNSAFE_VALUE, type ValueSource } from '../../src/proxy/url-template.js';

/** Pieces that make traversals, separators and encodings of them, and harmless text. */
const PIECES = [
  '.',
  '..',
  '...',
  '/',
  '\\',
  '%2F',
  '%2f',
  '%5C',
  '%5c',
  '%2e',
  '%2E',
  '%2e%2e',
  '%252F',
  '%252e',
  '%25',
  '%',
  '%%',
  '%zz',
  '%c0%af',
  '%c0%ae',
  '%e2%88%95',
  '\u2215',
  '\uff0f',
  '\uff3c',
  ';',
  '?',
  '#',
  '&',
  '=',
  '+',
  ' ',
  '%20',
  '\t',
  '\r\n',
  '\u0000',
  '%00',
  '%0d%0a',
  'a',
  'admin',
  'é',
  '😀',
  '\ud800',
  '~',
  '@',
  ':',
  '*',
  '{',
  '}',
  '%7B',
  'id',
];
const PLAIN = /^[A-Za-z0-9_-]+$/;

/** One character percent-encoded as a backend would decode it (UTF-8 bytes), upper or lower case. */
function pctEncode(ch: string, lower: boolean): string {
  const hex = Buffer.from(ch, 'utf8').toString('hex');
  const s = hex.replace(/(..)/g, '%$1');
  return lower ? s : s.toUpperCase();
}

/** A value as the router hands it over (decoded once already): pieces, some of them re-encoded
 * zero, one or two more times. */
export const pathValue: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom(...PIECES), fc.nat({ max: 5 }), fc.boolean()), { minLength: 1, maxLength: 6 }).map((parts) =>
    parts
      .map(([p, enc, lower]) => {
        if (enc < 3) return p; // most pieces as they are
        const once = [...p].map((c) => pctEncode(c, lower)).join('');
        return enc === 5 ? once.replace(/%/g, '%25') : once;
      })
      .join(''),
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
  // Layers of encoding, up to URL-sized: the check must stay bounded (issue #14).
  fc
    .tuple(fc.constantFrom('%', '%2F', '%2e', 'a'), fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1000, max: 30_000 })))
    .map(([p, n]) => p + '25'.repeat(n)),
);

/** Percent-decodes %XX sequences once into UTF-8 (invalid bytes as U+FFFD), leaving a `%` that
 * starts no valid sequence as it is: the most lenient backend. */
export function decodeOnce(s: string): string {
  const out: number[] = [];
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length + 0 && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0))) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
      i += 2;
    } else out.push(b);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(out));
}

/** RFC 3986 §5.2.4 remove_dot_segments, with `\` read as `/` (as Windows and some Java servers do). */
export function normalisePath(path: string): string {
  const segs = path.replace(/\\/g, '/').split('/');
  const out: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    const last = i === segs.length - 1;
    if (s === '.') {
      if (last) out.push('');
    } else if (s === '..') {
      if (out.length > 1) out.pop();
      if (last) out.push('');
    } else out.push(s);
  }
  return out.join('/');
}

interface Template {
  pattern: string;
  /** What every built path must start with once normalised. */
  prefix: string;
  /** Separators in the path part of the template's literal text. */
  separators: number;
  names: string[];
}

function template(pattern: string): Template {
  const path = pattern.split('?')[0];
  const literal = path.replace(/\{[^{}]+\}/g, '');
  const first = path.indexOf('{');
  const head = first < 0 ? path : path.slice(0, first);
  const names = [...pattern.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);
  return { pattern, prefix: head.slice(0, head.lastIndexOf('/') + 1), separators: (literal.match(/[/\\]/g) ?? []).length, names };
}

export const TEMPLATES = [
  '/users/{id}',
  '/api/v1/{a}/items/{b}',
  '/{id}',
  '/x{id}y/z',
  '/files/{id}.json',
  '/users/{JWT.sub}/profile',
  '/b/{resp0_user.id}/c',
  '/q/{id}?x={q}&y=1',
  '/{a}{b}/end',
  '/t/{tenant}/orders/{id}',
  '/q/{id}?x=1',
].map(template);

function sourceFor(t: Template, values: string[]): ValueSource {
  const src: ValueSource = { params: {}, claims: {}, responses: [{}] };
  t.names.forEach((n, i) => {
    const v = values[i % values.length];
    if (n.startsWith('JWT.')) src.claims![n.slice(4)] = v;
    else if (n.startsWith('resp0_')) (src.responses![0] as Record<string, unknown>)[n.slice(6).split('.')[0]] = { [n.split('.')[1]]: v };
    else src.params[n] = v;
  });
  return src;
}

/** The invariant on a path `built` from template `t`, as a backend that decodes `times` times sees it. */
export function assertStaysInside(t: Template, built: string, label: string): void {
  // Only characters that need no encoding in a request target ever leave the builder.
  assert.match(built, /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$/, `raw unsafe character in ${JSON.stringify(built)} (${label})`);
  const q = built.indexOf('?');
  const path = q < 0 ? built : built.slice(0, q);
  let seen = path;
  for (let times = 1; times <= 2; times++) {
    seen = decodeOnce(seen);
    const norm = normalisePath(seen);
    assert.ok(norm.startsWith(t.prefix), `decoded ${times}x, ${JSON.stringify(built)} leaves ${t.prefix}: ${JSON.stringify(norm)} (${label})`);
    assert.equal((seen.match(/[/\\]/g) ?? []).length, t.separators, `decoded ${times}x, a value added a separator: ${JSON.stringify(seen)} (${label})`);
  }
  if (t.pattern.includes('?')) {
    // A query value cannot add parameters or a fragment.
    const query = built.slice(q + 1);
    assert.equal(query.split('&').length, t.pattern.split('?')[1].split('&').length, `a value added a query parameter: ${built}`);
    assert.ok(!built.includes('#'));
  }
}

export const urlTemplateProperty = fc.property(fc.nat({ max: TEMPLATES.length - 1 }), fc.array(pathValue, { minLength: 1, maxLength: 3 }), (ti, values) => {
  const t = TEMPLATES[ti];
  const build = compileUrlTemplate(t.pattern);
  const built = build(sourceFor(t, values));
  const label = `${t.pattern} with ${JSON.stringify(values)}`;
  assert.notEqual(built, undefined, `no value for a placeholder (${label})`);
  if (built === UNSAFE_VALUE) {
    // Refusing is always safe; refusing plain names would break every API.
    const query = t.pattern.split('?')[1] ?? '';
    const used = t.names
      .map((n, i) => [n, values[i % values.length]])
      .filter(([n]) => !query.includes(`{${n}}`))
      .map(([, v]) => v);
    assert.ok(!used.every((v) => PLAIN.test(v)), `plain values refused (${label})`);
    return;
  }
  assertStaysInside(t, built as string, label);
});
