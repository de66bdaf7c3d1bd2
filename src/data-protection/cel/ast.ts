// Reading and rewriting cel-js syntax trees. Phases are decided from the variables a tree
// references (not from substrings of its text, as KrakenD does), with variables bound by
// comprehension macros (`exists(r, ...)`) kept apart from KrakenD's variables of the same name.
// serializeAst prints a tree back as CEL with every operand parenthesised, so a rewritten tree
// (matches() -> __rampart_matches()) can be parsed and type-checked again.
import type { ASTNode } from '@marcbachmann/cel-js';

export interface Node {
  readonly op: string;
  readonly args: unknown;
}

export const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

const BINARY = new Set(['==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', 'in', '||', '&&']);

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && 'op' in x && 'args' in x;

export function asNode(ast: ASTNode): Node {
  return ast as unknown as Node;
}

/** Child nodes in source order. */
export function children(n: Node): Node[] {
  const a = n.args;
  switch (n.op) {
    case 'value':
    case 'id':
      return [];
    case '.':
    case '.?':
      return [(a as [Node, string])[0]];
    case 'call':
      return (a as [string, Node[]])[1];
    case 'rcall': {
      const [, target, rest] = a as [string, Node, Node[]];
      return [target, ...rest];
    }
    case 'map':
      return (a as [Node, Node][]).flat();
    default:
      return Array.isArray(a) ? (a as unknown[]).filter(isNode) : isNode(a) ? [a] : [];
  }
}

/** The variable a comprehension binds (`x` in `l.exists(x, p)`), or ''. */
export function boundVariable(n: Node): string {
  if (n.op !== 'rcall') return '';
  const [name, , rest] = n.args as [string, Node, Node[]];
  return COMPREHENSIONS.has(name) && rest[0]?.op === 'id' ? (rest[0].args as string) : '';
}

export interface TreeFacts {
  /** Free identifiers (not bound by a comprehension). */
  readonly free: Set<string>;
  /** Deepest nesting of comprehensions inside comprehension bodies (0: none). */
  readonly comprehensionDepth: number;
  /** Every function or method name called. */
  readonly calls: Set<string>;
}

/** One walk, explicit stack (the parser's maxDepth already bounds it). */
export function treeFacts(root: Node): TreeFacts {
  const free = new Set<string>();
  const calls = new Set<string>();
  let deepest = 0;
  const stack: { n: Node; bound: ReadonlySet<string>; depth: number }[] = [{ n: root, bound: new Set(), depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { n, bound, depth } = top;
    if (n.op === 'id' && !bound.has(n.args as string)) free.add(n.args as string);
    if (n.op === 'call' || n.op === 'rcall') calls.add((n.args as [string])[0]);
    const v = boundVariable(n);
    if (v) {
      const [, target, rest] = n.args as [string, Node, Node[]];
      deepest = Math.max(deepest, depth + 1);
      stack.push({ n: target, bound, depth });
      const inner = new Set(bound).add(v);
      for (const body of rest.slice(1)) stack.push({ n: body, bound: inner, depth: depth + 1 });
      continue;
    }
    for (const c of children(n)) stack.push({ n: c, bound, depth });
  }
  return { free, comprehensionDepth: deepest, calls };
}

function literal(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return /[.e]/.test(String(v)) ? String(v) : `${v}.0`; // a double stays a double
  if (typeof v === 'boolean' || v === null) return String(v);
  if (v instanceof Uint8Array) return `b"${Array.from(v, (b) => '\\x' + b.toString(16).padStart(2, '0')).join('')}"`;
  return `${String(v)}u`; // cel-js UnsignedInt
}

/** CEL text of a tree; `map` may replace a node (return undefined to keep it). */
export function serializeAst(root: Node, map?: (n: Node, s: (n: Node) => string) => string | undefined): string {
  const s = (n: Node): string => {
    const mapped = map?.(n, s);
    if (mapped !== undefined) return mapped;
    const a = n.args as never;
    switch (n.op) {
      case 'value':
        return literal(a);
      case 'id':
        return a;
      case '.':
      case '.?':
        return `(${s((a as [Node, string])[0])})${n.op}${(a as [Node, string])[1]}`;
      case '[]':
      case '[?]':
        return `(${s((a as Node[])[0])})${n.op === '[]' ? '[' : '[?'}${s((a as Node[])[1])}]`;
      case 'call':
        return `${(a as [string])[0]}(${(a as [string, Node[]])[1].map(s).join(', ')})`;
      case 'rcall': {
        const [name, target, rest] = a as [string, Node, Node[]];
        return `(${s(target)}).${name}(${rest.map(s).join(', ')})`;
      }
      case 'list':
        return `[${(a as Node[]).map(s).join(', ')}]`;
      case 'map':
        return `{${(a as [Node, Node][]).map(([k, v]) => `${s(k)}: ${s(v)}`).join(', ')}}`;
      case '?:':
        return `(${s((a as Node[])[0])}) ? (${s((a as Node[])[1])}) : (${s((a as Node[])[2])})`;
      case '!_':
        return `!(${s(a)})`;
      case '-_':
        return `-(${s(a)})`;
      default:
        if (BINARY.has(n.op)) return `(${s((a as Node[])[0])}) ${n.op} (${s((a as Node[])[1])})`;
        throw new Error(`cannot print CEL operator ${n.op}`);
    }
  };
  return s(root);
}
