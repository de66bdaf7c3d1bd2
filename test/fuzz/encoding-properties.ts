// The backend decoders (src/pipeline/decode.ts over src/encoding) and the output encoders under
// arbitrary backend bytes: a decoder either gives data or refuses with a clean error (its own
// message, or JSON.parse's SyntaxError), never a stack overflow or a TypeError from a bug; the
// encoders never throw on data a decoder produced, except the JSON encoder's documented depth
// refusal; Go-style JSON reads back as the same data.
import assert from 'node:assert';
import fc from 'fast-check';
import { stringifyGo } from '../../src/encoding/json-go.js';
import { encodeXml } from '../../src/encoding/xml.js';
import { encodeYaml } from '../../src/encoding/yaml.js';
import { compileDecoder, type Decoder } from '../../src/pipeline/decode.js';

/** Text of a runtime bug, not a refusal. */
const BUG = /Maximum call stack|Cannot read propert|is not a function|is not iterable|Cannot convert|undefined \(reading|Invalid string length/;

export function assertClean(err: unknown, what: string): void {
  assert.ok(err instanceof Error, `${what} threw a non-Error: ${String(err)}`);
  assert.doesNotMatch(err.message, BUG, `${what}: ${err.message}`);
  assert.ok(!(err instanceof RangeError), `${what}: RangeError ${err.message}`);
}

const XML_PIECES = [
  '<a>',
  '</a>',
  '<b x="1">',
  '</b>',
  '<c/>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '&amp;',
  '&lt;',
  '&#x0;',
  '&#xD800;',
  '&#65;',
  '&unknown;',
  '<?xml version="1.0"?>',
  '<!DOCTYPE a [<!ENTITY x "y">]>',
  '&x;',
  'text',
  ' ',
  '\n',
  '<',
  '>',
  '"',
  "'",
  '=',
  '<a:b xmlns:a="u">',
  '<rss>',
  '<channel>',
  '<item>',
  '</item>',
  '<title>',
  '</title>',
  '<feed>',
  '<entry>',
  '</entry>',
  '<link href="x" rel="enclosure"/>',
  '<pubDate>Mon, 02 Jan 2006 15:04:05 -0700</pubDate>',
  '- a\n',
  'k: &x [1]\n',
  '*x',
  '</a:b>',
  '\u0000',
  '\ufffe',
  '😀',
];

/** Backend bodies: JSON (valid, corrupted, deep), XML-ish, and raw bytes. */
export const backendBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.json({ maxDepth: 5 }).map((t) => Buffer.from(t)),
  fc.tuple(fc.json({ maxDepth: 4 }), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([t, at, junk]) => {
    const b = Buffer.from(t);
    const i = b.length ? at % b.length : 0;
    return Buffer.concat([b.subarray(0, i), Buffer.from(junk), b.subarray(i + 1)]);
  }),
  fc
    .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{"a":'))
    .map(([n, open]) => Buffer.from(open.repeat(n) + '1' + (open === '[' ? ']' : '}').repeat(n))),
  fc.array(fc.constantFrom(...XML_PIECES), { maxLength: 25 }).map((a) => Buffer.from(a.join(''))),
  fc.tuple(fc.integer({ min: 1, max: 400 })).map(([n]) => Buffer.from('<a>'.repeat(n) + 'x' + '</a>'.repeat(n))),
  fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
);

let decoders: [string, Decoder][] | undefined;
export async function allDecoders(): Promise<[string, Decoder][]> {
  decoders ??= [
    ['json', await compileDecoder('json', false)],
    ['json collection', await compileDecoder('json', true)],
    ['safejson', await compileDecoder('safejson', false)],
    ['xml', await compileDecoder('xml', false)],
    ['rss', await compileDecoder('rss', false)],
    ['yaml', await compileDecoder('yaml', false)],
    ['string', await compileDecoder('string', false)],
  ];
  return decoders;
}

/** What Go-style JSON is documented to give back: unpaired surrogates as U+FFFD, and numbers
 * beyond float64 (a backend's `1e400`, which JSON.parse reads as Infinity) as null (json-go.ts:
 * Go would fail; a gateway must answer). Found by fuzzing: the property first missed the latter. */
function wellFormed(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (typeof v === 'string') return v.replace(/[\ud800-\udfff]/gu, '\ufffd');
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormed(x)]));
  return v;
}

function depth(v: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const y of Object.values(x)) stack.push([y, d + 1]);
  }
  return max;
}

export const encodingProperty = fc.asyncProperty(backendBody, async (body) => {
  for (const [name, decode] of await allDecoders()) {
    let data: Record<string, unknown>;
    try {
      data = decode(body.toString('utf8'));
    } catch (err) {
      assertClean(err, `decoder ${name}`);
      continue;
    }
    let json: string | undefined;
    try {
      json = stringifyGo(data);
    } catch (err) {
      // The one refusal: deeper than its documented bound.
      assertClean(err, `stringifyGo after ${name}`);
      assert.ok(depth(data) >= 1000, `stringifyGo refused data ${depth(data)} deep: ${(err as Error).message}`);
    }
    if (json !== undefined) assert.deepEqual(JSON.parse(json), wellFormed(data));
    for (const [enc, f] of [
      ['xml', encodeXml],
      ['yaml', encodeYaml],
    ] as const) {
      try {
        const out = f(data as Record<string, unknown>);
        assert.equal(typeof out, 'string');
      } catch (err) {
        assertClean(err, `${enc} encoder after ${name}`);
      }
    }
  }
});
