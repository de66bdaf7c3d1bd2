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

export interface LoadedConfig {
  config: ServiceConfig;
  warnings: string[];
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
  return { config, problems: dedupe(problems.list), warnings };
}

export function loadConfigText(file: string, text: string, catalog: NamespaceCatalog): LoadedConfig {
  const r = loadConfigReport(file, text, catalog);
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

export function loadConfigFile(file: string, catalog: NamespaceCatalog): LoadedConfig {
  return loadConfigText(file, readConfigText(file), catalog);
}
