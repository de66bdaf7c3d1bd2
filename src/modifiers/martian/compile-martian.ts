// Startup entry for `modifier/martian`: one `{"package.Type": {...}}` object, compiled into a
// tree of closures (Go's parse.FromJSON). Nothing is looked up or compiled per request.

import { asObject, fail, ptr } from './compile-fields.js';
import { MartianConfigError, type CompiledModifier, type ModifierFactory } from './types.js';
import { HEADER_MODIFIERS } from './compile-header.js';
import { URL_MODIFIERS } from './compile-url.js';
import { BODY_MODIFIERS } from './compile-body.js';
import { GROUP_MODIFIERS } from './compile-groups.js';

/**
 * Every name KrakenD CE 2.13 registers (google/martian 25dcb96 packages body, cookie, fifo,
 * header, martianurl, port, priority, querystring, stash, status, plus krakend-martian's
 * header.Id), and martian's skip.RoundTrip and v3 method.Filter, which CE does not link.
 */
const REGISTRY: ReadonlyMap<string, ModifierFactory> = new Map<string, ModifierFactory>([
  ...HEADER_MODIFIERS,
  ...URL_MODIFIERS,
  ...BODY_MODIFIERS,
  ...GROUP_MODIFIERS,
]);

const REFUSED: Readonly<Record<string, string>> = {
  'static.Modifier': "static.Modifier serves files from the gateway host's disk; Rampart does not read local files from a backend definition",
};

export const MARTIAN_NAMES: readonly string[] = [...REGISTRY.keys()].sort();

/** Bounds startup work on hostile configs: depth and total nodes. */
const MAX_DEPTH = 32;
const MAX_NODES = 5000;

/**
 * Compiles a `modifier/martian` value. Throws MartianConfigError (message `pointer: reason`,
 * pointer = `base` + the path inside the value) on an unknown name or a malformed modifier.
 */
export function compileMartian(value: unknown, base = ''): CompiledModifier {
  let nodes = 0;
  const compileNode = (v: unknown, at: string, depth: number): CompiledModifier => {
    if (depth > MAX_DEPTH) fail(at, `modifiers nested deeper than ${MAX_DEPTH} levels`);
    if (++nodes > MAX_NODES) fail(at, `more than ${MAX_NODES} modifiers in one backend`);
    const o = asObject(v, at, 'a martian modifier');
    const keys = Object.keys(o);
    if (keys.length !== 1) {
      fail(at, `expected exactly one modifier ("package.Type": {...}), got ${keys.length}${keys.length ? ': ' + keys.join(', ') : ''}`);
    }
    const name = keys[0];
    const here = ptr(at, name);
    const refused = REFUSED[name];
    if (refused) fail(here, refused);
    const factory = REGISTRY.get(name);
    if (!factory) {
      const near = MARTIAN_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
      fail(here, `unknown martian modifier "${name}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
    const cfg = asObject(o[name], here, name);
    return factory(cfg, here, name, (child, childAt) => compileNode(child, childAt, depth + 1));
  };
  try {
    return compileNode(value, base, 0);
  } catch (err) {
    if (err instanceof MartianConfigError) throw err;
    // Anything else is a bug in a factory; still a startup error, never a stack trace.
    throw new MartianConfigError(base, `cannot compile modifier/martian: ${(err as Error)?.message ?? String(err)}`);
  }
}
