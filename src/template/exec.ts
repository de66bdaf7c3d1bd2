// Executes parsed trees as Go's text/template does: dot and $, variables scoped to their
// control structure, pipelines (the previous result is the last argument), range over lists
// (index, element), maps (sorted keys) and integers, break/continue, template calls. Every
// loop and call is bounded (Limits); data is read through own properties of plain maps only.
import type { Arg, Cmd, Control, Node, Pipe, Tree } from './ast.js';
import { Output } from './output.js';
import { formatValue, isMap, isTrue, mapGet, sortedKeys, TemplateError, typeName, type GoValue } from './values.js';

export interface Limits {
  /** Characters of output. */
  maxOutput: number;
  /** Range iterations, all loops of one execution together. */
  maxIterations: number;
  /** Nested {{template}} calls. */
  maxDepth: number;
  /** Commands evaluated, all together (bounds time). */
  maxSteps: number;
}

export const DEFAULT_LIMITS: Limits = { maxOutput: 32 * 1024 * 1024, maxIterations: 1_000_000, maxDepth: 100, maxSteps: 10_000_000 };

export interface CallContext {
  /** Set by a function whose string result is another file's text (include): lines map there. */
  setOrigin(file: string, text: string): void;
  readonly limits: Limits;
}

export type TemplateFunc = (args: GoValue[], ctx: CallContext) => GoValue;

class Break {}
class Continue {}
const BREAK = new Break();
const CONTINUE = new Continue();

interface Var {
  name: string;
  value: GoValue;
}

export class Executor implements CallContext {
  readonly out: Output;
  private vars: Var[] = [];
  private tree!: Tree;
  private depth = 0;
  private iterations = 0;
  private steps = 0;
  private origin: { file: string; text: string } | null = null;
  constructor(
    private readonly trees: ReadonlyMap<string, Tree>,
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
    readonly limits: Limits,
  ) {
    this.out = new Output(limits.maxOutput);
  }

  setOrigin(file: string, text: string): void {
    this.origin = { file, text };
  }

  run(name: string, data: GoValue): void {
    const tree = this.trees.get(name);
    if (!tree) throw new TemplateError(`no template ${JSON.stringify(name)}`);
    this.call(tree, data, { line: 1, col: 1 });
  }

  private call(tree: Tree, dot: GoValue, at: { line: number; col: number }): void {
    if (++this.depth > this.limits.maxDepth) this.fail(at, `exceeded maximum template depth (${this.limits.maxDepth})`);
    const saved = { tree: this.tree, vars: this.vars };
    this.tree = tree;
    this.vars = [{ name: '$', value: dot }];
    try {
      this.walkList(tree.root, dot);
    } finally {
      this.tree = saved.tree;
      this.vars = saved.vars;
      this.depth--;
    }
  }

  fail(at: { line: number; col: number }, msg: string, context?: string): never {
    const where = context ? `executing ${JSON.stringify(this.tree.name)} at <${context}>: ` : '';
    throw new TemplateError(`${this.tree.file}:${at.line}:${at.col}: ${where}${msg}`);
  }

  private walkList(list: Node[], dot: GoValue): void {
    for (const n of list) this.walk(n, dot);
  }

