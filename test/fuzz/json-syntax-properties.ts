// The JSON syntax scanner (src/config/json-syntax.ts) against V8's JSON.parse: it finds an error
// exactly when JSON.parse throws, at an offset inside the text.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findJsonSyntaxError } from '../../src/config/json-syntax.js';

const JSONISH = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  'u',
  '0',
  '1',
  '-',
  '+',
  '.',
  'e',
  'E',
  ' ',
  '\n',
  '\t',
  'true',
  'false',
  'null',
  'a',
  '\u0000',
  '\u001f',
  '\ufeff',
  '\u2028',
  '\ud800',
  'é',
];

/** Valid JSON with a few characters changed, inserted or removed, or JSON-ish noise. */
export const jsonishText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.json({ maxDepth: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...JSONISH)), { maxLength: 3 })).map(([text, edits]) => {
    let t = text;
    for (const [pos, op, ch] of edits) {
      const i = t.length ? pos % (t.length + 1) : 0;
      t = op === 0 ? t.slice(0, i) + ch + t.slice(i) : op === 1 ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + ch + t.slice(i + 1);
    }
    return t;
  }),
  fc.array(fc.constantFrom(...JSONISH), { maxLength: 30 }).map((a) => a.join('')),
  fc.json({ maxDepth: 4 }),
);

export const jsonSyntaxProperty = fc.property(jsonishText, (text) => {
  let ok = true;
  try {
    JSON.parse(text);
  } catch {
    ok = false;
  }
  const err = findJsonSyntaxError(text);
  if (ok) assert.equal(err, undefined, `scanner refused valid JSON ${JSON.stringify(text)}: ${err?.message}`);
  else {
    assert.ok(err, `scanner accepted invalid JSON ${JSON.stringify(text)}`);
    assert.ok(err.offset >= 0 && err.offset <= text.length);
  }
});
