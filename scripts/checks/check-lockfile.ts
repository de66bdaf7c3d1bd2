// Lockfile integrity: every dependency is pinned by a sha512 integrity hash and fetched over
// https from the npm registry. lockfile-lint checks the `resolved` URLs and hash types; this
// machine's npm writes lockfiles without `resolved` (omit-lockfile-registry-resolved), which
// lockfile-lint then passes without looking, and it passes an entry with no integrity at all,
// so this script also requires an integrity on every fetched entry and checks where npm
// resolves packages from (the configured registry).
// Usage: node --import tsx scripts/checks/check-lockfile.ts [ROOT]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nameOfKey, readLockfile } from './lockfile.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '../..');
const root = resolve(process.argv[2] ?? repo);

/** npm's built-in default registry: what `npm config get registry` says with no config at all. */
function defaultRegistry(): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
  const empty = mkdtempSync(join(tmpdir(), 'rampart-npmrc-'));
  try {
    for (const f of ['user', 'global']) writeFileSync(join(empty, f), '');
    const args = ['config', 'get', 'registry', `--userconfig=${join(empty, 'user')}`, `--globalconfig=${join(empty, 'global')}`];
    return execFileSync('npm', args, { cwd: empty, env, encoding: 'utf8' }).trim();
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}
const slash = (url: string) => url.replace(/\/?$/, '/');
const REGISTRY = slash(defaultRegistry());
if (!REGISTRY.startsWith('https://')) throw new Error(`npm's default registry ${REGISTRY} is not https`);

const problems: string[] = [];
const lint = spawnSync(
  join(repo, 'node_modules/.bin/lockfile-lint'),
  [
    '--path',
    join(root, 'package-lock.json'),
    '--type',
    'npm',
    '--validate-https',
    '--allowed-hosts',
    'npm',
    '--validate-integrity',
    '--validate-package-names',
    '--format',
    'plain',
  ],
  { encoding: 'utf8' },
);
if (lint.status !== 0) problems.push(`lockfile-lint:\n${(lint.stdout + lint.stderr).trim().replace(/^/gm, '    ')}`);

const packages = Object.entries(readLockfile(root).packages).filter(([key, p]) => key !== '' && !p.link);
let fetched = 0;
for (const [key, p] of packages) {
  // Bundled dependencies arrive inside their parent's tarball, checked by the parent's hash.
  if ((p as { inBundle?: boolean }).inBundle) continue;
  fetched++;
  const id = `${p.name ?? nameOfKey(key)}@${p.version}`;
  if (!p.integrity) problems.push(`${id} (${key}): no integrity hash`);
  else if (!p.integrity.split(/\s+/).some((h) => h.startsWith('sha512-'))) problems.push(`${id}: integrity is not sha512 (${p.integrity.split('-')[0]})`);
  if (p.resolved !== undefined && !p.resolved.startsWith(REGISTRY)) problems.push(`${id}: resolved from ${p.resolved}, not ${REGISTRY}`);
}

// Entries without `resolved` are fetched from the configured registry: it must be npm's own (https).
const registry = execFileSync('npm', ['config', 'get', 'registry'], { cwd: root, encoding: 'utf8' }).trim();
if (slash(registry) !== REGISTRY) problems.push(`npm's registry is ${registry}, not ${REGISTRY}`);

if (problems.length) {
  process.stderr.write(`lockfile: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exit(1);
}
process.stdout.write(`lockfile: ok, ${fetched} packages pinned by sha512 integrity, https registry ${registry}\n`);
