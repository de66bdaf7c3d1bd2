// Parser for the template subset: text, {{pipeline}}, variables, if/else if/else, range, with.
// `define`, `template` and `block` are refused: they allow recursion, which no budget could
// make cheap to reason about. Runs once at startup.

import { lex, TemplateSyntaxError, type Tok } from './template-lex.js';
import { FUNCS } from './template-funcs.js';

export type Operand =
  | { k: 'dot'; chain: string[] }
  | { k: 'var'; name: string; chain: string[] }
  | { k: 'lit'; v: unknown }
  | { k: 'fn'; name: string }
  | { k: 'sub'; pipe: Pipeline; chain: string[] };

export interface Command {
  args: Operand[];
}
export interface Pipeline {
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

export type TNode =
  | { n: 'text'; v: string }
  | { n: 'out'; pipe: Pipeline }
  | { n: 'if' | 'with'; pipe: Pipeline; then: TNode[]; else: TNode[] }
  | { n: 'range'; pipe: Pipeline; then: TNode[]; else: TNode[] };

const MAX_DEPTH = 64;
const REFUSED = new Set(['define', 'template', 'block', 'break', 'continue']);

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new TemplateSyntaxError('unexpected end of template');
    return t;
  }

  /** Nodes until an `{{end}}`/`{{else}}` (returned as the stopper) or the end. */
  list(depth: number, stoppers: readonly string[]): [TNode[], string] {
    if (depth > MAX_DEPTH) throw new TemplateSyntaxError(`control structures nested deeper than ${MAX_DEPTH}`);
    const out: TNode[] = [];
    while (this.i < this.toks.length) {
      const t = this.next();
      if (t.t === 'text') {
        out.push({ n: 'text', v: t.v });
        continue;
      }
      if (t.t !== 'open') throw new TemplateSyntaxError('unexpected token');
      const kw = this.peek();
      if (kw?.t === 'ident' && REFUSED.has(kw.v)) throw new TemplateSyntaxError(`{{${kw.v}}} is not supported (no nested templates or loop jumps)`);
      if (kw?.t === 'ident' && (kw.v === 'end' || kw.v === 'else')) {
        if (!stoppers.includes(kw.v)) throw new TemplateSyntaxError(`unexpected {{${kw.v}}}`);
        this.i++;
        if (kw.v === 'end') this.expectClose();
        return [out, kw.v];
      }
      if (kw?.t === 'ident' && (kw.v === 'if' || kw.v === 'range' || kw.v === 'with')) {
        this.i++;
        out.push(this.control(kw.v, depth));
        continue;
      }
      out.push({ n: 'out', pipe: this.pipeline(true) });
      this.expectClose();
    }
    if (stoppers.length > 0) throw new TemplateSyntaxError('missing {{end}}');
    return [out, ''];
  }

  private control(kind: 'if' | 'range' | 'with', depth: number): TNode {
    const pipe = this.pipeline(kind === 'range' ? 'range' : false);
    this.expectClose();
    const [then, stop] = this.list(depth + 1, ['end', 'else']);
    let els: TNode[] = [];
    if (stop === 'else') {
      const t = this.peek();
      if (kind !== 'range' && t?.t === 'ident' && t.v === kind) {
        // {{else if ...}} / {{else with ...}}: a nested control that shares our {{end}}.
        this.i++;
        els = [this.control(kind, depth + 1)];
      } else {
        this.expectClose();
        [els] = this.list(depth + 1, ['end']);
      }
    }
    return { n: kind, pipe, then, else: els } as TNode;
  }

  private expectClose(): void {
    const t = this.next();
    if (t.t !== 'close') throw new TemplateSyntaxError('expected "}}"');
  }

  /** `decl` true: `$x := ...` allowed; 'range': `$i, $v := ...` allowed too. */
  private pipeline(decl: boolean | 'range'): Pipeline {
    const p: Pipeline = { decl: [], assign: false, cmds: [] };
    if (decl) {
      const save = this.i;
      const vars: string[] = [];
      while (this.peek()?.t === 'var') {
        vars.push((this.next() as { v: string }).v);
        if (this.peek()?.t === 'comma' && decl === 'range' && vars.length === 1) {
          this.i++;
          continue;
        }
        break;
      }
      const t = this.peek();
      if (vars.length > 0 && (t?.t === 'declare' || (t?.t === 'assign' && vars.length === 1))) {
        this.i++;
        p.decl = vars;
        p.assign = t.t === 'assign';
      } else this.i = save;
    }
    for (;;) {
      p.cmds.push(this.command());
      if (this.peek()?.t !== 'pipe') break;
      this.i++;
    }
    return p;
  }

  private command(): Command {
    const args: Operand[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.t === 'close' || t.t === 'pipe' || t.t === 'rparen') break;
      args.push(this.operand());
    }
    if (args.length === 0) throw new TemplateSyntaxError('missing value for command');
    return { args };
  }

  private chain(): string[] {
    const c: string[] = [];
    for (let t = this.peek(); t?.t === 'field' && t.chained; t = this.peek()) {
      c.push(t.v);
      this.i++;
    }
    return c;
  }

  private operand(): Operand {
    const t = this.next();
    switch (t.t) {
      case 'dot':
        return { k: 'dot', chain: [] };
      case 'field':
        return { k: 'dot', chain: [t.v, ...this.chain()] };
      case 'var':
        return { k: 'var', name: t.v, chain: this.chain() };
      case 'str':
        return { k: 'lit', v: t.v };
      case 'num':
        return { k: 'lit', v: t.v };
      case 'lparen': {
        const pipe = this.pipeline(false);
        if (this.next().t !== 'rparen') throw new TemplateSyntaxError('expected ")"');
        return { k: 'sub', pipe, chain: this.chain() };
      }
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
        if (t.v === 'nil') return { k: 'lit', v: null };
        if (!FUNCS.has(t.v)) throw new TemplateSyntaxError(`function "${t.v}" not defined`);
        return { k: 'fn', name: t.v };
      default:
        throw new TemplateSyntaxError('unexpected token in command');
    }
  }
}

/** Parses a template; throws TemplateSyntaxError with a line number on bad input. */
export function parseTemplate(src: string): TNode[] {
  const p = new Parser(lex(src));
  return p.list(0, [])[0];
}
