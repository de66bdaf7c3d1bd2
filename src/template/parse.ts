// Go text/template's parser: a token list into trees (the file's own and one per
// {{define}}/{{block}}), with Go's parse-time checks: undefined variables and functions,
// misplaced else/end/break/continue. Bounded nesting.
import type { Arg, Cmd, Node, Pipe, Tree } from './ast.js';
import { lex, type Token } from './lexer.js';
import { unquote } from './unquote.js';
import { TemplateError } from './values.js';

const MAX_NESTING = 100;

export interface ParseOptions {
  /** Names of the functions a template may call; anything else fails at parse time. */
  hasFunc(name: string): boolean;
  /** The message for a name that is not a function (e.g. a Sprig function not implemented). */
  unknownFunc?(name: string): string;
}

/** Parses one file; returns its own tree (named `name`) and the trees it defines. */
export function parseTemplate(file: string, name: string, src: string, opts: ParseOptions): Tree[] {
  const p = new Parser(file, lex(file, src), src, opts);
  const root = p.list(['eof'], 0);
  return [{ name, file, root }, ...p.defined];
}

type Stop = 'eof' | 'end' | 'else';

class Parser {
  pos = 0;
  defined: Tree[] = [];
  /** Variable scopes: each control structure opens one; `$` is always defined. */
  vars: string[] = ['$'];
  loops = 0;
  constructor(
    readonly file: string,
    readonly toks: Token[],
    readonly src: string,
    readonly opts: ParseOptions,
  ) {}

