// Backend `encoding: "yaml"` (KrakenD EE): a YAML document decoded into the data map. Bounded:
// the yaml package's alias limit stops "billion laughs" documents, flow nesting ([ and {) is
// limited before parsing (the parser recurses: a deep document would exhaust the stack, found
// by the encoding fuzzer), only the core schema's types are read (no custom tags), and the top
// level must be a mapping, as KrakenD decodes into a map.
import { parse } from 'yaml';

export const MAX_YAML_DEPTH = 100;

/** Rough, linear bound on flow-collection nesting (quotes and comments are not parsed out:
 * a false positive can only refuse a document, never let a deep one through). */
function flowDepthOk(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_YAML_DEPTH) return false;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return true;
}

export function decodeYaml(text: string): Record<string, unknown> {
  if (!flowDepthOk(text)) throw new Error(`yaml: nested deeper than ${MAX_YAML_DEPTH} levels`);
  let v: unknown;
  try {
    v = parse(text, { maxAliasCount: 100, schema: 'core', uniqueKeys: true, prettyErrors: false });
  } catch (err) {
    if (err instanceof RangeError) throw new Error('yaml: nested too deep');
    throw err;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('yaml: the backend did not return a YAML mapping');
  return v as Record<string, unknown>;
}
