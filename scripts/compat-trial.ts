// The compatibility trial of docs/compatibility-trial.md, re-runnable: `rampart check` on every
// KrakenD config of a corpus folder (other people's files, kept outside this repository), each
// result classified, printed as the Markdown table of that document.
//
//   npm run build
//   node --import tsx scripts/compat-trial.ts --corpus DIR [--manifest DIR/manifest.tsv] [--lint]
//        [--json OUT.json] [--before EARLIER.json] [--rampart path/to/bin/rampart]
//
// The manifest is tab-separated with a header row: repo, path, commit, file, kind, settings,
// partials, templates. kind "file": `file` is the config, relative to the corpus folder. kind
// "fc": a KrakenD flexible-configuration template; `file` is the repository's folder (relative to
// the corpus), `path` the template inside it, and settings/partials/templates the FC_SETTINGS,
// FC_PARTIALS and FC_TEMPLATES folders inside it ("-" for none). --before adds the result of an
// earlier run (its --json) as the "before" column. Nothing here reaches the network: `check`
// runs with --lint when asked, and the corpus is read from disk.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Entry {
  repo: string;
  path: string;
  commit: string;
  file: string;
  kind: 'file' | 'fc';
  settings?: string;
  partials?: string;
  templates?: string;
}

/** What the trial concluded about one config. */
export type Verdict = 'starts' | 'refused-deliberate' | 'refused-not-built' | 'refused-krakend-too' | 'refused-environment' | 'refused-other' | 'crash';

export type Category = 'deliberate' | 'not-built' | 'krakend-too' | 'environment' | 'other';

export interface Outcome {
  id: string;
  verdict: Verdict;
  exitCode: number | null;
  endpoints: number | null;
  /** The first refusal: pointer and message (no file name). */
  first?: string;
  /** Problem lines that have neither a pointer nor a template position (each one a bug). */
  unpointed: string[];
  /** Problems that are neither deliberate, nor a namespace not built, nor refused by KrakenD. */
  unexplained: string[];
  /** How many problems fell in each category. */
  categories: Partial<Record<Category, number>>;
  warnings: number;
  problems: number;
}

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export function parseManifest(text: string): Entry[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: Entry[] = [];
  for (const line of lines.slice(1)) {
    const [repo, path, commit, file, kind, settings, partials, templates] = line.split('\t');
    if (!repo || !path || !commit || !file || (kind !== 'file' && kind !== 'fc')) throw new Error(`manifest: bad row: ${line}`);
    const opt = (v: string | undefined) => (v && v !== '-' ? v : undefined);
    out.push({ repo, path, commit, file, kind, settings: opt(settings), partials: opt(partials), templates: opt(templates) });
  }
  return out;
}

export function entryId(e: Entry): string {
  return `${e.repo}/${e.path}`;
}

// Refusals Rampart makes on purpose, documented in docs/ (safer than KrakenD, or a namespace
// that is not and will not be built here: Go plugins, EE-only features; see
// src/config/namespace-refusals.ts). Matched against the message of a problem.
const DELIBERATE: readonly RegExp[] = [
  /allow_credentials with every origin/,
  /a backend has no "timeout"/,
  /wildcards are not supported/,
  /is a Go plugin|loads compiled Go plugins|plugin ".*" is not available in Rampart/,
  /refusing to start rather than ignore it/,
  /INSECURE/,
  /plain (API )?keys?/i,
  /unknown (field|namespace)/,
  /is not allowed at (service|endpoint|backend) level/,
  /calls backends over http:\/\/ and https:\/\/ only/,
  /has no Rampart equivalent/,
  /no exporter Rampart can run/,
  /"async_agent" is not supported/,
  /needs "strategy"/,
  /must be false \(other values are not supported\)/,
  /KrakenD does not expand environment variables/,
  /stored in plain text/,
  /one of "jwk_url" or "jwk_local_path" is required/,
  /is not in KrakenD's CEL environment/,
  /lists no plugin in "name"/,
  /no host: declare "host"/,
  // Follows from another problem of the same report (the component it needs was refused).
  /could not be built \(see its error\)/,
];
// What KrakenD refuses as well (so the config never started there either).
const KRAKEND_TOO: readonly RegExp[] = [
  /unsupported version/,
  /undefined output param/,
  /duplicate endpoint/,
  /at least one certificate\/key pair is required/,
  /template: /,
];
// What only the full dry run (no --lint) reports: a file or host of the deployment the corpus
// does not hold (a Lua script, a static folder, a signing key server). Not a compatibility
// question: the same config starts where those exist.
const ENVIRONMENT: readonly RegExp[] = [
  /cannot read Lua source/,
  /folder ".*" does not exist/,
  /cannot load the signing key from/,
  /cannot read .*ENOENT/,
  /getaddrinfo|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/,
];

