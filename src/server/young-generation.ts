// Caps V8's young generation (its two semi-spaces) in a serving process.
//
// Why: under load V8 doubles a semi-space from 1 MiB up to 16 MiB (Node 20, 64-bit), i.e. 32 MiB
// of young generation, and keeps it committed while the process stays busy: with 10 000 idle
// connections held after a load, `new_space` was 32 MiB of a 160 MiB RSS (v8.getHeapSpaceStatistics,
// bench/startup-idle.ts --stats). A cap of 8 MiB per semi-space cost no gateway CPU on the plain and
// json routes (bench/route-cpu.ts A/B, --before-node-flags=--max-semi-space-size=8: 1.03 and 0.97,
// within noise). Growing it only to 1 MiB (no growth at all) cost 3-10%: requests in flight get
// promoted to the old generation.
//
// How: `--max-semi-space-size` only counts at isolate creation (the node command line), which a
// gateway started as `node bin/rampart`, by a process manager or in a container does not get;
// v8.setFlagsFromString of it later has no effect. `--semi-space-growth-factor` is read at every
// growth: once the young generation has reached the cap it is set to 1 (no growth), and back to 2
// (V8's default) if V8 ever shrinks it below (its memory reducer does, after a long idle time).
// Growth goes 1, 2, 4, 8 MiB, each step only after that much has survived scavenges, so the
// check after every collection sees each step before the next one can happen.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const MIB = 1024 * 1024;
/** V8's own growth factor (flag default). */
const V8_GROWTH_FACTOR = 2;

/** Semi-space cap of a serving process, MiB (a power of two: growth doubles from 1 MiB). */
export const SERVING_SEMI_SPACE_MIB = 8;

/** Committed size of the young generation (both semi-spaces), bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/** True when the node command line (or NODE_OPTIONS) sizes the young generation itself. */
function sizedByCommandLine(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((a) => /^--(max|min)[-_]semi[-_]space[-_]size\b/.test(a));
}

/**
 * Stops the young generation growing past `semiSpaceMib` per semi-space, for the life of the
 * process. Returns a function that removes the cap (tests), or undefined when the command line
 * already sizes it (an operator's `--max-semi-space-size` wins).
 */
export function capYoungGeneration(semiSpaceMib = SERVING_SEMI_SPACE_MIB): (() => void) | undefined {
  if (sizedByCommandLine()) return undefined;
  const capBytes = 2 * semiSpaceMib * MIB;
  let growing = true;
  const check = (): void => {
    const atCap = youngGenerationBytes() >= capBytes;
    if (atCap === !growing) return;
    growing = !atCap;
    setFlagsFromString(`--semi-space-growth-factor=${growing ? V8_GROWTH_FACTOR : 1}`);
  };
  // One entry per collection; the callback runs soon after it, outside the collection.
  const observer = new PerformanceObserver(check);
  observer.observe({ entryTypes: ['gc'] });
  check();
  return () => {
    observer.disconnect();
    if (!growing) setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
  };
}
