// load = read + parse + validate + normalize. Fails closed with one ConfigError listing every
// problem (file, JSON pointer, message).
import { readFileSync } from 'node:fs';
import { checkDepth } from './depth.js';
import { ConfigError, Problems } from '../core/config-error.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { normalize } from './normalize.js';
import { deepFreeze } from '../core/deep-freeze.js';
import type { ServiceConfig } from './types.js';
import type { RawService } from './raw-document.js';
import { validateDocument, type NamespaceCatalog } from './validate.js';
import { applyEnvOverrides, blameEnv } from './env-overrides.js';
import { flexibleEnabled, renderFlexible, type Env, type FlexibleRender } from './flexible.js';
import { locatePointer } from './json-locate.js';

export interface LoadedConfig {
  config: ServiceConfig;
  warnings: string[];
  /** For a rendered flexible config: adds the rendered and template lines to a later
   * ConfigError (the components' build problems), as load does to its own. */
  explain?: (err: ConfigError) => ConfigError;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // JSON.parse says neither line nor column; the scanner finds where the text breaks.
    const at = findJsonSyntaxError(text);
    if (at) throw new ConfigError(file, [{ pointer: '', line: at.line, column: at.column, message: `not valid JSON: ${at.message}` }]);
    throw new ConfigError(file, [{ pointer: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
}

function dedupe<T extends { pointer: string; message: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const k = p.pointer + '\0' + p.message;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface LoadOptions {
  /** Where KRAKEND_* overrides are read (README "Flexible configuration and environment"). */
  env?: Env;
}

export function loadConfigText(file: string, text: string, catalog: NamespaceCatalog, options: LoadOptions = {}): LoadedConfig {
  const doc = parseJson(file, text);
  const problems = new Problems();
  const warnings: string[] = [];
  // Before anything that recurses over the document (issue #14: deep values overflowed the stack).
  if (!checkDepth(doc, problems)) throw new ConfigError(file, problems.list);
  const applied = applyEnvOverrides(doc, options.env ?? {}, problems, warnings);
  if (applied.size === 0) return validated(file, doc, problems, warnings, catalog);
  try {
    return validated(file, doc, problems, warnings, catalog);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(
      err.file,
      err.problems.map((p) => ({ ...p, message: blameEnv(p.message, p.pointer, applied) })),
    );
  }
}

function validated(file: string, doc: unknown, problems: Problems, warnings: string[], catalog: NamespaceCatalog): LoadedConfig {
  validateDocument(doc, problems, warnings, catalog);
  if (!problems.empty) {
    // Still look for the cross-field problems so `check` lists them all in one run; normalize
    // may trip over values the schema already refused, which are reported above.
    try {
      normalize(file, doc as RawService, problems, warnings);
    } catch {
      /* already reported */
    }
    throw new ConfigError(file, dedupe(problems.list));
  }
  const config = normalize(file, doc as RawService, problems, warnings);
  if (!problems.empty) throw new ConfigError(file, problems.list);
  // Immutable from here on: a component or a request can never change what was validated.
  return { config: deepFreeze(config), warnings };
}

/** Reads FILE; with FC_ENABLE set, renders it as KrakenD's flexible configuration first. */
export function loadConfigFile(file: string, catalog: NamespaceCatalog, env: Env = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ pointer: '', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  if (!flexibleEnabled(env)) return loadConfigText(file, text, catalog, { env });
  const rendered = renderFlexible(file, text, env);
  try {
    const loaded = loadConfigText(file, rendered.text, catalog, { env });
    return { ...loaded, explain: (e) => (e.file === file ? explainRendered(e, rendered) : e) };
  } catch (err) {
    if (err instanceof ConfigError && err.file === file) throw explainRendered(err, rendered);
    throw err;
  }
}

/** A problem in rendered text: its line there and the template line that wrote it. */
function explainRendered(err: ConfigError, r: FlexibleRender): ConfigError {
  const where = r.out ? `of the rendered config ${r.out}` : 'of the rendered config (FC_OUT writes it)';
  return new ConfigError(
    err.file,
    err.problems.map((p) => {
      const at = p.line !== undefined ? { line: p.line, column: p.column ?? 1 } : locatePointer(r.text, p.pointer);
      const src = r.lines[at.line - 1];
      const from = src ? `, written by ${src.file}:${src.line}` : '';
      return { pointer: p.pointer, message: `${p.message} (line ${at.line}${p.line !== undefined ? ':' + at.column : ''} ${where}${from})` };
    }),
  );
}
