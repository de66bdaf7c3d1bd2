// A JMESPath tree interpreter over the AST of the reference parser (`jmespath` 0.16.0's
// compile()), following its TreeInterpreter node by node. Rampart's own because the library
// has no "run a compiled AST" call (it would re-parse per request), and because owning it
// gives: own-property field access only (no Object.prototype reads), and a step budget that
// bounds every call in time and memory, including fan-outs like `[@,@][] | [@,@][] | ...`.

import { JmespathRunError } from './jmes-errors.js';
import { deepEqual, ExprRefBox, FUNCTIONS, isObject, type Arg, type Json } from './jmes-functions.js';

interface Node {
  type: string;
  name?: string;
  value?: unknown;
  children?: unknown[];
}

export const MAX_STEPS = 1_000_000;

function isFalse(v: Json): boolean {
  return v === null || v === false || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function own(o: { [k: string]: Json }, k: string): Json {
  return Object.prototype.hasOwnProperty.call(o, k) ? (o[k] ?? null) : null;
}

function capSlice(len: number, v: number, step: number): number {
  if (v < 0) {
    v += len;
    if (v < 0) v = step < 0 ? -1 : 0;
  } else if (v >= len) v = step < 0 ? len - 1 : len;
  return v;
}

export class Interpreter {
  private steps = 0;

  private tick(n = 1): void {
    this.steps += n;
    if (this.steps > MAX_STEPS) throw new JmespathRunError(`JMESPath evaluation exceeds ${MAX_STEPS} steps`);
  }

  private project(base: Json[], rhs: unknown): Json[] {
    const out: Json[] = [];
    for (const b of base) {
      const v = this.visit(rhs, b);
      if (v !== null) out.push(v);
    }
    return out;
  }

  visit(n: unknown, value: Json): Json {
    this.tick();
    const node = n as Node;
    const c = node.children ?? [];
    switch (node.type) {
      case 'Field':
        return isObject(value) ? own(value, String(node.name)) : null;
      case 'Subexpression': {
        let r = this.visit(c[0], value);
        for (let i = 1; i < c.length && r !== null; i++) r = this.visit(c[i], r);
        return r;
      }
      case 'IndexExpression':
        return this.visit(c[1], this.visit(c[0], value));
      case 'Index': {
        if (!Array.isArray(value)) return null;
        let i = node.value as number;
        if (i < 0) i += value.length;
        return value[i] ?? null;
      }
      case 'Slice': {
        if (!Array.isArray(value)) return null;
        const [s0, e0, st0] = c as Array<number | null>;
        const step = st0 ?? 1;
        if (step === 0) throw new JmespathRunError('JMESPath: invalid slice, step cannot be 0');
        const len = value.length;
        const start = s0 === null ? (step < 0 ? len - 1 : 0) : capSlice(len, s0, step);
        const stop = e0 === null ? (step < 0 ? -1 : len) : capSlice(len, e0, step);
        const out: Json[] = [];
        if (step > 0) for (let i = start; i < stop; i += step) out.push(value[i]);
        else for (let i = start; i > stop; i += step) out.push(value[i]);
        this.tick(out.length);
        return out;
      }
      case 'Projection': {
        const base = this.visit(c[0], value);
        return Array.isArray(base) ? this.project(base, c[1]) : null;
      }
      case 'ValueProjection': {
        const base = this.visit(c[0], value);
        return isObject(base) ? this.project(Object.values(base), c[1]) : null;
      }
      case 'FilterProjection': {
        const base = this.visit(c[0], value);
        if (!Array.isArray(base)) return null;
        return this.project(
          base.filter((b) => !isFalse(this.visit(c[2], b))),
          c[1],
        );
      }
      case 'Comparator': {
        const a = this.visit(c[0], value);
        const b = this.visit(c[1], value);
        switch (node.name) {
          case 'EQ':
            return deepEqual(a, b);
          case 'NE':
            return !deepEqual(a, b);
          default:
            if (typeof a !== 'number' || typeof b !== 'number') return null;
            return node.name === 'GT' ? a > b : node.name === 'GTE' ? a >= b : node.name === 'LT' ? a < b : a <= b;
        }
      }
      case 'Flatten': {
        const base = this.visit(c[0], value);
        if (!Array.isArray(base)) return null;
        const out: Json[] = [];
        for (const e of base) {
          if (Array.isArray(e)) {
            this.tick(e.length);
            for (const x of e) out.push(x); // no spread: an argument list has a size limit
          } else out.push(e);
        }
        return out;
      }
      case 'Identity':
      case 'Current':
        return value;
      case 'MultiSelectList':
        return value === null ? null : c.map((x) => this.visit(x, value));
      case 'MultiSelectHash': {
        if (value === null) return null;
        const out: { [k: string]: Json } = {};
        for (const kv of c as Node[])
          Object.defineProperty(out, String(kv.name), { value: this.visit(kv.value, value), enumerable: true, writable: true, configurable: true });
        return out;
      }
      case 'OrExpression': {
        const a = this.visit(c[0], value);
        return isFalse(a) ? this.visit(c[1], value) : a;
      }
      case 'AndExpression': {
        const a = this.visit(c[0], value);
        return isFalse(a) ? a : this.visit(c[1], value);
      }
      case 'NotExpression':
        return isFalse(this.visit(c[0], value));
      case 'Literal':
        return node.value as Json;
      case 'Pipe':
        return this.visit(c[1], this.visit(c[0], value));
      case 'Function': {
        const fn = FUNCTIONS.get(String(node.name));
        if (!fn) throw new JmespathRunError(`JMESPath: unknown function ${String(node.name)}()`);
        const args: Arg[] = c.map((x) => ((x as Node).type === 'ExpressionReference' ? new ExprRefBox(((x as Node).children ?? [])[0]) : this.visit(x, value)));
        for (const a of args) if (Array.isArray(a)) this.tick(a.length); // sorts, sums: work ~ size
        return fn.run(args, (ref, v) => this.visit(ref, v));
      }
      case 'ExpressionReference':
        throw new JmespathRunError('JMESPath: an expression reference (&expr) is only valid as a function argument');
      default:
        throw new JmespathRunError(`JMESPath: unsupported node ${String(node.type)}`);
    }
  }
}
