// Secret scan of the tree (secretlint, rule preset "recommend": cloud keys, private keys, tokens,
// basic-auth URLs, ...). Configured by .secretlintrc.json; paths allow-listed in .secretlintignore.
// Usage: node --import tsx scripts/checks/check-secrets.ts [ROOT]   (ROOT defaults to the repo;
// the test points it at a temporary copy with a planted secret.)
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const root = resolve(process.argv[2] ?? repo);
const result = spawnSync(
  join(repo, 'node_modules/.bin/secretlint'),
  ['--secretlintrc', join(root, '.secretlintrc.json'), '--secretlintignore', join(root, '.secretlintignore'), '--no-color', '**/*', '.*/**/*', '.*'],
  { cwd: root, encoding: 'utf8' },
);
if (result.status !== 0) {
  // secretlint's report names each file, line and rule, with the secret itself masked.
  process.stderr.write(`secrets: the scan found something (or failed) in ${root}:\n${result.stdout}${result.stderr}`);
  process.exit(1);
}
process.stdout.write(`secrets: ok, no secret found in ${root}\n`);
