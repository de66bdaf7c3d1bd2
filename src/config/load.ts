// load = read + parse + validate + normalize. Fails closed with one ConfigError listing every
// problem (file, JSON pointer, message).
import { readFileSync } from 'node:fs';
import { checkDepth } from './depth.js';
import { ConfigError, Problems, type ConfigProblem } from '../core/config-error.js';
import { readWeakTypes } from './weak-types.js';
import { serviceSchema } from './schema.js';
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

/** What `rampart check` needs: every problem of the load phases, and the config normalized as
 * far as it goes (undefined when the document is not an object or normalize could not finish). */
export interface LoadReport {
  config: ServiceConfig | undefined;
  problems: ConfigProblem[];
  warnings: string[];
}

export interface LoadOptions {
  /** `check --lint`: read no certificate or key file (tls, client_tls). */
  readonly lint?: boolean;
  /** Where KRAKEND_* overrides are read (README "Flexible configuration and environment"). */
  readonly env?: Env;
}

/**
 * Parses, validates and normalizes without stopping at the first failing phase. Throws
 * ConfigError only when there is no document to look into (not JSON, nested too deep).
 */
export function loadConfigReport(file: string, text: string, catalog: NamespaceCatalog, opts: LoadOptions = {}): LoadReport {
  const doc = parseJson(file, text);
  const problems = new Problems();
  const warnings: string[] = [];
  // Before anything that recurses over the document (issue #14: deep values overflowed the stack).
  if (!checkDepth(doc, problems)) throw new ConfigError(file, problems.list);
  const applied = applyEnvOverrides(doc, opts.env ?? {}, problems, warnings);
  readWeakTypes(doc, serviceSchema, warnings);
  validateDocument(doc, problems, warnings, catalog);
  const schemaOk = problems.empty;
  let config: ServiceConfig | undefined;
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    try {
      config = normalize(file, doc as RawService, problems, warnings, { readFiles: opts.lint !== true });
    } catch (err) {
      // normalize may trip over values the schema already refused, which are reported; on a
      // schema-valid document a throw is a bug and still a problem, never a crash.
      if (schemaOk) problems.add('', `internal error while reading the config: ${(err as Error).message}`);
    }
  }
  let list = dedupe(problems.list);
  // A value that came from a KRAKEND_* variable is blamed on the variable, not on the file.
  if (applied.size > 0) list = list.map((p) => ({ ...p, message: blameEnv(p.message, p.pointer, applied) }));
  return { config, problems: list, warnings };
}

export function loadConfigText(file: string, text: string, catalog: NamespaceCatalog, opts: LoadOptions = {}): LoadedConfig {
  const r = loadConfigReport(file, text, catalog, opts);
  if (r.problems.length > 0 || !r.config) throw new ConfigError(file, r.problems.length > 0 ? r.problems : [{ pointer: '', message: 'not a config' }]);
  // Immutable from here on: a component or a request can never change what was validated.
  return { config: deepFreeze(r.config), warnings: r.warnings };
}

/** The config file's text, or a ConfigError saying why it cannot be read. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ pointer: '', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
}

/** The config's source: the file's text, or with FC_ENABLE set, the rendered flexible config. */
export interface ConfigSource {
  text: string;
  rendered?: FlexibleRender;
}

export function readConfigSource(file: string, env: Env = process.env): ConfigSource {
  const text = readConfigText(file);
  if (!flexibleEnabled(env)) return { text };
  const rendered = renderFlexible(file, text, env);
  return { text: rendered.text, rendered };
}

/** Reads FILE; with FC_ENABLE set, renders it as KrakenD's flexible configuration first. */
export function loadConfigFile(file: string, catalog: NamespaceCatalog, env: Env = process.env): LoadedConfig {
  const src = readConfigSource(file, env);
  try {
    const loaded = loadConfigText(file, src.text, catalog, { env });
    const rendered = src.rendered;
    if (!rendered) return loaded;
    // Problems found later (while components build) also name the template line that wrote them.
    return { ...loaded, explain: (e) => (e.file === file ? new ConfigError(e.file, explainRendered(e.problems, rendered)) : e) };
  } catch (err) {
    if (src.rendered && err instanceof ConfigError && err.file === file) throw new ConfigError(err.file, explainRendered(err.problems, src.rendered));
    throw err;
  }
}

/** Problems in rendered text: their line there and the template line that wrote it. */
export function explainRendered(problems: readonly ConfigProblem[], r: FlexibleRender): ConfigProblem[] {
  const where = r.out ? `of the rendered config ${r.out}` : 'of the rendered config (FC_OUT writes it)';
  return problems.map((p) => {
    const at = p.line !== undefined ? { line: p.line, column: p.column ?? 1 } : locatePointer(r.text, p.pointer);
    const src = r.lines[at.line - 1];
    const from = src ? `, written by ${src.file}:${src.line}` : '';
    return { pointer: p.pointer, message: `${p.message} (line ${at.line}${p.line !== undefined ? ':' + at.column : ''} ${where}${from})` };
  });
}
