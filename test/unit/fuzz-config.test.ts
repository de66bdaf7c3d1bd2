// Property tests (fast-check) of config loading: mutated valid configs never crash the loader or
// `rampart check`, and every answer says where (file + JSON pointer, or file:line:column).
// `npm run fuzz` runs the same properties for longer (scripts/fuzz.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadConfigText } from '../../src/components/load-config.js';
import { ConfigError } from '../../src/core/config-error.js';
import { MAX_CONFIG_DEPTH } from '../../src/config/depth.js';
import { findJsonSyntaxError } from '../../src/config/json-syntax.js';
import { checkCli, checkInProcess, configCliProperty, configLoadProperty } from '../fuzz/config-properties.js';
import { jsonSyntaxProperty } from '../fuzz/json-syntax-properties.js';
import { seedCount, seedText } from '../fuzz/config-mutations.js';

fc.configureGlobal({ includeErrorInReport: true });

test('every seed config is valid (a fuzzer mutating broken seeds would test little)', async () => {
  for (let i = 0; i < seedCount(); i++) loadConfigText(`seed-${i}`, seedText(i));
});

test('property: mutated configs load or fail with pointers, never crash (in process)', async () => {
  await fc.assert(configLoadProperty, { numRuns: 300 });
});

test('property: `rampart check` on mutated configs exits 0 or 1 and says where (subprocess)', () => {
  fc.assert(configCliProperty, { numRuns: 15 });
});

test('property: the JSON syntax scanner agrees with JSON.parse', () => {
  fc.assert(jsonSyntaxProperty, { numRuns: 500 });
});

// Regressions found by fuzzing `check` (issue #14).
const wrap = (v: string) =>
  `{"version":3,"endpoints":[{"endpoint":"/a","extra_config":{"proxy":{"static":{"strategy":"always","data":${v}}}},"backend":[{"url_pattern":"/x","host":["http://127.0.0.1:9"]}]}]}`;

test('regression: deeply nested values are a pointer error, not a stack overflow', async () => {
  const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
  for (const text of [wrap(deep), `{"version":${deep}}`, '['.repeat(200_000) + ']'.repeat(200_000)]) {
    await checkInProcess(text);
    assert.throws(
      () => loadConfigText('f.json', text),
      (e: unknown) => e instanceof ConfigError && /nested deeper than 100 levels/.test(e.message),
    );
  }
  checkCli(wrap(deep));
  // The pointer is where the cap is crossed: MAX_CONFIG_DEPTH levels are fine.
  const ok = '{"a":'.repeat(MAX_CONFIG_DEPTH - 6) + '1' + '}'.repeat(MAX_CONFIG_DEPTH - 6);
  assert.doesNotThrow(() => loadConfigText('f.json', wrap(ok)));
  const over = '{"a":'.repeat(MAX_CONFIG_DEPTH - 5) + '1' + '}'.repeat(MAX_CONFIG_DEPTH - 5);
  assert.throws(
    () => loadConfigText('f.json', wrap(over)),
    (e: unknown) => {
      const p = (e as ConfigError).problems[0];
      return p.pointer === '/endpoints/0/extra_config/proxy/static/data' + '/a'.repeat(MAX_CONFIG_DEPTH - 6) && /deeper than/.test(p.message);
    },
  );
});

test('regression: JSON syntax errors say FILE:LINE:COLUMN', () => {
  const cases: [string, number, number, RegExp][] = [
    ['{\n  "version": 3,\n  "endpoints": [,]\n}', 3, 17, /unexpected ",", a value was expected/],
    ['{\n  "version": 3,\n  "endpoints": [', 3, 17, /end of input/],
    ['{"a": "x\ny"}', 1, 9, /inside a string/],
    ['{"a": 01}', 1, 8, /already ended|"," or "}"/],
    ['\ufeff{}', 1, 1, /U\+FEFF/],
    ['{"é😀": tru}', 1, 8, /a value was expected/],
    ['', 1, 1, /end of input/],
  ];
  for (const [text, line, column, msg] of cases) {
    assert.throws(
      () => loadConfigText('f.json', text),
      (e: unknown) => {
        const m = (e as ConfigError).message;
        assert.ok(m.startsWith(`f.json:${line}:${column}: not valid JSON: `), `${JSON.stringify(text)} -> ${m}`);
        assert.match(m, msg);
        return true;
      },
    );
    assert.ok(findJsonSyntaxError(text));
  }
  checkCli('{\n  "version": 3,\n  "endpoints": [,]\n}');
});
