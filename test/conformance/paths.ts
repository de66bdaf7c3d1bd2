// Where the conformance runner finds things.
//
// The shared data folder (KrakenD CE fixtures, mock-backend files) lives next to the repository:
// `<repo>/../shared`, overridable with RAMPART_SHARED_DIR. The repository root is two levels up
// from this file (test/conformance/).

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONFORMANCE_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(CONFORMANCE_DIR, '..', '..');

export function sharedDir(): string {
  const override = process.env.RAMPART_SHARED_DIR;
  if (override !== undefined && override !== '') return resolve(override);
  return resolve(REPO_ROOT, '..', 'shared');
}

/** `<shared>/conformance` */
export function conformanceDataDir(): string {
  return join(sharedDir(), 'conformance');
}

/** `<shared>/conformance/krakend-ce/tests/fixtures` */
export function fixturesDir(): string {
  return join(conformanceDataDir(), 'krakend-ce', 'tests', 'fixtures');
}

/** `<shared>/conformance/mock-backend` */
export function mockBackendDataDir(): string {
  return join(conformanceDataDir(), 'mock-backend');
}