  fail(tok: Token, msg: string): never {
    throw new TemplateError(`${this.file}:${tok.line}:${tok.col}: ${msg}`);
  }
  peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }
  next(): Token {
    return this.toks[Math.min(this.pos++, this.toks.length - 1)];
  }
  expect(kind: Token['kind'], what: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `unexpected ${describe(t)} in ${what}`);
    return t;
  }

  /** Nodes until one of the stops; consumes the stop's `{{ end }}`/`{{ else`, not what follows else. */
  list(stops: Stop[], depth: number): Node[] {
    if (depth > MAX_NESTING) this.fail(this.peek(), `nesting deeper than ${MAX_NESTING}`);
    const out: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        if (stops.includes('eof')) return out;
        this.fail(t, 'unexpected EOF');
      }
      if (t.kind === 'text') {
        this.next();
        out.push({ t: 'text', text: t.value, line: t.line, col: t.col });
        continue;
      }
      const open = this.expect('open', 'template');
      const k = this.peek();
      if (k.kind === 'keyword' && (k.value === 'end' || k.value === 'else')) {
        if (!stops.includes(k.value)) this.fail(k, `unexpected {{${k.value}}}`);
        this.next();
        if (k.value === 'end') this.expect('close', 'end');
        return out;
      }
      out.push(this.action(open, depth));
    }
  }

  action(open: Token, depth: number): Node {
    const k = this.peek();
    if (k.kind === 'keyword') {
      this.next();
      switch (k.value) {
        case 'if':
        case 'with':
          return this.control(k.value, open, depth);
        case 'range': {
          this.loops++;
          try {
            return this.control('range', open, depth);
          } finally {
            this.loops--;
          }
        }
        case 'template':
          return this.templateCall(open);
        case 'block': {
          const name = unquote(this.expect('string', 'block clause').value);
          const pipe = this.pipeline('block', 'close');
          const saved = this.vars;
          this.vars = ['$'];
          const body = this.list(['end'], depth + 1);
          this.vars = saved;
          this.defined.push({ name, file: this.file, root: body });
          return { t: 'template', name, pipe, line: open.line, col: open.col };
        }
        case 'define': {
          if (depth > 0) this.fail(k, 'unexpected <define> in command');
          const name = unquote(this.expect('string', 'define clause').value);
          this.expect('close', 'define clause');
          const saved = this.vars;
          this.vars = ['$'];
          const body = this.list(['end'], depth + 1);
          this.vars = saved;
          this.defined.push({ name, file: this.file, root: body });
          return { t: 'text', text: '', line: open.line, col: open.col };
        }
        case 'break':
        case 'continue':
          if (this.loops === 0) this.fail(k, `{{${k.value}}} outside {{range}}`);
          this.expect('close', k.value);
          return { t: k.value, line: k.line, col: k.col };
        default:
          this.fail(k, `unexpected {{${k.value}}}`);
      }
    }
    const pipe = this.pipeline('command', 'close');
    if (pipe.cmds.length === 0) this.fail(open, 'missing value for command');
    return { t: 'action', pipe, line: open.line, col: open.col };
  }

  control(kind: 'if' | 'with' | 'range', open: Token, depth: number): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, 'close');
    if (pipe.cmds.length === 0) this.fail(open, `missing value for ${kind}`);
    const list = this.listUntilElse(depth);
    let elseList: Node[] | null = null;
    if (list.stoppedAtElse) {
      const t = this.peek();
      if (t.kind === 'keyword' && (t.value === 'if' || t.value === 'with') && kind !== 'range') {
        // {{else if ...}} / {{else with ...}}: a nested control that shares our {{end}}.
        this.next();
        const nested = this.control(t.value, t, depth + 1);
        elseList = [nested];
      } else {
        this.expect('close', 'else');
        elseList = this.list(['end'], depth + 1);
      }
    }
    this.vars.length = mark;
    return { t: kind, pipe, list: list.nodes, elseList, line: open.line, col: open.col };
  }

  listUntilElse(depth: number): { nodes: Node[]; stoppedAtElse: boolean } {
    const nodes = this.list(['end', 'else'], depth + 1);
    const prev = this.toks[this.pos - 1];
    return { nodes, stoppedAtElse: prev.kind === 'keyword' && prev.value === 'else' };
  }

  templateCall(open: Token): Node {
    const nameTok = this.next();
    if (nameTok.kind !== 'string') this.fail(nameTok, `unexpected ${describe(nameTok)} in template clause`);
    const name = unquote(nameTok.value);
    let pipe: Pipe | null = null;
    if (this.peek().kind !== 'close') pipe = this.pipeline('template clause', 'close');
    else this.next();
    return { t: 'template', name, pipe, line: open.line, col: open.col };
  }

  /** [decl] cmd ('|' cmd)* up to `end` (consumed). */
  pipeline(context: string, end: 'close' | 'rparen'): Pipe {
    const first = this.peek();
    const decl: string[] = [];
    let isAssign = false;
    if (first.kind === 'var') {
      const k1 = this.peek(1);
      const isRangeTwo = k1.kind === 'comma' && context === 'range' && this.peek(2).kind === 'var';
      if (k1.kind === 'declare' || k1.kind === 'assign' || isRangeTwo) {
        this.next();
        decl.push(first.value);
        if (isRangeTwo) {
          this.next();
          decl.push(this.next().value);
        }
        const op = this.next();
        if (op.kind !== 'declare' && op.kind !== 'assign') this.fail(op, `expected := or = in ${context}`);
        isAssign = op.kind === 'assign';
        if (isAssign) for (const v of decl) if (!this.vars.includes(v)) this.fail(first, `undefined variable "${v}"`);
      }
    }
    const cmds: Cmd[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === end) {
        this.next();
        break;
      }
      if (t.kind === 'eof' || t.kind === 'close' || t.kind === 'rparen') this.fail(t, `unexpected ${describe(t)} in ${context}`);
      cmds.push(this.command(end));
      if (this.peek().kind === 'pipe') {
        this.next();
        if (this.peek().kind === end) this.fail(this.peek(), 'missing command after |');
      }
    }
    if (cmds.length === 0 && (decl.length > 0 || end === 'rparen')) this.fail(first, `missing value for ${context}`);
    // Declared after the pipeline is parsed: `$x := $x` refers to an outer $x.
    if (!isAssign) this.vars.push(...decl);
    return { decl, isAssign, cmds, line: first.line, col: first.col };
  }

  command(end: 'close' | 'rparen'): Cmd {
    const start = this.peek();
    const args: Arg[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === end || t.kind === 'pipe') break;
      if (t.kind === 'eof' || t.kind === 'close' || t.kind === 'rparen') this.fail(t, `unexpected ${describe(t)} in operand`);
      args.push(this.operand());
    }
    const last = this.toks[this.pos - 1];
    return { args, line: start.line, col: start.col, text: this.src.slice(start.at, last.end) };
  }

  operand(): Arg {
    let node = this.term();
    // Adjacent fields chain: (x).a.b, $x.a, .a.b
    const idents: string[] = [];
    while (this.peek().kind === 'field' && this.peek().at === this.toks[this.pos - 1].end) idents.push(this.next().value);
    if (idents.length === 0) return node;
    if (node.t === 'field' || node.t === 'var') {
      node.idents.push(...idents);
      return node;
    }
    if (node.t === 'bool' || node.t === 'str' || node.t === 'num' || node.t === 'nil' || node.t === 'dot')
      this.fail(this.toks[this.pos - 1], `unexpected . after term "${node.t}"`);
    node = { t: 'chain', node, idents, line: node.line, col: node.col };
    return node;
  }

  term(): Arg {
    const t = this.next();
    const pos = { line: t.line, col: t.col };
    switch (t.kind) {
      case 'field':
        return { t: 'field', idents: [t.value], ...pos };
      case 'var':
        if (!this.vars.includes(t.value)) this.fail(t, `undefined variable "${t.value}"`);
        return { t: 'var', name: t.value, idents: [], ...pos };
      case 'dot':
        return { t: 'dot', ...pos };
      case 'nil':
        return { t: 'nil', ...pos };
      case 'bool':
        return { t: 'bool', v: t.value === 'true', ...pos };
      case 'string':
        try {
          return { t: 'str', v: unquote(t.value), ...pos };
        } catch (err) {
          return this.fail(t, (err as Error).message);
        }
      case 'char': {
        const s = unquote('"' + t.value.slice(1, -1).replace(/"/g, '\\"') + '"');
        const cp = s.codePointAt(0);
        if (cp === undefined || [...s].length !== 1) return this.fail(t, `malformed character constant: ${t.value}`);
        return { t: 'num', v: BigInt(cp), text: t.value, ...pos };
      }
      case 'number':
        return { t: 'num', v: parseNumber(t, (m) => this.fail(t, m)), text: t.value, ...pos };
      case 'ident':
        if (!this.opts.hasFunc(t.value)) this.fail(t, this.opts.unknownFunc?.(t.value) ?? `function "${t.value}" not defined`);
        return { t: 'ident', name: t.value, ...pos };
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rparen');
        return { t: 'pipe', pipe, ...pos };
      }
      default:
        return this.fail(t, `unexpected ${describe(t)} in operand`);
    }
  }
}

function parseNumber(t: Token, fail: (m: string) => never): number | bigint {
  const text = t.value.replace(/_/g, '');
  if (text.endsWith('i')) fail(`complex numbers are not supported: ${t.value}`);
  const neg = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  const hexInt = /^0[xX][0-9a-fA-F]+$/.test(body);
  if (hexInt || /^0[bBoO]/.test(body) || !/[.eEpP]/.test(body)) {
    let n: bigint;
    if (/^0[0-7]+$/.test(body)) n = BigInt('0o' + body.slice(1));
    else n = BigInt(body);
    if (n > 2n ** 63n - 1n + (neg ? 1n : 0n)) fail(`integer overflow: ${t.value}`);
    return neg ? -n : n;
  }
  const f = Number(text);
  if (!Number.isFinite(f)) fail(`illegal number syntax: ${t.value}`);
  return f;
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'close') return '"}}"';
  if (t.kind === 'text') return 'text';
  return `"${t.kind === 'field' ? '.' + t.value : t.value}"`;
}
