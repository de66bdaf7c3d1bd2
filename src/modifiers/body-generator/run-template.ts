// Per request: executes a parsed template over the request/response data. Bounded: every node
// and loop turn costs a step (MAX_STEPS), the output is capped (maxBytes), and the language has
// no recursion (no define/template), so a template always finishes quickly.

import { FUNCS, TemplateRunError, truthy } from './template-funcs.js';
import { goValue } from './go-format.js';
import type { Operand, Pipeline, TNode } from './template-parse.js';

const MAX_STEPS = 200_000;

interface State {
  root: unknown;
  vars: Array<[string, unknown]>;
  out: string[];
  len: number;
  max: number;
  steps: number;
}

function step(s: State): void {
  if (++s.steps > MAX_STEPS) throw new TemplateRunError(`template ran more than ${MAX_STEPS} steps`);
}

function write(s: State, v: string): void {
  s.len += Buffer.byteLength(v);
  if (s.len > s.max) throw new TemplateRunError(`template output exceeds ${s.max} bytes`);
  s.out.push(v);
}

/** Go's field access on JSON data: a missing key is "no value", a field of null is an error. */
function field(v: unknown, name: string): unknown {
  if (v === undefined) return undefined;
  if (v === null) throw new TemplateRunError(`nil pointer evaluating interface {}.${name}`);
  if (typeof v !== 'object' || Array.isArray(v)) throw new TemplateRunError(`can't evaluate field ${name} in type ${Array.isArray(v) ? 'slice' : typeof v}`);
  return Object.prototype.hasOwnProperty.call(v, name) ? (v as Record<string, unknown>)[name] : undefined;
}

function lookupVar(s: State, name: string): unknown {
  if (name === '') return s.root;
  for (let i = s.vars.length - 1; i >= 0; i--) if (s.vars[i][0] === name) return s.vars[i][1];
  throw new TemplateRunError(`undefined variable: $${name}`);
}

function operand(s: State, o: Operand, dot: unknown): unknown {
  step(s);
  let v: unknown;
  let chain: string[];
  switch (o.k) {
    case 'lit':
      return o.v;
    case 'fn':
      return FUNCS.get(o.name)?.([]);
    case 'dot':
      v = dot;
      chain = o.chain;
      break;
    case 'var':
      v = lookupVar(s, o.name);
      chain = o.chain;
      break;
    case 'sub':
      v = pipeline(s, o.pipe, dot);
      chain = o.chain;
      break;
  }
  for (const f of chain) v = field(v, f);
  return v;
}

function pipeline(s: State, p: Pipeline, dot: unknown): unknown {
  let value: unknown;
  let first = true;
  for (const c of p.cmds) {
    const [head, ...rest] = c.args;
    if (head.k === 'fn') {
      const args = rest.map((a) => operand(s, a, dot));
      if (!first) args.push(value);
      step(s);
      const fn = FUNCS.get(head.name);
      if (!fn) throw new TemplateRunError(`function "${head.name}" not defined`);
      value = fn(args);
    } else {
      if (rest.length > 0 || !first) throw new TemplateRunError("can't give argument to non-function");
      value = operand(s, head, dot);
    }
    first = false;
  }
  if (p.decl.length === 1 && !(p.assign && setVar(s, p.decl[0], value))) s.vars.push([p.decl[0], value]);
  return value;
}

function setVar(s: State, name: string, v: unknown): boolean {
  for (let i = s.vars.length - 1; i >= 0; i--) {
    if (s.vars[i][0] === name) {
      s.vars[i][1] = v;
      return true;
    }
  }
  throw new TemplateRunError(`undefined variable: $${name}`);
}

function block(s: State, nodes: TNode[], dot: unknown): void {
  const mark = s.vars.length;
  for (const n of nodes) run(s, n, dot);
  s.vars.length = mark; // Variables live until the end of their control structure.
}

function range(s: State, n: Extract<TNode, { n: 'range' }>, dot: unknown): void {
  const decl = n.pipe.decl;
  const v = pipeline(s, { ...n.pipe, decl: [] }, dot);
  let items: Array<[unknown, unknown]>;
  if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
  else if (v !== null && typeof v === 'object')
    items = Object.keys(v)
      .sort()
      .map((k) => [k, (v as Record<string, unknown>)[k]]);
  else if (v === undefined || v === null) items = [];
  else throw new TemplateRunError(`range can't iterate over ${goValue(v)}`);
  if (items.length === 0) {
    block(s, n.else, dot);
    return;
  }
  for (const [k, x] of items) {
    step(s);
    const mark = s.vars.length;
    if (decl.length === 1) s.vars.push([decl[0], x]);
    if (decl.length === 2) s.vars.push([decl[0], k], [decl[1], x]);
    block(s, n.then, x);
    s.vars.length = mark;
  }
}

function run(s: State, n: TNode, dot: unknown): void {
  step(s);
  switch (n.n) {
    case 'text':
      write(s, n.v);
      return;
    case 'out': {
      const v = pipeline(s, n.pipe, dot);
      if (n.pipe.decl.length === 0) write(s, goValue(v));
      return;
    }
    case 'if': {
      const mark = s.vars.length;
      const v = pipeline(s, n.pipe, dot);
      block(s, truthy(v) ? n.then : n.else, dot);
      s.vars.length = mark;
      return;
    }
    case 'with': {
      const mark = s.vars.length;
      const v = pipeline(s, n.pipe, dot);
      if (truthy(v)) block(s, n.then, v);
      else block(s, n.else, dot);
      s.vars.length = mark;
      return;
    }
    case 'range':
      range(s, n, dot);
      return;
  }
}

/** Renders the template; throws TemplateRunError on a runtime error or a budget overrun. */
export function runTemplate(nodes: TNode[], data: unknown, maxBytes: number): string {
  const s: State = { root: data, vars: [], out: [], len: 0, max: maxBytes, steps: 0 };
  block(s, nodes, data);
  return s.out.join('');
}
