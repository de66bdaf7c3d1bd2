// Licence allow-list for the production dependencies (scripts/checks/licence-allowlist.json).
// The licence of each package comes from package-lock.json and, where the package is installed,
// from its own package.json: both must agree (a stale lockfile is a finding too) and be allowed.
// Usage: node --import tsx scripts/checks/check-licences.ts [ROOT]
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nameOfKey, productionPackages, readLockfile } from './lockfile.js';
import { expressionAllowed } from './spdx.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(process.argv[2] ?? join(here, '../..'));
const allowed = new Set((JSON.parse(readFileSync(join(here, 'licence-allowlist.json'), 'utf8')) as { allowed: string[] }).allowed);

/** package.json's licence: "MIT", { type: "MIT" } or the legacy licenses: [{ type }] list. */
function declared(pkg: { license?: unknown; licenses?: unknown }): string | undefined {
  const l = pkg.license;
  if (typeof l === 'string') return l;
  if (l && typeof l === 'object' && typeof (l as { type?: unknown }).type === 'string') return (l as { type: string }).type;
  if (Array.isArray(pkg.licenses)) {
    const types = pkg.licenses.map((x) => (x && typeof x === 'object' ? (x as { type?: string }).type : undefined)).filter(Boolean);
    if (types.length) return types.length === 1 ? types[0] : `(${types.join(' OR ')})`;
  }
  return undefined;
}

const problems: string[] = [];
const packages = productionPackages(readLockfile(root).packages);
const seen = new Map<string, number>();
for (const [key, p] of packages) {
  const id = `${p.name ?? nameOfKey(key)}@${p.version}`;
  const manifest = join(root, key, 'package.json');
  const installed = existsSync(manifest) ? declared(JSON.parse(readFileSync(manifest, 'utf8'))) : undefined;
  const licence = p.license ?? installed;
  if (!licence) {
    problems.push(`${id}: declares no licence`);
    continue;
  }
  if (installed !== undefined && p.license !== undefined && installed !== p.license) {
    problems.push(`${id}: package-lock.json says ${p.license}, its package.json says ${installed}`);
  }
  if (!expressionAllowed(licence, allowed)) problems.push(`${id}: licence ${licence} is not on the allow-list`);
  seen.set(licence, (seen.get(licence) ?? 0) + 1);
}

const summary = [...seen.entries()]
  .sort()
  .map(([l, n]) => `${l} ×${n}`)
  .join(', ');
if (problems.length) {
  process.stderr.write(`licences: ${problems.length} problem(s) in ${packages.length} production packages:\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exit(1);
}
process.stdout.write(`licences: ok, ${packages.length} production packages (${summary})\n`);
