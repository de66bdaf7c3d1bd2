// `server/static-filesystem` runtime: requests under `prefix` (and under none of `skip`) are
// answered from the folder `path` (relative to the config file) instead of being routed, as
// KrakenD EE's static server does. The prefix is removed: /media/a.css with prefix /media is
// <path>/a.css. A service guard after the service-level checks (hosts, IP filter, bot detector,
// CORS, service rate limits), so those apply to files too; its answers go through the response
// phase (security headers). GET and HEAD only (405 otherwise); anything not servable is 404
// (traversal attempts included: nothing says why). See static-fs/ for the path rules.
import type { Rejection, RequestContext } from '../../../core/request.js';
import { lookup, compileRoot, WHOLE_FILE } from '../serve-file.js';
import type { BuildEnv, Stage } from '../../types.js';
import type { ServerStaticConfig } from './schema.js';

const NOT_FOUND: Rejection = Object.freeze({ status: 404, body: '' });
const NOT_ALLOWED: Rejection = Object.freeze({ status: 405, body: '', headers: Object.freeze(['allow', 'GET, HEAD']) });

export function build(cfg: ServerStaticConfig, env: BuildEnv): Stage {
  if (env.scope !== 'service') throw new Error(`only allowed at service level, not at ${env.scope} level`);
  const root = compileRoot(cfg.path, env.service.file, cfg.directory_listing === true);
  const bare = cfg.prefix.endsWith('/') ? cfg.prefix.slice(0, -1) : cfg.prefix;
  const base = `${bare}/`;
  const skip = cfg.skip ?? [];

  async function serve(ctx: RequestContext): Promise<Rejection | undefined> {
    const path = ctx.path;
    if (path !== bare && !path.startsWith(base)) return undefined;
    for (const s of skip) if (path.startsWith(s)) return undefined;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return NOT_ALLOWED;
    const found = path === bare ? ({ kind: 'directory' } as const) : await lookup(root, path.slice(bare.length), WHOLE_FILE, true);
    if (found === undefined) return NOT_FOUND;
    if (found.kind === 'directory') {
      // The path passed the checks (no empty segment), so this Location stays on this origin.
      return { status: 301, body: '', headers: ['location', `${path}/${ctx.rawQuery ? `?${ctx.rawQuery}` : ''}`] };
    }
    if (ctx.method === 'HEAD' && !Buffer.isBuffer(found.body)) {
      found.body.destroy();
      return { status: 200, body: '', headers: found.headers };
    }
    return { status: 200, body: found.body, headers: found.headers };
  }
  return { onRequest: serve };
}
