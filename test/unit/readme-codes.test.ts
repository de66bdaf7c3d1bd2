// README "Error codes" lists exactly the closed list of src/core/error-codes.ts, with its statuses.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/core/error-codes.js';

it('README lists every error code with its default status, and no other', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Error codes'), readme.indexOf('## Config audit'));
  const listed = new Map([...section.matchAll(/^\| `([a-z_.]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(listed, new Map(Object.entries(ERROR_CODES).map(([c, s]) => [c, s.status])));
});