/** Splits check's output into its problem and warning lines (the file name cut off). */
function problemLines(output: string, file: string): { problems: string[]; warnings: number; unpointed: string[] } {
  const problems: string[] = [];
  const unpointed: string[] = [];
  let warnings = 0;
  for (const raw of output.split('\n')) {
    if (raw.trim() === '') continue;
    const line = raw.startsWith(`${file}:`) ? raw.slice(file.length + 1).trimStart() : raw;
    if (line.startsWith('warning:')) {
      warnings++;
      continue;
    }
    if (/^ok \(\d+ endpoints/.test(line)) continue;
    problems.push(line);
    // A pointer ("/x/y: ..." or the root "/: ..."), or a template position (LINE:COL: template: ...).
    if (!/^\/[^\s]*: /.test(line) && !/^\d+:\d+: template: /.test(line) && !/^\/: /.test(line)) unpointed.push(line);
  }
  return { problems, warnings, unpointed };
}

function countEndpoints(jsonFile: string): number | null {
  try {
    const doc = JSON.parse(readFileSync(jsonFile, 'utf8')) as { endpoints?: unknown };
    return Array.isArray(doc.endpoints) ? doc.endpoints.length : 0;
  } catch {
    return null;
  }
}

/** Which kind of refusal one problem line is. */
export function categorize(problem: string): Category {
  if (KRAKEND_TOO.some((r) => r.test(problem))) return 'krakend-too';
  if (ENVIRONMENT.some((r) => r.test(problem))) return 'environment';
  if (
    /is not implemented by Rampart|is not available in Rampart|"async_agent" is not supported|has no Rampart equivalent|no exporter Rampart can run|Enterprise\b.*is not (supported|built)/.test(
      problem,
    )
  )
    return 'not-built';
  if (DELIBERATE.some((r) => r.test(problem))) return 'deliberate';
  return 'other';
}

function countCategories(problems: readonly string[]): Partial<Record<Category, number>> {
  const out: Partial<Record<Category, number>> = {};
  for (const p of problems) out[categorize(p)] = (out[categorize(p)] ?? 0) + 1;
  return out;
}

/**
 * The verdict looks at every problem, not only the first: one unexplained refusal among
 * deliberate ones is still a refusal to look into ("other"). A config KrakenD refuses as well
 * counts as such; then one that needs a namespace not built; then one with a deliberate
 * refusal; what is left only lacks a file or host of its deployment.
 */
export function classify(problems: readonly string[], exitCode: number | null, unpointed: readonly string[], output: string): Verdict {
  if (exitCode === 0) return 'starts';
  if (exitCode !== 1 || unpointed.length > 0 || /\n\s+at .+:\d+:\d+\)?\n/.test(output)) return 'crash';
  const cats = new Set(problems.map(categorize));
  if (cats.has('other') || problems.length === 0) return 'refused-other';
  if (cats.has('krakend-too')) return 'refused-krakend-too';
  if (cats.has('not-built')) return 'refused-not-built';
  if (cats.has('deliberate')) return 'refused-deliberate';
  return 'refused-environment';
}

export interface RunOptions {
  corpus: string;
  lint: boolean;
  rampart?: string;
}