  private walk(n: Node, dot: GoValue): void {
    switch (n.t) {
      case 'text':
        this.out.write(n.text, this.tree.file, n.line, true);
        return;
      case 'action': {
        this.origin = null;
        const v = this.pipe(dot, n.pipe);
        if (n.pipe.decl.length > 0) return;
        const o = this.origin as { file: string; text: string } | null;
        if (o && o.text === v) this.out.write(v, o.file, 1, true);
        else this.out.write(this.printable(n, v), this.tree.file, n.line, false);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.pipe(dot, n.pipe);
        if (isTrue(v)) this.walkList(n.list, n.t === 'with' ? v : dot);
        else if (n.elseList) this.walkList(n.elseList, dot);
        this.vars.length = mark;
        return;
      }
      case 'range':
        return this.range(n, dot);
      case 'template': {
        const tree = this.trees.get(n.name);
        if (!tree) this.fail(n, `no such template ${JSON.stringify(n.name)}`);
        const v = n.pipe ? this.pipe(dot, n.pipe) : undefined;
        this.call(tree, v, n);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private printable(at: { line: number; col: number }, v: GoValue): string {
    void at;
    // Go unwraps the interface: a nil from a map or a function prints as <no value>.
    if (v === null || v === undefined) return '<no value>';
    return formatValue(v);
  }

  private range(n: Control, dot: GoValue): void {
    const mark = this.vars.length;
    const v = this.pipe(dot, n.pipe, true);
    const [k1, k2] = n.pipe.decl;
    const one = (key: GoValue, elem: GoValue): boolean => {
      if (++this.iterations > this.limits.maxIterations) this.fail(n, `range: more than ${this.limits.maxIterations} iterations in all`);
      if (k2 !== undefined) {
        this.vars.push({ name: k1, value: key }, { name: k2, value: elem });
      } else if (k1 !== undefined) this.vars.push({ name: k1, value: elem });
      const inner = this.vars.length;
      try {
        this.walkList(n.list, elem);
      } catch (e) {
        if (e === BREAK) return false;
        if (e !== CONTINUE) throw e;
      } finally {
        this.vars.length = inner;
        if (k1 !== undefined) this.vars.length = mark;
      }
      return true;
    };
    let any = false;
    if (Array.isArray(v)) {
      any = v.length > 0;
      for (let i = 0; i < v.length; i++) if (!one(BigInt(i), v[i])) break;
    } else if (isMap(v)) {
      const keys = sortedKeys(v);
      any = keys.length > 0;
      for (const k of keys) if (!one(k, v[k])) break;
    } else if (typeof v === 'bigint') {
      if (k2 !== undefined) this.fail(n, `can't use ${v} to iterate over more than one variable`);
      any = v > 0n;
      for (let i = 0n; i < v; i++) {
        // One key only: the element is the integer.
        if (!one(i, i)) break;
      }
    } else if (v !== undefined && v !== null) {
      this.fail(n, `range can't iterate over ${formatValue(v)}`);
    }
    this.vars.length = mark;
    if (!any && n.elseList) this.walkList(n.elseList, dot);
  }

  /** Evaluates a pipeline; declares or assigns its variables unless `forRange` (range binds them). */
  private pipe(dot: GoValue, p: Pipe, forRange = false): GoValue {
    let value: GoValue | typeof NONE = NONE;
    for (const c of p.cmds) value = this.command(dot, c, value);
    const v = value === NONE ? undefined : value;
    if (!forRange) {
      if (p.isAssign) {
        for (const name of p.decl) this.assign(p, name, v);
      } else for (const name of p.decl) this.vars.push({ name, value: v });
    }
    return v;
  }

  private assign(at: { line: number; col: number }, name: string, v: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = v;
        return;
      }
    }
    this.fail(at, `undefined variable: ${name}`);
  }

  private lookup(at: { line: number; col: number }, name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.fail(at, `undefined variable: ${name}`);
  }

  private command(dot: GoValue, c: Cmd, final: GoValue | typeof NONE): GoValue {
    if (++this.steps > this.limits.maxSteps) this.fail(c, `more than ${this.limits.maxSteps} evaluation steps`);
    const first = c.args[0];
    const hasArgs = c.args.length > 1 || final !== NONE;
    if (first.t === 'ident') return this.callFunc(dot, c, first.name, c.args.slice(1), final);
    if (hasArgs && first.t !== 'field' && first.t !== 'chain' && first.t !== 'var') this.fail(c, `can't give argument to non-function ${c.text}`, c.text);
    if (hasArgs) this.fail(c, `${c.text} is not a method but has arguments`, c.text);
    return this.arg(dot, first, c);
  }

  private arg(dot: GoValue, a: Arg, c: Cmd): GoValue {
    switch (a.t) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
      case 'num':
      case 'str':
        return a.v;
      case 'field':
        return this.fields(a, dot, a.idents, c);
      case 'var':
        return this.fields(a, this.lookup(a, a.name), a.idents, c);
      case 'chain':
        return this.fields(a, this.arg(dot, a.node, c), a.idents, c);
      case 'pipe':
        return this.pipe(dot, a.pipe);
      case 'ident':
        return this.callFunc(dot, c, a.name, [], NONE);
    }
  }

  private fields(at: { line: number; col: number }, receiver: GoValue, idents: string[], c: Cmd): GoValue {
    let v = receiver;
    for (const name of idents) {
      // A missing key is an invalid value: further fields of it are invalid too (no error).
      if (v === undefined) return undefined;
      if (v === null) this.fail(at, `nil pointer evaluating interface {}.${name}`, c.text);
      if (!isMap(v)) this.fail(at, `can't evaluate field ${name} in type ${typeName(v)}`, c.text);
      v = mapGet(v, name);
    }
    return v;
  }

  private callFunc(dot: GoValue, c: Cmd, name: string, argNodes: Arg[], final: GoValue | typeof NONE): GoValue {
    // and/or stop at the first argument that decides (Go 1.18+).
    if (name === 'and' || name === 'or') {
      const n = argNodes.length + (final === NONE ? 0 : 1);
      if (n === 0) this.fail(c, `wrong number of args for ${name}: want at least 1 got 0`, c.text);
      let v: GoValue = undefined;
      for (let i = 0; i < n; i++) {
        v = i < argNodes.length ? this.arg(dot, argNodes[i], c) : (final as GoValue);
        if (isTrue(v) !== (name === 'and')) return v;
      }
      return v;
    }
    const fn = this.funcs.get(name);
    if (!fn) this.fail(c, `function ${JSON.stringify(name)} not defined`, c.text);
    const args = argNodes.map((a) => this.arg(dot, a, c));
    if (final !== NONE) args.push(final);
    try {
      return fn(args, this);
    } catch (e) {
      if (e instanceof TemplateError && /^\S+:\d+:\d+: /.test(e.message)) throw e;
      if (e instanceof TemplateError || e instanceof RangeError) this.fail(c, `error calling ${name}: ${e.message}`, c.text);
      throw e;
    }
  }
}

const NONE: unique symbol = Symbol('none');
