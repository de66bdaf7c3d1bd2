// Startup walk over a schema document before ajv sees it, so each refusal names the exact
// JSON pointer: references that would leave the document (files, URLs), `$data`, and
// patterns RE2 cannot compile. ajv itself never fetches (no loadSchema is given), but a
// refusal with a pointer beats "can't resolve reference" and documents the rule.
import { fail, pointerJoin } from '../compile-error.js';
import { compileLinear } from '../re2/linear-regexp.js';

/** Keywords whose values are data, not schemas: never walked. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);
const REF_KEYWORDS = new Set(['$ref', '$dynamicRef', '$recursiveRef']);
const MAX_DEPTH = 128;
const MAX_NODES = 100_000;

export function checkSchemaDocument(schema: unknown, pointer: string): void {
  let nodes = 0;
  const walk = (node: unknown, at: string, depth: number): void => {
    if (++nodes > MAX_NODES) fail(pointer, `schema has more than ${MAX_NODES} nodes`);
    if (depth > MAX_DEPTH) fail(at, `schema nested deeper than ${MAX_DEPTH}`);
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, pointerJoin(at, i), depth + 1));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const here = pointerJoin(at, key);
      if (DATA_KEYWORDS.has(key)) continue;
      if (REF_KEYWORDS.has(key) && typeof value === 'string' && !value.startsWith('#')) {
        fail(
          here,
          `reference ${JSON.stringify(value)} leaves the schema document: only same-document references ("#...") are allowed, Rampart never loads schemas from files or URLs`,
        );
      }
      if (key === '$data' && typeof value === 'string') {
        fail(here, '$data references are not supported (they make a schema depend on request data; ajv advisory GHSA-2g4f-4pwh-qvx6)');
      }
      if (key === 'pattern' && typeof value === 'string') checkPattern(value, here);
      if (key === 'patternProperties' && value && typeof value === 'object' && !Array.isArray(value)) {
        for (const p of Object.keys(value)) checkPattern(p, pointerJoin(here, p));
      }
      walk(value, here, depth + 1);
    }
  };
  walk(schema, pointer, 0);
}

function checkPattern(pattern: string, at: string): void {
  const re = compileLinear(pattern);
  if (typeof re === 'string') fail(at, re);
}
