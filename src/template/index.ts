// Go text/template in TypeScript: parse a set of files (each one a template named by the
// caller, plus its {{define}}s), then execute one with data, bounded, into text and a line map.
import type { Tree } from './ast.js';
import { DEFAULT_LIMITS, Executor, type Limits, type TemplateFunc } from './exec.js';
import { createFuncs, unknownFuncMessage } from './funcs.js';
import type { SourceLine } from './output.js';
import { parseTemplate } from './parse.js';
import type { GoValue } from './values.js';

export { createFuncs, DEFAULT_LIMITS, type Limits, type SourceLine, type TemplateFunc, type GoValue };
export { TemplateError, GoTime, newMap, mapSet } from './values.js';
export { fromJs, marshal, parseJsonValue } from './json.js';
export type { CallContext } from './exec.js';

export interface TemplateSource {
  /** The file (as shown in errors and the line map). */
  file: string;
  /** The template's name: KrakenD names each file by its base name. */
  name: string;
  text: string;
}

export interface Rendered {
  text: string;
  /** lines[i]: the template file and line that produced output line i + 1. */
  lines: SourceLine[];
}

export class TemplateSet {
  readonly trees = new Map<string, Tree>();
  constructor(readonly funcs: ReadonlyMap<string, TemplateFunc>) {}

  add(src: TemplateSource): this {
    const opts = { hasFunc: (n: string) => this.funcs.has(n), unknownFunc: unknownFuncMessage };
    for (const t of parseTemplate(src.file, src.name, src.text, opts)) {
      // As Go: a later definition replaces an earlier one, except an empty body (a block's default).
      if (this.trees.has(t.name) && t.name !== src.name && t.root.every((n) => n.t === 'text' && n.text.trim() === '')) continue;
      this.trees.set(t.name, t);
    }
    return this;
  }

  execute(name: string, data: GoValue, limits: Limits = DEFAULT_LIMITS): Rendered {
    const ex = new Executor(this.trees, this.funcs, limits);
    ex.run(name, data);
    return { text: ex.out.text(), lines: ex.out.lines };
  }
}

/** One template from a string, for tests and small uses. */
export function renderString(text: string, data: GoValue, env: Record<string, string | undefined> = {}, limits?: Limits): string {
  const set = new TemplateSet(createFuncs((n) => env[n])).add({ file: 'template', name: 'template', text });
  return set.execute('template', data, limits).text;
}
