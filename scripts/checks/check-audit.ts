// npm audit of the production dependencies, where the registry's audit endpoint answers. Fails on
// a high or critical advisory (SECURITY.md: each is then assessed case by case). Where the
// endpoint does not answer (no network, a registry mirror or proxy without it: on the project's
// machines it answers 405), it says so plainly and passes: the release checklist
// (docs/release-checklist.md) requires a real audit before a release.
// Usage: node --import tsx scripts/checks/check-audit.ts [ROOT]
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), '../..'));
const TIMEOUT_MS = 20_000;

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', timeout: TIMEOUT_MS });
let report: { error?: { summary?: string }; message?: string; statusCode?: number; metadata?: { vulnerabilities?: Record<string, number> } } | undefined;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
const vulns = report?.metadata?.vulnerabilities;
if (!vulns) {
  const why =
    run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
      ? `no answer within ${TIMEOUT_MS / 1000} s`
      : (report?.message ??
        (run.stderr
          .trim()
          .split('\n')
          .find((l) => /error|warn/i.test(l)) ||
          `npm exited ${run.status}`));
  process.stdout.write(
    `audit: NOT RUN: the registry's audit endpoint did not answer (${why}); run \`npm audit --omit=dev\` where it does (required by the release checklist)\n`,
  );
  process.exit(0);
}
const counts = ['critical', 'high', 'moderate', 'low', 'info'].map((s) => `${s} ${vulns[s] ?? 0}`).join(', ');
if ((vulns.critical ?? 0) + (vulns.high ?? 0) > 0) {
  process.stderr.write(
    `audit: FAILED: production dependencies have advisories (${counts}); see \`npm audit --omit=dev\` and SECURITY.md (dependency assessment)\n`,
  );
  process.exit(1);
}
process.stdout.write(`audit: ok (${counts})\n`);
