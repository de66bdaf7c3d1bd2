// `rampart surface -c FILE [--diff OLD] [--format text|json|html]`: the attack surface of a config
// and, with --diff, what changed since OLD (a config file, or a surface written with --format
// json). Output on stdout; exit 0, or 1 when a config is invalid (with its problems).
import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/config-error.js';
import { loadConfigFile } from '../components/load-config.js';
import { diffSurfaces } from './diff.js';
import { buildSurface, type Surface } from './model.js';
import { renderHtml, renderJson, renderText } from './render.js';

class SurfaceUsage extends Error {}

function load(file: string): Surface {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && (parsed as { rampart_surface?: number }).rampart_surface === 1) return parsed as Surface;
  return buildSurface(loadConfigFile(file).config);
}

export function surfaceCommand(argv: string[]): number {
  try {
    let config = process.env.RAMPART_CONFIG;
    let diff: string | undefined;
    let format = 'text';
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      const value = () => {
        const v = argv[++i];
        if (v === undefined) throw new SurfaceUsage(`${arg} needs a value`);
        return v;
      };
      if (arg === '-c' || arg === '--config') config = value();
      else if (arg === '--diff') diff = value();
      else if (arg === '-f' || arg === '--format') format = value();
      else throw new SurfaceUsage(`unknown option ${arg}`);
    }
    if (!config) throw new SurfaceUsage('no config: pass -c FILE or set RAMPART_CONFIG');
    if (!['text', 'json', 'html'].includes(format)) throw new SurfaceUsage(`--format must be text, json or html (got "${format}")`);
    const now = load(config);
    const changes = diff ? diffSurfaces(load(diff), now) : undefined;
    const render = format === 'json' ? renderJson : format === 'html' ? renderHtml : renderText;
    process.stdout.write(render(now, changes));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
    else process.stderr.write(`rampart surface: ${(err as Error).message}\n`);
    return 1;
  }
}
