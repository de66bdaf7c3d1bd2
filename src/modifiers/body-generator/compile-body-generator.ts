// Startup for `modifier/request-body-generator`, `modifier/body-generator` (the backend-level
// form of the same) and `modifier/response-body-generator` (EE in KrakenD; schema
// modifier/body-generator.json): {template (base64) | path, content_type, debug, variables}.
// The template is read and parsed here, once; a syntax error stops startup.

import { statSync } from 'node:fs';
import { readFileSync } from '../../core/config-files.js';
import { MartianConfigError } from '../martian/types.js';
import { parseTemplate, type TNode } from './template-parse.js';
import { TemplateSyntaxError } from './template-lex.js';
import { runTemplate } from './run-template.js';

export interface CompiledBodyGenerator {
  readonly contentType: string;
  /** Renders a body from the data built by requestTemplateData / responseTemplateData. */
  render(data: Record<string, unknown>): Buffer;
  readonly variables: unknown;
}

export interface BodyGeneratorOptions {
  /** Reads `path` templates (default: the file system, relative to the working directory). */
  readonly readFile?: (path: string) => string;
  /** Output cap per render (default 1 MiB). */
  readonly maxBytes?: number;
}

const MAX_TEMPLATE = 256 * 1024;
const KEYS = ['template', 'path', 'content_type', 'debug', 'variables'];
const COMMENT = /^[@$_#]/;
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function err(pointer: string, reason: string): never {
  throw new MartianConfigError(pointer, reason);
}

function defaultRead(path: string): string {
  if (statSync(path).size > MAX_TEMPLATE) throw new Error(`larger than ${MAX_TEMPLATE} bytes`);
  return readFileSync(path, 'utf8');
}

export function compileBodyGenerator(cfg: unknown, pointer = '', opts: BodyGeneratorOptions = {}): CompiledBodyGenerator {
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) err(pointer, 'a body generator must be an object');
  const o = cfg as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KEYS.includes(k) && !COMMENT.test(k))
      err(`${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, `unknown key "${k}" (known: ${KEYS.join(', ')})`);
  if ((o.template === undefined) === (o.path === undefined)) err(pointer, 'set exactly one of "template" (base64) or "path"');
  let src: string;
  if (o.template !== undefined) {
    if (typeof o.template !== 'string') err(`${pointer}/template`, '"template" must be a base64 string');
    const b64 = o.template.replace(/[\r\n]/g, '');
    if (!B64.test(b64)) err(`${pointer}/template`, '"template" must be standard base64 (the inline template is base64-encoded)');
    src = Buffer.from(b64, 'base64').toString('utf8');
  } else {
    if (typeof o.path !== 'string' || o.path === '') err(`${pointer}/path`, '"path" must be a non-empty string');
    try {
      src = (opts.readFile ?? defaultRead)(o.path);
    } catch (e) {
      return err(
        `${pointer}/path`,
        `cannot read template ${JSON.stringify(o.path)}: ${(e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? 'error'}`,
      );
    }
  }
  if (src.length > MAX_TEMPLATE) err(pointer, `template is larger than ${MAX_TEMPLATE} bytes`);
  const ct = o.content_type ?? 'application/json';
  if (typeof ct !== 'string' || ct === '' || /[\x00-\x1f\x7f]/.test(ct))
    err(`${pointer}/content_type`, '"content_type" must be a media type without control characters');
  if (o.debug !== undefined && typeof o.debug !== 'boolean') err(`${pointer}/debug`, '"debug" must be true or false');
  if (o.variables !== undefined && (o.variables === null || typeof o.variables !== 'object' || Array.isArray(o.variables)))
    err(`${pointer}/variables`, '"variables" must be an object');
  let nodes: TNode[];
  try {
    nodes = parseTemplate(src);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return err(o.template !== undefined ? `${pointer}/template` : `${pointer}/path`, `template: ${e.message}`);
    throw e;
  }
  const variables = structuredClone(o.variables ?? {});
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  return {
    contentType: ct,
    variables,
    render: (data) => Buffer.from(runTemplate(nodes, { ...data, variables }, maxBytes), 'utf8'),
  };
}
