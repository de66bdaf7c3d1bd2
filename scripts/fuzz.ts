// Long fuzz runs: the properties of test/fuzz/ (the same ones `npm test` runs a few hundred times)
// in a loop for --seconds, round-robin in slices, each slice with a fresh seed. Reports inputs
// tried per property and in total, and every counterexample with the seed and path that replay
// it: `npm run fuzz -- --replay NAME --seed S --path P`.
//
//   npm run fuzz -- --seconds 600 [--only a,b] [--slice-ms 2000] [--json FILE]
//
// Needs `npm run build` first (config-check-cli and url-gateway run the bundled binary).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../test/helpers/gateway.js';
import { TARGETS, type FuzzTarget } from '../test/fuzz/targets.js';

interface Options {
  seconds: number;
  only?: string[];
  sliceMs: number;
  json?: string;
  replay?: { name: string; seed: number; path: string };
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 60, sliceMs: 2000 };
  let seed: number | undefined;
  let path: string | undefined;
  let replay: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return x;
    };
    switch (argv[i]) {
      case '--seconds':
        o.seconds = Number(v());
        break;
      case '--only':
        o.only = v().split(',');
        break;
      case '--slice-ms':
        o.sliceMs = Number(v());
        break;
      case '--json':
        o.json = v();
        break;
      case '--replay':
        replay = v();
        break;
      case '--seed':
        seed = Number(v());
        break;
      case '--path':
        path = v();
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!(o.seconds > 0)) throw new Error('--seconds must be a positive number');
  if (replay) {
    if (seed === undefined) throw new Error('--replay needs --seed (and --path) from the report');
    o.replay = { name: replay, seed, path: path ?? '' };
  }
  for (const n of [...(o.only ?? []), ...(replay ? [replay] : [])])
    if (!TARGETS.some((t) => t.name === n)) throw new Error(`no property "${n}" (have: ${TARGETS.map((t) => t.name).join(', ')})`);
  return o;
}

interface Counterexample {
  seed: number;
  path: string;
  counterexample: string;
  error: string;
  replay: string;
}

interface TargetReport {
  name: string;
  what: string;
  inputs: number;
  seconds: number;
  perSecond: number;
  counterexamples: Counterexample[];
}

async function replay(o: NonNullable<Options['replay']>): Promise<void> {
  const t = TARGETS.find((x) => x.name === o.name)!;
  const { property, stop } = await t.start();
  try {
    const d = await fc.check(property, { seed: o.seed, path: o.path || undefined, endOnFailure: true, includeErrorInReport: true });
    process.stdout.write(d.failed ? fc.defaultReportMessage(d) + '\n' : `${o.name}: no failure at seed ${o.seed} path ${o.path}\n`);
    process.exitCode = d.failed ? 1 : 0;
  } finally {
    await stop?.();
  }
}

async function fuzz(o: Options): Promise<void> {
  const targets = TARGETS.filter((t) => !o.only || o.only.includes(t.name));
  const running: { t: FuzzTarget; property: fc.IRawProperty<unknown, boolean>; stop?(): Promise<void>; report: TargetReport; failed: boolean }[] = [];
  for (const t of targets) {
    const { property, stop } = await t.start();
    running.push({ t, property, stop, failed: false, report: { name: t.name, what: t.what, inputs: 0, seconds: 0, perSecond: 0, counterexamples: [] } });
  }
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  let seed = Date.now() & 0x7fffffff;
  let lastPrint = started;
  try {
    while (performance.now() < deadline && running.some((r) => !r.failed)) {
      for (const r of running) {
        const now = performance.now();
        if (now >= deadline) break;
        if (r.failed) continue;
        const s = seed++ & 0x7fffffff;
        const limit = Math.min(o.sliceMs * (r.t.weight ?? 1), deadline - now);
        const d = await fc.check(r.property, {
          seed: s,
          numRuns: 1e9,
          interruptAfterTimeLimit: limit,
          markInterruptAsFailure: false,
          includeErrorInReport: true,
        });
        r.report.seconds += (performance.now() - now) / 1000;
        r.report.inputs += d.numRuns;
        if (d.failed) {
          // Shrunk counterexample; the property stops (it would keep finding the same bug).
          r.failed = true;
          const path = d.counterexamplePath ?? '';
          r.report.counterexamples.push({
            seed: s,
            path,
            counterexample: fc.stringify(d.counterexample),
            error: String(d.errorInstance instanceof Error ? d.errorInstance.message : d.errorInstance).slice(0, 2000),
            replay: `npm run fuzz -- --replay ${r.t.name} --seed ${s} --path ${path}`,
          });
          process.stdout.write(
            `\nCOUNTEREXAMPLE ${r.t.name}: ${fc.stringify(d.counterexample)}\n  ${r.report.counterexamples[0].error.split('\n')[0]}\n  replay: ${r.report.counterexamples[0].replay}\n`,
          );
        }
      }
      if (performance.now() - lastPrint > 30_000) {
        lastPrint = performance.now();
        const total = running.reduce((a, r) => a + r.report.inputs, 0);
        process.stdout.write(`[${((lastPrint - started) / 1000).toFixed(0)}s] ${total} inputs\n`);
      }
    }
  } finally {
    for (const r of running) await r.stop?.();
  }
  const elapsed = (performance.now() - started) / 1000;
  const reports = running.map((r) => ({
    ...r.report,
    seconds: +r.report.seconds.toFixed(1),
    perSecond: Math.round(r.report.inputs / Math.max(r.report.seconds, 1e-3)),
  }));
  const total = reports.reduce((a, r) => a + r.inputs, 0);
  const failures = reports.reduce((a, r) => a + r.counterexamples.length, 0);
  const lines = [`fuzz: ${total} inputs in ${elapsed.toFixed(0)} s, ${failures} counterexample(s)`, ''];
  lines.push('property            inputs    seconds  inputs/s  failed');
  for (const r of reports)
    lines.push(
      `${r.name.padEnd(18)} ${String(r.inputs).padStart(9)} ${String(r.seconds).padStart(9)} ${String(r.perSecond).padStart(9)}  ${r.counterexamples.length ? 'YES' : 'no'}`,
    );
  process.stdout.write(lines.join('\n') + '\n');
  if (o.json)
    writeFileSync(
      o.json,
      JSON.stringify({ date: new Date().toISOString(), seconds: +elapsed.toFixed(1), total, counterexamples: failures, properties: reports }, null, 2) + '\n',
    );
  process.exitCode = failures ? 1 : 0;
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'rampart.js'))) {
    process.stderr.write('fuzz: dist/ is missing: run `npm run build` first\n');
    process.exitCode = 2;
    return;
  }
  if (o.replay) await replay(o.replay);
  else await fuzz(o);
}

await main();
