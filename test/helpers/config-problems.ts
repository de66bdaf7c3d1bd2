// The problems `rampart run` would stop at for a config text (an empty list when it loads), for
// unit tests of config validation.
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/components/load-config.js';
import { ConfigError } from '../../src/core/config-error.js';

export function problemsOf(text: string): { pointer: string; message: string }[] {
  try {
    loadConfigText('c.json', text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  return [];
}
