// Backend `encoding: "yaml"` (KrakenD EE): a YAML document decoded into the data map. Bounded:
// the yaml package's alias limit stops "billion laughs" documents, only the core schema's types
// are read (no custom tags), and the top level must be a mapping, as KrakenD decodes into a map.
import { parse } from 'yaml';

export function decodeYaml(text: string): Record<string, unknown> {
  const v: unknown = parse(text, { maxAliasCount: 100, schema: 'core', uniqueKeys: true, prettyErrors: false });
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('yaml: the backend did not return a YAML mapping');
  return v as Record<string, unknown>;
}
