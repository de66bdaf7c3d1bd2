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

export function loadConfigText(file: string, text: string, catalog: NamespaceCatalog): LoadedConfig {
  const doc = parseJson(file, text);
  const problems = new Problems();
  const warnings: string[] = [];
  // Before anything that recurses over the document (issue #14: deep values overflowed the stack).
  if (!checkDepth(doc, problems)) throw new ConfigError(file, problems.list);
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

export function loadConfigFile(file: string, catalog: NamespaceCatalog): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ pointer: '', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  return loadConfigText(file, text, catalog);
}
