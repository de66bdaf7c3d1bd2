// One CEL expression, at startup: parse (cel-js limits), refuse what cannot be bounded, rewrite
// matches() onto RE2, type-check, require bool, and decide the phase from the variables the
// tree references. Every refusal is a DataProtectionConfigError at the expression's pointer.
import type { Environment, ParseResult } from '@marcbachmann/cel-js';
import { fail } from '../compile-error.js';
import { compileLinearTester } from '../re2/linear-regexp.js';
import { asNode, serializeAst, treeFacts, type Node } from './ast.js';
import { MATCHES_FN, RESERVED_PREFIX, registerPattern } from './environment.js';
import type { CelPhase, CompiledExpression } from './types.js';
import { CEL_VARIABLES, isCelVariable } from './variables.js';

export const MAX_EXPRESSION_LENGTH = 4096;
/** Comprehensions inside comprehension bodies multiply cost by input size (n^k): one level
 * keeps evaluation linear in the size of the request or answer. */
export const MAX_COMPREHENSION_DEPTH = 1;

/** cel-go's standard library, which is all KrakenD declares (no extension library). cel-js
 * also ships ext functions (split, indexOf, lowerAscii, cel.bind, bytes.json...): an expression
 * calling one would pass here and fail in KrakenD, so it is refused. */
const STANDARD_FUNCTIONS = new Set([
  'size',
  'has',
  'int',
  'uint',
  'double',
  'string',
  'bytes',
  'bool',
  'dyn',
  'type',
  'duration',
  'timestamp',
  'matches',
  'contains',
  'startsWith',
  'endsWith',
  'all',
  'exists',
  'exists_one',
  'map',
  'filter',
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getDayOfYear',
  'getFullYear',
  'getHours',
  'getMilliseconds',
  'getMinutes',
  'getMonth',
  'getSeconds',
]);

/** Maps some nodes to other CEL text (serializeAst's `map`). */
export type Rewriter = (n: Node, s: (n: Node) => string) => string | undefined;

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

function parse(env: Environment, text: string, pointer: string): ParseResult {
  try {
    return env.parse(text);
  } catch (e) {
    fail(pointer, `expression does not parse: ${firstLine(e)}`);
  }
}

/** matches() -> __rampart_matches(), with the literal pattern compiled by re2js now. */
function matchesRewriter(pointer: string): Rewriter {
  return (n, s) => {
    let target: Node, pattern: Node;
    if (n.op === 'rcall' && (n.args as [string])[0] === 'matches') {
      const [, t, rest] = n.args as [string, Node, Node[]];
      if (rest.length !== 1) return undefined; // the type check refuses it
      [target, pattern] = [t, rest[0]];
    } else if (n.op === 'call' && (n.args as [string])[0] === 'matches') {
      const rest = (n.args as [string, Node[]])[1];
      if (rest.length !== 2) return undefined;
      [target, pattern] = rest as [Node, Node];
    } else return undefined;
    if (pattern.op !== 'value' || typeof pattern.args !== 'string') {
      fail(pointer, 'matches() needs a literal pattern: patterns are compiled (RE2) at startup, never built from request data');
    }
    const re = compileLinearTester(pattern.args);
    if (typeof re === 'string') fail(pointer, `matches(): ${re}`);
    registerPattern(pattern.args, re);
    return `${MATCHES_FN}(${s(target)}, ${JSON.stringify(pattern.args)})`;
  };
}

export function compileExpression(text: unknown, pointer: string, env: Environment, extra?: Rewriter, extraNames: readonly string[] = []): CompiledExpression {
  if (typeof text !== 'string' || text.trim() === '') fail(pointer, 'expression must be a non-empty string');
  if (text.length > MAX_EXPRESSION_LENGTH) fail(pointer, `expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const parsed = parse(env, text, pointer);
  const facts = treeFacts(asNode(parsed.ast));
  for (const name of facts.calls) {
    if (name.startsWith(RESERVED_PREFIX)) fail(pointer, `${name}() is reserved`);
    if (!STANDARD_FUNCTIONS.has(name) && !extraNames.includes(name))
      fail(pointer, `${name}() is not in KrakenD's CEL environment (standard library only${extraNames.length ? `, plus ${extraNames.join(', ')}` : ''})`);
  }
  if (facts.comprehensionDepth > MAX_COMPREHENSION_DEPTH) {
    fail(
      pointer,
      `comprehensions (all, exists, exists_one, map, filter) nested ${facts.comprehensionDepth} deep: at most ${MAX_COMPREHENSION_DEPTH} (nesting makes the cost grow with a power of the input size)`,
    );
  }
  let program = parsed;
  if (facts.calls.has('matches') || extraNames.some((n) => facts.calls.has(n))) {
    const m = matchesRewriter(pointer);
    const rewritten = serializeAst(asNode(parsed.ast), (n, s) => m(n, s) ?? extra?.(n, s));
    program = parse(env, rewritten, pointer);
  }
  const checked = program.check();
  if (!checked.valid) fail(pointer, `expression does not type-check: ${firstLine(checked.error)}`);
  if (checked.type !== 'bool' && checked.type !== 'dyn') fail(pointer, `expression returns ${checked.type}, not bool`);
  // A rewrite may bring in a variable the text does not name (getCookie() reads req_headers):
  // the rewritten tree says what the activation must bind.
  const free = program === parsed ? facts.free : treeFacts(asNode(program.ast)).free;
  const uses = new Set([...free].filter(isCelVariable));
  return { source: text, pointer, phase: phaseOf(uses, pointer), uses, program };
}

/** The one phase the referenced variables belong to; `now` alone (or nothing) is a request
 * check, where KrakenD would never evaluate it (its substring filing finds no phase). */
function phaseOf(uses: ReadonlySet<string>, pointer: string): CelPhase {
  const phases = new Set<CelPhase>();
  for (const v of uses) {
    const p = CEL_VARIABLES[v].phase;
    if (p !== 'any') phases.add(p);
  }
  if (phases.size > 1) {
    const names = (['request', 'response', 'jwt'] as const).filter((p) => phases.has(p));
    fail(
      pointer,
      `expression mixes ${names.join(' and ')} variables (${[...uses].sort().join(', ')}): each expression must use one phase's variables, which are never bound together`,
    );
  }
  return phases.values().next().value ?? 'request';
}
