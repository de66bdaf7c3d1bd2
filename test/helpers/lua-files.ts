// Lua source files for end-to-end tests, in a fresh temp dir (absolute paths in the config).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function luaFiles(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-lua-'));
  const out: Record<string, string> = {};
  for (const [name, code] of Object.entries(files)) {
    out[name] = join(dir, name);
    writeFileSync(out[name], code);
  }
  return out;
}
