// Loads a config against the namespaces of the component registry. The config layer validates
// against whatever catalog it is given (it sits below components and never imports them); this
// is where the two meet, for the CLI, the server and the tools above.
import { loadConfigFile as loadFile, loadConfigText as loadText, type LoadedConfig } from '../config/load.js';
import { schemaTable as table, type NamespaceCatalog } from '../config/validate.js';
import { COMPONENTS, COMPONENTS_BY_NAMESPACE } from './registry.js';

export type { LoadedConfig };

export const COMPONENT_CATALOG: NamespaceCatalog = Object.freeze({ list: COMPONENTS, byNamespace: COMPONENTS_BY_NAMESPACE });

export function loadConfigFile(file: string): LoadedConfig {
  return loadFile(file, COMPONENT_CATALOG);
}

export function loadConfigText(file: string, text: string): LoadedConfig {
  return loadText(file, text, COMPONENT_CATALOG);
}

/** Every schema a config is validated with (scripts/build-validators.ts precompiles them). */
export function schemaTable(): [string, object][] {
  return table(COMPONENT_CATALOG);
}
