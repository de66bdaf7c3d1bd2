// static-fs/safe-path.ts in process: known ways out of a folder are refused, and a property
// (fast-check) over arbitrary strings and percent-encodings: whatever is accepted joins to a path
// inside the folder, with no '.', '..', hidden or empty segment, and no separator inside one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { safeSegments } from '../../src/components/static-fs/safe-path.js';

const ROOT = resolve('/srv/www');

test('known traversal spellings are refused', () => {
  for (const p of [
    '/../x',
    '/%2e%2e/x',
    '/%2E%2e%2fx',
    '/%252e%252e/x',
    '/..%5cx',
    '/..\\x',
    '/%c0%ae%c0%ae/x',
    '/%e0%80%ae/x',
    '/a%00b',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/.git/config',
    '/a/./b',
    '/%zz',
  ]) {
    assert.equal(safeSegments(p), undefined, p);
  }
  assert.deepEqual(safeSegments('/a/b%20c.txt'), { segments: ['a', 'b c.txt'], dir: false });
  assert.deepEqual(safeSegments('/a/'), { segments: ['a'], dir: true });
  assert.deepEqual(safeSegments(''), { segments: [], dir: true });
});

test('property: what is accepted stays inside the folder', () => {
  const piece = fc.constantFrom('..', '.', '/', '\\', '%2e', '%2f', '%5c', '%25', '%00', '%c0%ae', 'a', 'b.txt', '%', '~', ' ', ':', 'C:');
  const raw = fc.oneof(
    fc.string(),
    fc.array(piece, { maxLength: 12 }).map((a) => a.join('')),
  );
  fc.assert(
    fc.property(raw, (p) => {
      const s = safeSegments(p);
      if (s === undefined) return true;
      for (const seg of s.segments) {
        if (seg === '' || seg.startsWith('.') || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) return false;
      }
      const full = join(ROOT, ...s.segments);
      return full === ROOT || full.startsWith(ROOT + sep);
    }),
    { numRuns: 3000 },
  );
});
