// `npm run checks`: the supply-chain checks .ci/run runs on every commit, before the tests.
// Each check is its own script (runnable alone); all run, then the exit code says whether any failed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const CHECKS = ['check-secrets.ts', 'check-lockfile.ts', 'check-licences.ts', 'check-audit.ts'];

const failed: string[] = [];
for (const script of CHECKS) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}${script}`], { stdio: 'inherit' });
  process.stdout.write(`  (${script}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (r.status !== 0) failed.push(script);
}
if (failed.length) {
  process.stderr.write(`checks: FAILED: ${failed.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`checks: all ${CHECKS.length} passed\n`);
