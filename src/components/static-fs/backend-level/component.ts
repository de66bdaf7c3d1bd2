// `backend/static-filesystem` runtime: the backend answers from a folder instead of the network
// (mocks, fixed documents), as KrakenD EE does. The file is the backend's URL path (url_pattern
// with its placeholders filled, query removed) under `path` (relative to the config file).
// Nothing is sent: the request hook answers, and the response hooks and the decoding (the
// backend's `encoding`) run on the file as on any answer. A file that is missing, refused
// (static-fs/ path rules, symlinks out of the folder) or larger than the backend reads whole
// (32 MiB; no-op backends stream above 64 KiB) is a 404 answer.
import type { UpstreamResponse } from '../../../core/backend-result.js';
import { compileRoot, lookup } from '../serve-file.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import type { BackendStaticConfig } from './schema.js';

export function build(cfg: BackendStaticConfig, env: BuildEnv): Stage {
  const { service } = backendEnv(env);
  const root = compileRoot(cfg.path, service.file, cfg.directory_listing === true);
  return {
    async onUpstreamRequest(up): Promise<UpstreamResponse> {
      const qi = up.path.indexOf('?');
      const rel = qi < 0 ? up.path : up.path.slice(0, qi);
      const url = `static-filesystem:${rel}`;
      const found = await lookup(root, rel, up.limit, up.streamLarge);
      if (found === undefined || found.kind === 'directory') return { status: 404, headers: [], body: Buffer.alloc(0), url };
      return { status: 200, headers: found.headers, body: found.body, url };
    },
  };
}
