// `rampart migrate -c FILE [-o OUT]`: rewrites what Rampart deliberately refuses into what it
// accepts (rules.ts). The config goes to OUT (or stdout); the report of changes, one per line
// with its pointer, and what a person must decide, goes to OUT.migration.md (or stderr). JSON
// has no comments, hence the side file. Exit 0 when written (decisions left are in the report
// and counted on stderr), 1 when FILE cannot be read as JSON, 2 on a usage error.
import { readFileSync, writeFileSync } from 'node:fs';
import { MigrationReport } from './report.js';
import { migrateDocument } from './rules.js';

class MigrateUsage extends Error {}

export function migrateCommand(argv: string[]): number {
  let config = process.env.RAMPART_CONFIG;
  let out: string | undefined;
  try {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      const value = () => {
        const v = argv[++i];
        if (v === undefined) throw new MigrateUsage(`${arg} needs a value`);
        return v;
      };
      if (arg === '-c' || arg === '--config') config = value();
      else if (arg === '-o' || arg === '--out') out = value();
      else throw new MigrateUsage(`unknown option ${arg}`);
    }
    if (!config) throw new MigrateUsage('no config: pass -c FILE or set RAMPART_CONFIG');
  } catch (err) {
    process.stderr.write(`rampart migrate: ${(err as Error).message}\n`);
    return 2;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(config, 'utf8'));
  } catch (err) {
    process.stderr.write(`rampart migrate: ${config}: ${(err as Error).message} (run \`rampart check\` for the position)\n`);
    return 1;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    process.stderr.write(`rampart migrate: ${config}: the config must be a JSON object\n`);
    return 1;
  }
  const report = new MigrationReport();
  const migrated = migrateDocument(doc as Record<string, unknown>, report);
  const text = JSON.stringify(migrated, null, 2) + '\n';
  const md = report.markdown(config, out ?? 'stdout');
  if (out) {
    writeFileSync(out, text);
    writeFileSync(`${out}.migration.md`, md);
    process.stderr.write(`${out}: ${report.changes.length} change(s), ${report.decisions} for a person to decide (see ${out}.migration.md)\n`);
  } else {
    process.stdout.write(text);
    process.stderr.write(md);
  }
  return 0;
}