export function runEntry(e: Entry, o: RunOptions): Outcome {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('FC_') || k.startsWith('KRAKEND_')) delete env[k];
  let file: string;
  let rendered: string;
  const tmp = mkdtempSync(join(tmpdir(), 'compat-trial-'));
  try {
    if (e.kind === 'fc') {
      const root = resolve(o.corpus, e.file);
      file = join(root, e.path);
      rendered = join(tmp, 'rendered.json');
      env.FC_ENABLE = '1';
      env.FC_OUT = rendered;
      if (e.settings) env.FC_SETTINGS = join(root, e.settings);
      if (e.partials) env.FC_PARTIALS = join(root, e.partials);
      if (e.templates) env.FC_TEMPLATES = join(root, e.templates);
    } else {
      file = resolve(o.corpus, e.file);
      rendered = file;
    }
    const args = [o.rampart ?? join(ROOT, 'bin', 'rampart'), 'check', ...(o.lint ? ['--lint'] : []), '-c', file];
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 60_000, cwd: tmp });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const { problems, warnings, unpointed } = problemLines(output, file);
    const exitCode = r.status;
    return {
      id: entryId(e),
      verdict: classify(problems, exitCode, unpointed, output),
      exitCode,
      endpoints: countEndpoints(rendered),
      first: problems[0],
      unpointed,
      unexplained: problems.filter((p) => categorize(p) === 'other'),
      categories: countCategories(problems),
      warnings,
      problems: problems.length,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const LABEL: Record<Verdict, string> = {
  starts: 'starts',
  'refused-deliberate': 'refused (deliberate)',
  'refused-not-built': 'refused (not built)',
  'refused-krakend-too': 'refused (KrakenD too)',
  'refused-environment': 'needs a deployment file/host',
  'refused-other': 'refused (other)',
  crash: 'CRASH',
};

function cell(s: string, max: number): string {
  // The rendered file of a template lives in a temporary folder: keep only its line number.
  const short = s.replace(/ \(line (\d+) of the rendered config [^)]*\)/g, ' (rendered line $1)').replace(/\/\S*\/compat-trial-[^/]+\//g, '');
  return short.slice(0, max).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

export function renderTable(entries: readonly Entry[], after: readonly Outcome[], before?: readonly Outcome[]): string {
  const prior = new Map((before ?? []).map((o) => [o.id, o]));
  const rows = ['| source | endpoints | before | after | first refusal (after) |', '| --- | ---: | --- | --- | --- |'];
  entries.forEach((e, i) => {
    const a = after[i]!;
    const b = prior.get(a.id);
    const link = `[${e.repo} ${e.path}${e.kind === 'fc' ? ' (FC)' : ''}](https://github.com/${e.repo}/blob/${e.commit}/${e.path}) \`${e.commit.slice(0, 7)}\``;
    const first = a.verdict === 'starts' ? '' : cell(a.first ?? '', 220) + (a.problems > 1 ? ` (+${a.problems - 1} more)` : '');
    rows.push(`| ${link} | ${a.endpoints ?? '?'} | ${b ? LABEL[b.verdict] : '-'} | ${LABEL[a.verdict]} | ${first} |`);
  });
  return rows.join('\n');
}

export function tally(outcomes: readonly Outcome[]): Record<Verdict, number> {
  const t: Record<Verdict, number> = {
    starts: 0,
    'refused-deliberate': 0,
    'refused-not-built': 0,
    'refused-krakend-too': 0,
    'refused-environment': 0,
    'refused-other': 0,
    crash: 0,
  };
  for (const o of outcomes) t[o.verdict]++;
  return t;
}

function main(argv: string[]): void {
  let corpus: string | undefined;
  let manifest: string | undefined;
  let json: string | undefined;
  let before: string | undefined;
  let lint = false;
  let rampart: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return x;
    };
    if (argv[i] === '--corpus') corpus = v();
    else if (argv[i] === '--manifest') manifest = v();
    else if (argv[i] === '--json') json = v();
    else if (argv[i] === '--before') before = v();
    else if (argv[i] === '--lint') lint = true;
    else if (argv[i] === '--rampart') rampart = resolve(v());
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!corpus) throw new Error('--corpus DIR is required');
  const entries = parseManifest(readFileSync(manifest ?? join(corpus, 'manifest.tsv'), 'utf8'));
  const outcomes = entries.map((e) => runEntry(e, { corpus: corpus!, lint, rampart }));
  const prior = before ? (JSON.parse(readFileSync(before, 'utf8')) as Outcome[]) : undefined;
  process.stdout.write(`${renderTable(entries, outcomes, prior)}\n\n`);
  const t = tally(outcomes);
  process.stdout.write(
    `${outcomes.length} configs from ${new Set(entries.map((e) => e.repo)).size} repositories: ${t.starts} start unchanged, ` +
      `${t['refused-deliberate']} refused deliberately, ${t['refused-not-built']} refused for a namespace not built, ` +
      `${t['refused-krakend-too']} refused as KrakenD refuses them, ${t['refused-environment']} need a file or host of their deployment, ` +
      `${t['refused-other']} refused otherwise, ${t.crash} crashes\n`,
  );
  for (const o of outcomes) for (const u of o.unpointed) process.stdout.write(`no pointer: ${o.id}: ${u}\n`);
  for (const o of outcomes) for (const u of o.unexplained) process.stdout.write(`unexplained: ${o.id}: ${u}\n`);
  if (json) writeFileSync(json, JSON.stringify(outcomes, null, 1));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
