// A depth cap on config documents. The validators, the normaliser and the components walk values
// recursively (JSON.stringify, schema checks, freezing static data), and a value nested some
// thousands of levels deep overflowed the call stack: `rampart check` answered "Maximum call
// stack size exceeded" instead of a pointer (issue #14). No real config needs deep values, so the
// document is refused past MAX_CONFIG_DEPTH before anything recursive sees it. The walk here is
// iterative.
import { pointerJoin, type Problems } from '../core/config-error.js';

/** Most levels of objects and arrays a config may nest (the root object is level 1). Documented
 * in README "Defaults"; the same bound as MAX_XML_DEPTH for backend XML. */
export const MAX_CONFIG_DEPTH = 100;

/** At most this many over-deep places are listed (a generated config may have thousands). */
const MAX_REPORTED = 10;

/** Adds a problem at each value (up to MAX_REPORTED) that opens level MAX_CONFIG_DEPTH + 1;
 * returns true when the document is within the cap. */
export function checkDepth(doc: unknown, problems: Problems): boolean {
  let reported = 0;
  const stack: [unknown, string, number][] = [[doc, '', 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [value, pointer, depth] = top;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_CONFIG_DEPTH) {
      problems.add(pointer, `nested deeper than ${MAX_CONFIG_DEPTH} levels of objects and arrays (the most a config may nest)`);
      if (++reported >= MAX_REPORTED) return false;
      continue;
    }
    // Pushed in reverse so that places are reported in document order.
    if (Array.isArray(value)) {
      for (let k = value.length - 1; k >= 0; k--)
        if (value[k] !== null && typeof value[k] === 'object') stack.push([value[k], pointerJoin(pointer, k), depth + 1]);
    } else {
      const keys = Object.keys(value);
      for (let k = keys.length - 1; k >= 0; k--) {
        const v = (value as Record<string, unknown>)[keys[k]];
        if (v !== null && typeof v === 'object') stack.push([v, pointerJoin(pointer, keys[k]), depth + 1]);
      }
    }
  }
  return reported === 0;
}
