// The package's root folder (where package.json is), found once from this module's location.
// Files read at run time (package.json, the generated validators in dist/config/validators/)
// are addressed from it rather than relative to the importing module: that module may be
// src/ (tests under tsx), dist/ (tsc output) or a chunk of the start-up bundle (dist/rampart.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
