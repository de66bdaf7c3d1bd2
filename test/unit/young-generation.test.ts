// capYoungGeneration (src/server/young-generation.ts) on this process's real V8 heap: a workload
// whose scavenges keep objects alive grows the young generation past the cap without it, and not
// with it. Counted in bytes of heap, not time.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { capYoungGeneration, youngGenerationBytes } from '../../src/server/young-generation.js';

const MIB = 1024 * 1024;

/** Allocates like requests in flight (a ring of 20 000 live objects, replaced over time), yielding
 * to the event loop every 1 000 allocations; returns the largest young generation seen. */
async function survivingLoad(rounds: number): Promise<number> {
  const ring: unknown[] = new Array(20_000);
  let max = 0;
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < 1000; j++) ring[(i * 1000 + j) % ring.length] = { i, j, s: 'x'.repeat(j % 64) + i };
    max = Math.max(max, youngGenerationBytes());
    await new Promise((r) => setImmediate(r));
  }
  return max;
}

test('the young generation stays within the cap under a load that grows it, and grows once the cap is removed', async () => {
  // The cap cannot shrink what the test runner's start-up has already grown: cap at that size
  // (at least 2 MiB per semi-space), the most the load must then stay within.
  const semiMib = Math.max(2, youngGenerationBytes() / 2 / MIB);
  const uncap = capYoungGeneration(semiMib);
  assert.ok(uncap, 'capped (no semi-space flag on this command line)');
  const capped = await survivingLoad(3000);
  uncap();
  assert.ok(capped <= 2 * semiMib * MIB, `capped at ${semiMib} MiB per semi-space: ${capped / MIB} MiB`);
  const free = await survivingLoad(3000);
  assert.ok(free > 2 * semiMib * MIB, `without the cap the same load grows it: ${free / MIB} MiB`);
});

test("an operator's --max-semi-space-size on the command line wins: no cap is installed", () => {
  const src = new URL('../../src/server/young-generation.ts', import.meta.url).pathname;
  const out = execFileSync(
    process.execPath,
    [
      '--max-semi-space-size=4',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { capYoungGeneration } from '${src}'; process.stdout.write(String(capYoungGeneration() === undefined));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(out, 'true');
});
