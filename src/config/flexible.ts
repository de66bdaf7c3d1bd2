// KrakenD's flexible configuration (krakend-flexibleconfig): with FC_ENABLE set, the config
// file is a Go text/template rendered before it is parsed. FC_SETTINGS: a folder whose *.json
// files are the data (`.name` for name.json); FC_TEMPLATES: a folder whose *.tmpl files are
// sub-templates (`{{ template "name.tmpl" . }}`); FC_PARTIALS: a folder `include "file"`
// inserts verbatim; FC_OUT: where the rendered config is written. Functions: Sprig's and
// `marshal` (json.Marshal) and `include`. Where KrakenD logs a template error and falls back
// to parsing the raw file, Rampart stops with the template file and line:column.
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, isAbsolute } from 'node:path';
import { ConfigError } from '../core/config-error.js';
import { createFuncs, marshal, parseJsonValue, TemplateError, TemplateSet, type GoValue, type SourceLine } from '../template/index.js';
import { findJsonSyntaxError } from './json-syntax.js';

/** Largest settings file, sub-template or partial read (bytes). */
const MAX_FILE = 16 * 1024 * 1024;

export type Env = Record<string, string | undefined>;

export interface FlexibleRender {
  text: string;
  lines: SourceLine[];
  /** FC_OUT, when the rendered file was written there. */
  out?: string;
}

export function flexibleEnabled(env: Env): boolean {
  // As KrakenD: any non-empty value enables it.
  return (env.FC_ENABLE ?? '') !== '';
}

function fail(file: string, message: string, line?: number, column?: number): never {
  throw new ConfigError(file, [{ pointer: '', message, line, column }]);
}

function readText(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(file, `cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (text.length > MAX_FILE) fail(file, `${what} larger than ${MAX_FILE} bytes`);
  return text;
}

function listFolder(variable: string, dir: string, suffix: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(suffix))
      .sort()
      .map((n) => join(dir, n));
  } catch (err) {
    return fail(dir, `${variable}: cannot read the folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Each FC_SETTINGS/*.json file, parsed, under its base name. */
function loadSettings(dir: string): GoValue {
  const data = Object.create(null) as Record<string, GoValue>;
  for (const file of listFolder('FC_SETTINGS', dir, '.json')) {
    const text = readText(file, 'settings file');
    let v: GoValue;
    try {
      v = parseJsonValue(text);
    } catch (err) {
      const at = findJsonSyntaxError(text);
      return fail(file, `settings file is not valid JSON: ${at?.message ?? (err as Error).message}`, at?.line, at?.column);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(file, 'a settings file must hold a JSON object (KrakenD reads it into a map)');
    Object.defineProperty(data, basename(file, '.json'), { value: v, enumerable: true, writable: true, configurable: true });
  }
  return data;
}

/** A TemplateError's "file:line:col: message" as a ConfigError at that place. */
function templateProblem(err: TemplateError, fallback: string): never {
  const m = /^(.*?):(\d+):(\d+): ([\s\S]*)$/.exec(err.message);
  if (!m) return fail(fallback, `template: ${err.message}`);
  return fail(m[1], `template: ${m[4]}`, Number(m[2]), Number(m[3]));
}

export function renderFlexible(file: string, text: string, env: Env): FlexibleRender {
  const data = env.FC_SETTINGS ? loadSettings(env.FC_SETTINGS) : (Object.create(null) as GoValue);
  const partials = env.FC_PARTIALS ?? '';
  const included = new Map<string, string>();
  const funcs = createFuncs((n) => env[n], {
    marshal: (a) => {
      try {
        return marshal(a[0]);
      } catch {
        return '';
      }
    },
    include: (a, ctx) => {
      if (a.length !== 1 || typeof a[0] !== 'string') throw new TemplateError('include takes one file name (a string)');
      const name = a[0];
      // KrakenD joins the name to FC_PARTIALS; Rampart refuses names that leave the folder.
      const base = resolve(partials || '.');
      const target = resolve(base, name);
      const rel = relative(base, target);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
        throw new TemplateError(`include ${JSON.stringify(name)}: the file must be inside FC_PARTIALS (${partials || 'not set'})`);
      let body = included.get(target);
      if (body === undefined) {
        try {
          body = readFileSync(target, 'utf8');
        } catch (err) {
          throw new TemplateError(`include ${JSON.stringify(name)}: cannot read ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        if (body.length > MAX_FILE) throw new TemplateError(`include ${JSON.stringify(name)}: larger than ${MAX_FILE} bytes`);
        included.set(target, body);
      }
      ctx.setOrigin(target, body);
      return body;
    },
  });
  const set = new TemplateSet(funcs);
  const name = basename(file);
  let rendered: { text: string; lines: SourceLine[] };
  try {
    set.add({ file, name, text });
    if (env.FC_TEMPLATES) {
      for (const t of listFolder('FC_TEMPLATES', env.FC_TEMPLATES, '.tmpl')) set.add({ file: t, name: basename(t), text: readText(t, 'template') });
    }
    rendered = set.execute(name, data);
  } catch (err) {
    if (err instanceof TemplateError) templateProblem(err, file);
    throw err;
  }
  let out: string | undefined;
  if (env.FC_OUT) {
    out = env.FC_OUT;
    // Written whole (a temporary file, then a rename), readable by the owner only: a rendered
    // config may hold what `env` put in it.
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, rendered.text, { mode: 0o600 });
      renameSync(tmp, out);
    } catch (err) {
      fail(out, `FC_OUT: cannot write the rendered config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return { ...rendered, out };
}
