// `auth/signer` (spec §2): the named top-level objects of the endpoint's response are replaced by
// JWS tokens signed with a private JWK chosen by `kid` (header {alg, kid, typ}; payload = the
// object as Go's encoding/json writes it: sorted keys, compact — so tokens match KrakenD's byte
// for byte, conformance spec jwt_4). The key is loaded once at startup; any problem with it stops
// the gateway (KrakenD instead answers 401 to everything). Deviation: a field to sign that is
// present but not an object is an error (KrakenD passes it through unsigned).
//
// Like KrakenD's signer it answers the request itself (JSON, no Cache-Control, no completion
// header) and a proxy or signing error gives an empty 400. Unlike KrakenD, guards such as rate
// limits still run first (it is an `around`, not a replacement handler: spec §0).
import { CompactSign, FlattenedSign, type JWK } from 'jose';
import { stringifyGo } from '../../../encoding/json-go.js';
import type { ProxyResult } from '../../../pipeline/types.js';
import { sendPlain } from '../../../server/replies.js';
import type { BuildEnv, Stage } from '../../types.js';
import { importSignKey, unusableReason, type JwsAlg } from '../common/algorithms.js';
import { createJwksHttpClient, readJwksFile } from '../common/jwks-http.js';
import { checkJwkUrl, displayUrl, refuseEncryptedJwk } from '../validator/key-source.js';
import { discardBody } from '../../../proxy/read-body.js';

const ANSWERED: ProxyResult = Object.freeze({ data: undefined, complete: false, error: undefined, raw: undefined }) as ProxyResult;
const JSON_TYPE = 'application/json; charset=utf-8';
const encoder = new TextEncoder();

async function loadKeys(cfg: any, env: BuildEnv): Promise<JWK[]> {
  refuseEncryptedJwk(cfg);
  if (cfg.jwk_local_path !== undefined) return readJwksFile(cfg.jwk_local_path);
  if (cfg.jwk_url === undefined) throw new Error('one of "jwk_url" or "jwk_local_path" is required');
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
export async function build(cfg: any, env: BuildEnv): Promise<Stage> {
  const alg = cfg.alg as JwsAlg;
  if (env.endpoint?.outputEncoding === 'no-op') throw new Error('auth/signer cannot sign a no-op (streamed) response');
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
  const where = env.endpoint ? `${env.endpoint.method} ${env.endpoint.path}` : env.pointer;

  const sign = async (obj: object): Promise<string> => {
    const payload = encoder.encode(stringifyGo(obj));
    if (!full) return new CompactSign(payload).setProtectedHeader(header).sign(key);
    return stringifyGo(await new FlattenedSign(payload).setProtectedHeader(header).sign(key));
  };

  return {
    around: (next) => async (input) => {
      const r = await next(input);
      const res = input.ctx.res;
      const fail = (reason: string) => {
        log.debug({ endpoint: where, reason }, 'auth/signer: answering 400');
        sendPlain(res, 400, '', [], undefined);
        return ANSWERED;
      };
      if (r.raw) {
        discardBody(r.raw.body);
        return fail('streamed response cannot be signed');
      }
      if (r.error || !r.data) return fail('backend error');
      const data = r.data;
      try {
        for (const f of fields) {
          const v = data[f];
          if (v === undefined) continue;
          if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(`field ${f} is not an object`);
          data[f] = await sign(v);
        }
      } catch {
        return fail('signing failed');
      }
      if (!res.destroyed) sendPlain(res, 200, stringifyGo(data), [], JSON_TYPE);
      return ANSWERED;
    },
  };
}
