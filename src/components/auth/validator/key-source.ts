// Where a validator's keys come from: a local JWKS file (read once at startup) or a JWK set URL
// (https only, unless disable_jwk_security — which is logged as insecure at startup). One cache
// per URL and TLS settings is shared by every endpoint (env.shared).
import type { BuildEnv } from '../../types.js';
import { createJwksHttpClient, readJwksFile } from '../common/jwks-http.js';
import { JwksCache } from './jwks-cache.js';
import { buildWarning } from '../common/warn.js';

export interface JwkSourceConfig {
  jwk_url?: string;
  jwk_local_path?: string;
  secret_url?: string;
  cypher_key?: string;
  jwk_local_ca?: string;
  disable_jwk_security?: boolean;
  jwk_fingerprints?: string[];
  cipher_suites?: number[];
  cache?: boolean;
}

/** Checks the URL rules shared by validator and signer; returns the parsed URL. */
export function checkJwkUrl(cfg: JwkSourceConfig, env: BuildEnv, ns: string): URL {
  let url: URL;
  if (cfg.jwk_url === undefined) throw new Error('jwk_url is required');
  try {
    url = new URL(cfg.jwk_url);
  } catch {
    throw new Error(`jwk_url "${cfg.jwk_url}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`jwk_url must be an https:// URL`);
  if (url.protocol === 'http:' && cfg.disable_jwk_security !== true) {
    throw new Error('jwk_url must use https:// (plain HTTP lets anyone on the path replace the keys; set disable_jwk_security only for tests)');
  }
  if (cfg.disable_jwk_security === true) {
    buildWarning(env, `INSECURE: ${ns} has disable_jwk_security set, so its JWK set may be downloaded over plain HTTP`);
  }
  return url;
}

/** A log-safe name for a URL (no credentials, no query). */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export function refuseEncryptedJwk(cfg: JwkSourceConfig): void {
  if (cfg.secret_url !== undefined || cfg.cypher_key !== undefined) {
    throw new Error('encrypted JWK files (secret_url, cypher_key) are not supported by Rampart; use a plain JWKS file with restrictive permissions');
  }
}

export function resolveKeySource(cfg: JwkSourceConfig, env: BuildEnv, ns: string): JwksCache {
  refuseEncryptedJwk(cfg);
  if (cfg.jwk_local_path !== undefined) {
    if (cfg.cache === true) throw new Error('"cache" cannot be combined with "jwk_local_path" (the file is read once)');
    const keys = readJwksFile(cfg.jwk_local_path);
    return new JwksCache(cfg.jwk_local_path, undefined, env.log, keys);
  }
  if (cfg.jwk_url === undefined)
    throw new Error(
      'one of "jwk_url" or "jwk_local_path" is required: without a key set KrakenD starts and answers every request here with 401; name the JWK set the tokens are signed with',
    );
  const url = checkJwkUrl(cfg, env, ns);
  const key = ['jwks', url.href, cfg.jwk_local_ca ?? '', (cfg.jwk_fingerprints ?? []).join(','), (cfg.cipher_suites ?? []).join(',')].join('|');
  return env.shared.get(key, () => {
    const http = createJwksHttpClient({ caFile: cfg.jwk_local_ca, fingerprints: cfg.jwk_fingerprints, cipherSuites: cfg.cipher_suites });
    env.shared.onClose(() => http.close());
    const cache = new JwksCache(url.href, http, env.log, [], displayUrl(url));
    if (!env.dryRun) cache.warm(); // check fetches nothing
    return cache;
  });
}
