// `rampart check` on a config object: exit code and combined output.
import { spawnSync } from 'node:child_process';
import { BIN, writeConfig } from '../../helpers/gateway.js';

export function check(config: object): { code: number | null; out: string } {
  const file = writeConfig(config);
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Resolves once the gateway's output matches (bounded wait). */
export async function waitForOutput(output: () => string, re: RegExp, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!re.test(output())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${re}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
