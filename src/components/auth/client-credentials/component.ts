// `auth/client-credentials` (backend level, docs/reference/auth-and-tls.md §5): the gateway authenticates itself to the
// backend with an OAuth2 client-credentials token. A backend `around`: it sets
// `authorization: <Type> <token>` on the call, replacing any Authorization the client sent.
// When no token can be had the call fails with a generic 500 — the IdP's answer never reaches
// the client. Backends with identical credentials share one token (env.shared).
import type { ClientCredentialsConfig } from './schema.js';
import { createHash } from 'node:crypto';
import { DEADLINE, GatewayError } from '../../../core/gateway-error.js';
import { errorResult, type BackendResult } from '../../../core/backend-result.js';
import { upstreamConnectOptions } from '../../../tls/upstream-context.js';
import type { BuildEnv, Stage } from '../../types.js';
import { TokenSource } from './token-source.js';
import { buildWarning } from '../common/warn.js';
import type { CancelSignal } from '../../../core/call-signal.js';

function failed(): BackendResult {
  return errorResult(new GatewayError('backend.auth_failed', 'could not authenticate to the backend'));
}

/** The token request is shared by concurrent calls, so it is not aborted with one of them; each
 * caller stops waiting at its own deadline instead. */
function untilAborted<T>(p: Promise<T>, signal: CancelSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The runtime of `auth/client-credentials` (schema.ts loads it on first use). */
export function build(cfg: ClientCredentialsConfig, env: BuildEnv): Stage | null {
  if (cfg.is_disabled === true) return null;
  let url: URL;
  try {
    url = new URL(cfg.token_url);
  } catch {
    throw new Error(`token_url "${cfg.token_url}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('token_url must be an http(s) URL');
  const label = `${url.origin}${url.pathname}`;
  if (url.protocol === 'http:') buildWarning(env, 'INSECURE: auth/client-credentials sends the client secret over plain HTTP', { token_url: label });
  const inputHeaders = env.scope === 'backend' ? env.backend.inputHeaders : undefined;
  if (inputHeaders && inputHeaders.length > 0 && !inputHeaders.some((h) => h.toLowerCase() === 'authorization')) {
    throw new Error('the backend\'s input_headers would drop the Authorization header this sets: add "Authorization" to them');
  }
  // Form: grant_type, scope (comma-separated in config, space-separated on the wire — docs/reference/auth-and-tls.md §5),
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
  const key =
    'client-credentials|' +
    createHash('sha256')
      .update(JSON.stringify([url.href, cfg.client_id, cfg.client_secret, form]))
      .digest('hex');
  const source = env.shared.get(key, () => {
    const tls = upstreamConnectOptions(env.service.client.tls, env.service.client.allowInsecure);
    const s = new TokenSource({ url: url.href, label, clientId: cfg.client_id, clientSecret: cfg.client_secret, form, tls, log: env.log });
    env.shared.onClose(() => s.close());
    return s;
  });

  return {
    around: (next) => async (input) => {
      let auth = source.current();
      if (auth === undefined) {
        try {
          auth = await untilAborted(source.get(), input.signal);
        } catch {
          // The endpoint's deadline passed while the (shared) token request was still running.
          if (input.signal.aborted) return errorResult(new GatewayError('backend.deadline', DEADLINE));
          return failed();
        }
      }
      const headers: string[] = [];
      const h = input.headers;
      for (let i = 0; i < h.length; i += 2) if (h[i].toLowerCase() !== 'authorization') headers.push(h[i], h[i + 1]);
      headers.push('authorization', auth);
      return next({ ...input, headers });
    },
  };
}
