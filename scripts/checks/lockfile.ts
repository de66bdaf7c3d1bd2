// package-lock.json (lockfileVersion 3) as the supply-chain checks and the SBOM read it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockPackage {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
}

export function readLockfile(root: string): Lockfile {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  if (lock.lockfileVersion < 2 || !lock.packages) throw new Error('package-lock.json: lockfileVersion 2 or 3 (with "packages") expected');
  return lock;
}

/** The package name of a lockfile key such as `node_modules/a/node_modules/@s/b` (→ `@s/b`). */
export function nameOfKey(key: string): string {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/**
 * What `npm ci --omit=dev` installs: every entry but the root, links (workspaces) and entries
 * npm marks dev-only (`dev`, or `devOptional`: optional for dev, so still dev-only).
 */
export function productionPackages(packages: Record<string, LockPackage>): [string, LockPackage][] {
  return Object.entries(packages)
    .filter(([key, p]) => key !== '' && !p.link && !p.dev && !p.devOptional)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
