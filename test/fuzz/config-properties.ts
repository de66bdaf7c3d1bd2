// Config loading under mutated configs: the loader and the component build (what `rampart
// check` runs) either accept the config or throw one ConfigError whose every problem points into
// the document (a JSON pointer whose parent exists) or, for broken JSON, at a line and column
// inside the text. Any other exception is a crash (`check` would say "rampart: ..." with exit 2).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, type ConfigProblem } from '../../src/core/config-error.js';
import { loadConfigText } from '../../src/components/load-config.js';
import { checkConfigText } from '../../src/server/check-config.js';
import { BIN } from '../helpers/gateway.js';
import { configInput, configText } from './config-mutations.js';

const FILE = 'fuzz.json';
const POINTER = /^(\/([^~/]|~[01])*)*$/;
/** Messages that are an exception's text, not a problem description. */
const CRASH_TEXT = /internal error|Invalid URL|Maximum call stack|Cannot read propert|is not a function|is not iterable|Cannot convert|undefined \(reading/;

function unescape(t: string): string {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** True when the value at `pointer` exists in `doc` (iteratively, own properties only). */
function resolves(doc: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let v = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const k = unescape(raw);
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return false;
    v = (v as Record<string, unknown>)[k];
  }
  return true;
}

function parent(pointer: string): string {
  return pointer.slice(0, Math.max(0, pointer.lastIndexOf('/')));
}

/** Checks one problem of a ConfigError against the text it was made from. */
export function assertWellPlaced(p: ConfigProblem, text: string, doc: unknown | undefined): void {
  assert.ok(p.message.length > 0, 'empty problem message');
  assert.doesNotMatch(p.message, CRASH_TEXT);
  if (p.line !== undefined) {
    assert.equal(doc, undefined, `line/column given for a text that parses: ${JSON.stringify(p)}`);
    const lines = text.split('\n');
    assert.ok(p.line >= 1 && p.line <= lines.length, `line ${p.line} outside the text (${lines.length} lines)`);
    assert.ok(p.column !== undefined && p.column >= 1 && p.column <= [...lines[p.line - 1]].length + 1, `column ${p.column} outside line ${p.line}`);
    return;
  }
  assert.notEqual(doc, undefined, `a JSON syntax error without line and column: ${p.message}`);
  assert.match(p.pointer, POINTER, `not a JSON pointer: ${JSON.stringify(p.pointer)}`);
  // The place itself may be missing (a required field); its parent must exist.
  assert.ok(resolves(doc, p.pointer) || resolves(doc, parent(p.pointer)), `pointer ${p.pointer} is not in the document (${p.message})`);
}

function parsed(text: string): unknown | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `rampart check` in process: every phase (server/check-config.ts), without listening. */
export async function checkInProcess(text: string): Promise<void> {
  let report;
  try {
    report = await checkConfigText(FILE, text);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const doc = parsed(text);
    assert.ok(err.problems.length > 0);
    for (const p of err.problems) assertWellPlaced(p, text, doc);
    return;
  }
  const doc = parsed(text);
  for (const p of report.problems) assertWellPlaced(p, text, doc);
  // What check accepts, run accepts: the strict loader agrees when there is no problem.
  if (report.problems.length === 0) loadConfigText(FILE, text);
}

export const configLoadProperty = fc.asyncProperty(configInput, async (input) => {
  await checkInProcess(configText(input));
});

let dir: string | undefined;

/** `rampart check` as a subprocess: exit 0 or 1 (never 2, a crash), and every line says where. */
export function checkCli(text: string): void {
  dir ??= mkdtempSync(join(tmpdir(), 'rampart-fuzz-'));
  const file = join(dir, 'fuzz.json');
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8', timeout: 30_000 });
  const out = r.stdout + r.stderr;
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status} (${r.signal ?? 'no signal'}):\n${out.slice(0, 2000)}`);
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`^${esc}(: /[^\\n]*: |:\\d+:\\d+: |: warning: |: ok \\()`);
  for (const l of out.trimEnd().split('\n')) assert.match(l, line, `a line that says neither pointer nor line:column:\n${out.slice(0, 2000)}`);
  if (r.status === 1)
    assert.ok(
      out.split('\n').some((l) => /^.*?(: \/|:\d+:\d+: )/.test(l) && !l.includes(': warning: ')),
      out,
    );
}

export const configCliProperty = fc.property(configInput, (input) => {
  checkCli(configText(input));
});
