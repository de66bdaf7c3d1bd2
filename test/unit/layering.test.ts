// The layers of src/ point one way (README "Architecture as built"): a folder imports only
// folders below it, so there is no cycle and no two folders import each other. Every import
// counts (types too, static and dynamic): a type-only back edge is still a dependency a reader
// has to hold in mind. Adding a back edge fails here, naming the file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

// @ts-expect-error: a plain .mjs module shared with eslint.config.mjs
import { LAYERS as SHARED } from '../../scripts/layers.mjs';

/** Bottom first; a folder may import any folder of a lower rank (scripts/layers.mjs). */
export const LAYERS: readonly (readonly string[])[] = SHARED;

const rank = new Map<string, number>();
LAYERS.forEach((names, i) => names.forEach((n) => rank.set(n, i)));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Top-level entry (folder or file) of a path under src/. */
function top(file: string): string {
  return relative(SRC, file).split('/')[0];
}

interface Edge {
  from: string;
  to: string;
  file: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of walk(SRC)) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.[^'"]+)['"]/gm)) {
      const target = resolve(dirname(file), m[1]);
      const from = top(file);
      const to = top(target).replace(/\.js$/, '.ts');
      if (from !== to) out.push({ from, to, file: relative(SRC, file) });
    }
  }
  return out;
}

describe('layering of src/', () => {
  const all = edges();

  it('finds the imports (the scan works)', () => {
    assert.ok(all.length > 100, `only ${all.length} cross-folder imports found`);
    assert.ok(all.some((e) => e.from === 'pipeline' && e.to === 'core'));
  });

  it('every top-level folder has a layer', () => {
    const tops = readdirSync(SRC).filter((n) => !rank.has(n));
    assert.deepEqual(tops, [], 'add new folders to LAYERS (and to README "Architecture as built")');
  });

  it('every import points to a lower layer', () => {
    const back = all.filter((e) => (rank.get(e.to) ?? -1) >= (rank.get(e.from) ?? -1)).map((e) => `${e.file} imports ${e.to} (${e.from} is not above ${e.to})`);
    assert.deepEqual(back, []);
  });

  it('no two folders import each other', () => {
    const pairs = new Set(all.map((e) => `${e.from}>${e.to}`));
    const mutual = [...pairs].filter((p) => {
      const [a, b] = p.split('>');
      return pairs.has(`${b}>${a}`);
    });
    assert.deepEqual(mutual, []);
  });
});
