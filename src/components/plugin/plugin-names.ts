// Checks shared by the plugin namespaces: only implemented plugins, and settings only for the
// plugins listed in `name` (KrakenD would not load the others: a silent no-op filter is worse
// than an error).
export function checkPluginNames(names: readonly string[], settings: Record<string, unknown>, implemented: readonly string[]): void {
  for (const n of names)
    if (!implemented.includes(n))
      throw new Error(
        `plugin "${n}" is not available in Rampart: it is a Go plugin (KrakenD loads it from a .so file, or it ships with KrakenD Enterprise), and Rampart runs no Go code; port it to a Rampart component or put the logic in modifier/lua-* (built in here: ${implemented.join(', ')})`,
      );
  for (const k of implemented)
    if (settings[k] !== undefined && !names.includes(k)) throw new Error(`"${k}" settings are declared but "${k}" is not listed in "name"`);
  for (const n of names) if (settings[n] === undefined) throw new Error(`plugin "${n}" is listed in "name" but has no "${n}" settings`);
}
