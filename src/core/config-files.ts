// The one way start-up code reads a file named by the config (keys, JWK sets, certificates,
// htpasswd, GeoIP databases, Lua sources, templates) or fetches a JWK set at build time. `rampart check --lint` switches reading
// off for its one-shot process: a CI job without the secrets mounted can then check schema and
// semantics. A read refused that way throws (whatever the caller wraps it in), and the count of
// refused reads tells the build (pipeline/build-stages.ts) that the component's error came from
// the lint mode, not from the config.
import { readFileSync as nodeReadFileSync } from 'node:fs';

let lint = false;
let skipped = 0;

/** `check --lint`: from now on this process reads no file named by the config. */
export function skipConfigFileReads(): void {
  lint = true;
}

/** How many reads the lint mode refused so far. */
export function skippedReads(): number {
  return skipped;
}

/** Start-up code that downloads what the config names (the signer's JWK set) asks first. */
export function assertMayFetch(): void {
  if (lint) {
    skipped++;
    throw new Error('not fetched (check --lint)');
  }
}

/** Start-up code that looks at a file or folder the config names (stat, realpath) asks first. */
export function assertMayRead(): void {
  if (lint) {
    skipped++;
    throw new Error('not read (check --lint)');
  }
}

export function readFileSync(path: string, encoding: 'utf8'): string;
export function readFileSync(path: string): Buffer;
export function readFileSync(path: string, encoding?: 'utf8'): string | Buffer {
  if (lint) {
    skipped++;
    throw new Error('not read (check --lint)');
  }
  return encoding ? nodeReadFileSync(path, encoding) : nodeReadFileSync(path);
}
