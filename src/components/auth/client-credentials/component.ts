// `auth/client-credentials` (backend level, spec §5): the gateway authenticates itself to the
// backend with an OAuth2 client-credentials token. A backend `around`: it sets
// `authorization: <Type> <token>` on the call, replacing any Authorization the client sent.
// When no token can be had the call fails with a generic 500 — the IdP's answer never reaches
// the client. Backends with identical credentials share one token (env.shared).
import { createHash } from 'node:crypto';
import { GatewayError } from '../../../errors/gateway-error.js';
import type { ProxyResult } from '../../../pipeline/types.js';
import type { BuildEnv, ComponentSpec, Stage } from '../../types.js';
import { clientCredentialsSchema } from './schema.js';
import { TokenSource } from './token-source.js';

function failed(): ProxyResult {
  return { data: undefined, complete: false, error: new GatewayError('could not authenticate to the backend', 500), raw: undefined };
}

function build(cfg: any, env: BuildEnv): Stage | null {
  if (cfg.is_disabled === true) return null;
  let url: URL;
  try {
    url = new URL(cfg.token_url);
  } catch {
    throw new Error(`token_url "${cfg.token_url}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('token_url must be an http(s) URL');
  const label = `${url.origin}${url.pathname}`;
  if (url.protocol === 'http:') env.log.warn({ token_url: label }, 'INSECURE: auth/client-credentials sends the client secret over plain HTTP');
  const inputHeaders = env.backend?.inputHeaders;
  if (inputHeaders && inputHeaders.length > 0 && !inputHeaders.some((h) => h.toLowerCase() === 'authorization')) {
    throw new Error('the backend\'s input_headers would drop the Authorization header this sets: add "Authorization" to them');
  }
  // Form: grant_type, scope (comma-separated in config, space-separated on the wire — spec §5),
  // then endpoint_params, which may override grant_type but not scope.
  const form: [string, string][] = [];
  let grantType = 'client_credentials';
  const params = (cfg.endpoint_params ?? {}) as Record<string, string[]>;
  for (const [k, vs] of Object.entries(params)) {
    if (k === 'scope') throw new Error('endpoint_params cannot set "scope": use "scopes"');
    if (k === 'client_id' || k === 'client_secret') continue;
    if (k === 'grant_type') {
      if (vs.length > 0) grantType = vs[0];
      continue;
    }
    for (const v of vs) form.push([k, v]);
  }
  form.unshift(['grant_type', grantType], ['scope', cfg.scopes ? (cfg.scopes as string).split(',').join(' ') : '']);
  const key = 'client-credentials|' + createHash('sha256').update(JSON.stringify([url.href, cfg.client_id, cfg.client_secret, form])).digest('hex');
  const source = env.shared.get(key, () => {
    const s = new TokenSource({ url: url.href, label, clientId: cfg.client_id, clientSecret: cfg.client_secret, form, rejectUnauthorized: !env.service.client.allowInsecure, log: env.log });
    env.shared.onClose(() => s.close());
    return s;
  });

  return {
    around: (next) => async (input) => {
      let auth = source.current();
      if (auth === undefined) {
        try {
          auth = await source.get();
        } catch {
          return failed();
        }
        if (input.signal.aborted) return failed();
      }
      const headers: string[] = [];
      const h = input.headers;
      for (let i = 0; i < h.length; i += 2) if (h[i].toLowerCase() !== 'authorization') headers.push(h[i], h[i + 1]);
      headers.push('authorization', auth);
      return next({ ...input, headers });
    },
  };
}

export const clientCredentialsComponent: ComponentSpec = {
  namespace: 'auth/client-credentials',
  schemas: { backend: clientCredentialsSchema },
  build,
};
