// `rampart openapi -c FILE [-o OUT] [-a AUDIENCE]`: the OpenAPI 3.1 document of a config's
// declared endpoints (document.ts), as JSON on stdout or in OUT. Exit 0; 1 when the config is
// invalid (its problems printed, as `check` prints them) or on a usage error.
import { writeFileSync } from 'node:fs';
import { ConfigError } from '../core/config-error.js';
import { loadConfigFile } from '../components/load-config.js';
import { buildOpenapi } from './document.js';

class OpenapiUsage extends Error {}

export function openapiCommand(argv: string[]): number {
  try {
    let config = process.env.RAMPART_CONFIG;
    let out: string | undefined;
    let audience: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      const value = () => {
        const v = argv[++i];
        if (v === undefined) throw new OpenapiUsage(`${arg} needs a value`);
        return v;
      };
      if (arg === '-c' || arg === '--config') config = value();
      else if (arg === '-o' || arg === '--out') out = value();
      else if (arg === '-a' || arg === '--audience') audience = value();
      else throw new OpenapiUsage(`unknown option ${arg}`);
    }
    if (!config) throw new OpenapiUsage('no config: pass -c FILE or set RAMPART_CONFIG');
    const text = JSON.stringify(buildOpenapi(loadConfigFile(config).config, { audience }), null, 2) + '\n';
    if (out) writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
    else process.stderr.write(`rampart openapi: ${(err as Error).message}\n`);
    return 1;
  }
}
