// `auth/signer` (docs/reference/auth-and-tls.md §2): the named top-level objects of the endpoint's response are replaced by
// JWS tokens signed with a private JWK chosen by `kid` (header {alg, kid, typ}; payload = the
// object as Go's encoding/json writes it: sorted keys, compact — so tokens match KrakenD's byte
// for byte, conformance spec jwt_4). The key is loaded once at startup; any problem with it stops
// the gateway (KrakenD instead answers 401 to everything). Deviation: a field to sign that is
// present but not an object is an error (KrakenD passes it through unsigned).
//
// Like KrakenD's signer its answer is JSON with no Cache-Control and no completion header, and a
// proxy or signing error gives an empty 400. It is an endpoint response hook: it rewrites the
// proxied answer (origin 'proxy' or 'error'); rejections by guards (rate limits run first, as
// docs/reference/auth-and-tls.md §0 wants) and the gateway's own answers pass untouched.
import type { SignerConfig } from './schema.js';
import { CompactSign, FlattenedSign, type JWK } from 'jose';
import { stringifyGo } from '../../../encoding/json-go.js';
import type { Answer } from '../../../core/answer.js';
import type { BuildEnv, Stage } from '../../types.js';
import { importSignKey, unusableReason, type JwsAlg } from '../common/algorithms.js';
import { createJwksHttpClient, readJwksFile } from '../common/jwks-http.js';
import { checkJwkUrl, displayUrl, refuseEncryptedJwk } from '../validator/key-source.js';
import { discardBody } from '../../../proxy/read-body.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const encoder = new TextEncoder();

async function loadKeys(cfg: SignerConfig, env: BuildEnv): Promise<JWK[]> {
  refuseEncryptedJwk(cfg);
  if (cfg.jwk_local_path !== undefined) return readJwksFile(cfg.jwk_local_path);
  if (cfg.jwk_url === undefined)
    throw new Error('one of "jwk_url" or "jwk_local_path" is required: the signer has no key to sign with; name the JWK set that holds it');
  const url = checkJwkUrl(cfg, env, 'auth/signer');
  const http = createJwksHttpClient({ caFile: cfg.jwk_local_ca, fingerprints: cfg.jwk_fingerprints, cipherSuites: cfg.cipher_suites });
  try {
    return await http.fetch(url.href);
  } catch (err) {
    throw new Error(`cannot load the signing key from ${displayUrl(url)}: ${(err as Error).message}`);
  } finally {
    await http.close();
  }
}

/** The runtime of `auth/signer` (schema.ts loads it on first use). */
export async function build(cfg: SignerConfig, env: BuildEnv): Promise<Stage> {
  const alg = cfg.alg as JwsAlg;
  if (env.scope !== 'service' && env.endpoint.outputEncoding === 'no-op') throw new Error('auth/signer cannot sign a no-op (streamed) response');
  const jwk = (await loadKeys(cfg, env)).find((k) => k.kid === cfg.kid);
  if (!jwk) throw new Error(`the JWK set has no key with kid "${cfg.kid}"`);
  const why = unusableReason(jwk, alg, 'sign');
  if (why) throw new Error(`key "${cfg.kid}" cannot sign: ${why}`);
  const key = await importSignKey(jwk, alg).catch((err: Error) => {
    throw new Error(`key "${cfg.kid}" cannot be imported for ${alg}: ${err.message}`);
  });
  const header = { alg, kid: cfg.kid as string, typ: (cfg.typ as string | undefined) ?? 'JWT' };
  const fields: string[] = cfg.keys_to_sign;
  const full = cfg.full === true;
  const log = env.log;
  const where = env.scope === 'service' ? env.pointer : `${env.endpoint.method} ${env.endpoint.path}`;

  const sign = async (obj: object): Promise<string> => {
    const payload = encoder.encode(stringifyGo(obj));
    if (!full) return new CompactSign(payload).setProtectedHeader(header).sign(key);
    return stringifyGo(await new FlattenedSign(payload).setProtectedHeader(header).sign(key));
  };

  const signerRefusal = (a: Answer, reason: string): Answer => {
    log.debug({ endpoint: where, reason }, 'auth/signer: answering 400');
    if (typeof a.body !== 'string' && !Buffer.isBuffer(a.body)) discardBody(a.body);
    return { status: 400, headers: [], data: undefined, body: '', origin: a.origin, failure: a.failure, close: false };
  };

  return {
    async onResponse(_ctx, a) {
      if (a.origin !== 'proxy' && a.origin !== 'error') return undefined;
      if (a.data === undefined) return signerRefusal(a, a.origin === 'error' ? 'backend error' : 'streamed response cannot be signed');
      if (a.failure) return signerRefusal(a, 'backend error');
      const data = a.data;
      try {
        for (const f of fields) {
          const v = data[f];
          if (v === undefined) continue;
          if (v === null || typeof v !== 'object' || Array.isArray(v)) return signerRefusal(a, `field ${f} is not an object`);
          data[f] = await sign(v);
        }
      } catch {
        return signerRefusal(a, 'signing failed');
      }
      return {
        status: 200,
        headers: ['content-type', JSON_TYPE],
        data: undefined,
        body: stringifyGo(data),
        origin: a.origin,
        failure: undefined,
        close: false,
      };
    },
  };
}
