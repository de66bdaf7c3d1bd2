// rampart run | check | verify | audit | surface | openapi | migrate | --version | --help. Exit codes: 0 ok, 1 bad config, 2 usage/start error.
//
// Only what every command needs is imported up front; the rest is imported where it is used, so
// that a cluster primary (which only forks) starts its workers without loading the config
// validators, the logger or the gateway first.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { ConfigError } from './core/config-error.js';
import type { WorkerReport } from './server/primary.js';
import { VERSION } from './core/version.js';

const HELP = `rampart ${VERSION} — a zero-trust API gateway for KrakenD v3 configs

Usage:
  rampart run   -c FILE [-d] [--workers N] [--port P]   start the gateway (foreground)
  rampart check -c FILE [--lint]                       validate the config (every problem at once) and exit;
                                                       --lint: schema and semantics only, no key/certificate file read
  rampart verify DIR [--key PUB.pem]                   check a downloaded release's signature and digests
  rampart audit -c FILE [-i IDS] [-I FILE] [-s SEV] [-f TPL] [--json]
                                                       KrakenD's config audit, plus Rampart's rules
  rampart surface -c FILE [--diff OLD] [--format text|json|html]
                                                       the attack surface per endpoint; what a change opens
  rampart openapi -c FILE [-o OUT] [-a AUDIENCE]       the OpenAPI 3.1 document of the declared endpoints
  rampart migrate -c FILE [-o OUT]                     rewrite what Rampart refuses into what it accepts
  rampart --version | --help

Options:
  -c, --config FILE   config file (default: $RAMPART_CONFIG)
  -d, --debug         enable the /__debug/ endpoint (like KrakenD's -d)
  -w, --workers N     worker processes (default: one per core; 1 = no cluster)
  -p, --port P        override the config's port
`;

interface Args {
  command?: string;
  config?: string;
  debug: boolean;
  lint: boolean;
  workers?: number;
  port?: number;
  help: boolean;
  version: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { debug: false, lint: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    const int = (v: string) => {
      if (!/^\d+$/.test(v)) throw new UsageError(`${arg} needs a whole number, got "${v}"`);
      return Number(v);
    };
    switch (arg) {
      case '-c':
      case '--config':
        a.config = value();
        break;
      case '-d':
      case '--debug':
        a.debug = true;
        break;
      case '-l':
      case '--lint':
        a.lint = true;
        break;
      case '-w':
      case '--workers':
        a.workers = int(value());
        break;
      case '-p':
      case '--port':
        a.port = int(value());
        break;
      case '-h':
      case '--help':
      case 'help':
        a.help = true;
        break;
      case '-v':
      case '--version':
      case 'version':
        a.version = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (a.command) throw new UsageError(`unexpected argument ${arg}`);
        a.command = arg;
    }
  }
  return a;
}

class UsageError extends Error {}

function configPath(a: Args): string {
  const p = a.config ?? process.env.RAMPART_CONFIG;
  if (!p) throw new UsageError('no config: pass -c FILE or set RAMPART_CONFIG');
  return p;
}

export async function main(argv: string[]): Promise<void> {
  // audit reads any KrakenD config (even one Rampart refuses to run): its own module.
  if (argv[0] === 'audit') {
    const { auditCommand } = await import('./audit/command.js');
    process.exitCode = auditCommand(argv.slice(1));
    return;
  }
  if (argv[0] === 'surface') {
    const { surfaceCommand } = await import('./surface/command.js');
    process.exitCode = surfaceCommand(argv.slice(1));
    return;
  }
  if (argv[0] === 'openapi') {
    const { openapiCommand } = await import('./openapi-export/command.js');
    process.exitCode = openapiCommand(argv.slice(1));
    return;
  }
  if (argv[0] === 'migrate') {
    const { migrateCommand } = await import('./migrate/command.js');
    process.exitCode = migrateCommand(argv.slice(1));
    return;
  }
  // verify has its own arguments (a folder, --key) and touches no config: its own module too.
  if (argv[0] === 'verify') {
    const { verifyCommand } = await import('./release/verify-command.js');
    process.exitCode = verifyCommand(argv.slice(1));
    return;
  }
  let a: Args;
  let explain: ((e: ConfigError) => ConfigError) | undefined;
  try {
    a = parseArgs(argv);
    if (a.version) return void process.stdout.write(`rampart ${VERSION}\n`);
    if (a.help || !a.command) return void process.stdout.write(HELP);
    if (a.command !== 'run' && a.command !== 'check') throw new UsageError(`unknown command "${a.command}"`);
    const file = configPath(a);
    const workers = a.workers ?? availableParallelism();
    if (workers < 1) throw new UsageError('--workers must be at least 1');
    if (a.command === 'run' && workers > 1 && cluster.isPrimary) {
      // The workers run this same command line, load the config and report back (primary.ts).
      const { runPrimary } = await import('./server/primary.js');
      return await runPrimary({ workers, file });
    }
    if (a.lint && a.command !== 'check') throw new UsageError('--lint goes with check');
    if (a.command === 'check') {
      // Every phase's problems in one report: load, semantics, and the dry-run build of every
      // component (server/check-config.ts).
      const { checkConfigFile } = await import('./server/check-config.js');
      const r = await checkConfigFile(file, { lint: a.lint });
      report('warnings', r.warnings.map((w) => `${file}: warning: ${w}\n`).join(''));
      if (r.problems.length > 0) throw new ConfigError(file, r.problems);
      process.stdout.write(`${file}: ok (${r.endpoints} endpoints${a.lint ? ', lint: no file read' : ''})\n`);
      return;
    }
    const { loadConfigFile } = await import('./components/load-config.js');
    const { config, warnings, explain: explainLater } = loadConfigFile(file);
    explain = explainLater;
    report('warnings', warnings.map((w) => `${file}: warning: ${w}\n`).join(''));
    const { run } = await import('./server/run.js');
    await run(config, { debug: a.debug, port: a.port });
  } catch (err) {
    if (err instanceof ConfigError) return fail(1, (explain ? explain(err) : err).message + '\n');
    if (err instanceof UsageError) return fail(2, `rampart: ${err.message}\n\n${HELP}`);
    fail(2, `rampart: ${(err as Error).message}\n`);
  }
}

/**
 * Says `text` on stderr, or, in a cluster worker, hands it to the primary, which says it once
 * for all workers (they all read the same file and find the same things).
 */
function report(kind: 'warnings', text: string): void {
  if (!text) return;
  if (cluster.isWorker && process.send) process.send({ rampart: kind, text } satisfies WorkerReport);
  else process.stderr.write(text);
}

function fail(code: number, text: string): void {
  process.exitCode = code;
  if (!(cluster.isWorker && process.send)) return void process.stderr.write(text);
  // A cluster worker stays alive through its IPC channel: leave explicitly, once the report has
  // been handed to the primary (send is asynchronous), so that it sees the failure and stops.
  // If the channel is already gone (primary dead), there is nobody to tell: say it here and leave.
  try {
    process.send({ rampart: 'failed', text } satisfies WorkerReport, undefined, undefined, () => process.exit(code));
  } catch {
    process.stderr.write(text);
    process.exit(code);
  }
}
