// The HTTP client that downloads JWK sets (auth/validator, auth/signer): TLS 1.2+, the system
// roots plus an optional private CA (`jwk_local_ca`), optional public-key pinning
// (`jwk_fingerprints`) and cipher suites (`cipher_suites`, IANA ids as in KrakenD). Redirects are
// not followed, the answer must be 200 with a JSON content type, and it is size- and
// time-bounded: a JWKS host cannot stall or flood the gateway.
import { createHash, X509Certificate } from 'node:crypto';
import { assertMayFetch, readFileSync } from '../../../core/config-files.js';
import { checkServerIdentity, rootCertificates, type PeerCertificate } from 'node:tls';
import { Agent, request } from 'undici';
import type { JWK } from 'jose';

const FETCH_TIMEOUT_MS = 10_000;
const MAX_JWKS_BYTES = 1 << 20;

/** IANA TLS cipher suite ids (KrakenD's `cipher_suites`) → OpenSSL names. Only AEAD suites with
 * forward secrecy are known; any other id is refused at startup rather than ignored. */
const CIPHERS: Record<number, string> = {
  49195: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  49196: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  49199: 'ECDHE-RSA-AES128-GCM-SHA256',
  49200: 'ECDHE-RSA-AES256-GCM-SHA384',
  52392: 'ECDHE-RSA-CHACHA20-POLY1305',
  52393: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  4865: 'TLS_AES_128_GCM_SHA256',
  4866: 'TLS_AES_256_GCM_SHA384',
  4867: 'TLS_CHACHA20_POLY1305_SHA256',
};

export interface JwksHttpOptions {
  /** Path of an extra PEM CA bundle (added to the system roots). */
  caFile?: string;
  /** base64 (URL alphabet, padded or not) SHA-256 of the DER SubjectPublicKeyInfo. */
  fingerprints?: string[];
  cipherSuites?: number[];
}

export interface JwksHttpClient {
  fetch(url: string): Promise<JWK[]>;
  close(): Promise<void>;
}

function normB64(s: string): string {
  return s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Throws (a startup error) when an option is unusable. */
export function createJwksHttpClient(opts: JwksHttpOptions): JwksHttpClient {
  const connect: Record<string, unknown> = { minVersion: 'TLSv1.2', timeout: FETCH_TIMEOUT_MS, rejectUnauthorized: true };
  if (opts.caFile) {
    let pem: string;
    try {
      pem = readFileSync(opts.caFile, 'utf8');
    } catch (err) {
      throw new Error(`jwk_local_ca: cannot read ${opts.caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`jwk_local_ca: ${opts.caFile} holds no PEM certificate`);
    connect.ca = [...rootCertificates, pem];
  }
  if (opts.cipherSuites && opts.cipherSuites.length > 0) {
    const names = opts.cipherSuites.map((id) => {
      const n = CIPHERS[id];
      if (!n) throw new Error(`cipher_suites: suite ${id} is not supported (use ECDHE AEAD suites: ${Object.keys(CIPHERS).join(', ')})`);
      return n;
    });
    connect.ciphers = names.join(':');
  }
  if (opts.fingerprints && opts.fingerprints.length > 0) {
    const pins = new Set(
      opts.fingerprints.map((f) => {
        if (!/^[A-Za-z0-9_\-+/]{43}=?$/.test(f)) throw new Error(`jwk_fingerprints: "${f}" is not a base64 SHA-256 digest`);
        return normB64(f);
      }),
    );
    // Pinning on top of normal verification: some certificate of the presented chain must carry a
    // pinned public key (RFC 7469 style SPKI pins).
    connect.checkServerIdentity = (host: string, cert: PeerCertificate) => {
      const err = checkServerIdentity(host, cert);
      if (err) return err;
      const seen = new Set<PeerCertificate>();
      for (let c: PeerCertificate | undefined = cert; c && !seen.has(c); c = (c as { issuerCertificate?: PeerCertificate }).issuerCertificate) {
        seen.add(c);
        // `pubkey` is not always the SubjectPublicKeyInfo (for EC it is the bare point): derive it.
        const spki = c.raw ? new X509Certificate(c.raw).publicKey.export({ type: 'spki', format: 'der' }) : undefined;
        if (spki && pins.has(normB64(createHash('sha256').update(spki).digest('base64')))) return undefined;
      }
      return new Error('JWKS host public key does not match jwk_fingerprints');
    };
  }
  const agent = new Agent({ connect, headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS, connections: 2 });

  return {
    async fetch(url) {
      assertMayFetch(); // check --lint downloads nothing
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'application/jwk-set+json, application/json' },
        dispatcher: agent,
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`JWKS answered ${res.statusCode}`);
      }
      const ctype = String(res.headers['content-type'] ?? '');
      if (!/^application\/(jwk-set\+)?json/i.test(ctype)) {
        await res.body.dump();
        throw new Error('JWKS answered with a non-JSON content type');
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > MAX_JWKS_BYTES) {
          res.body.destroy();
          throw new Error('JWKS document too large');
        }
        chunks.push(c as Buffer);
      }
      return parseJwks(Buffer.concat(chunks).toString('utf8'));
    },
    close: () => agent.destroy(),
  };
}

/** Parses an RFC 7517 §5 key set; a set without keys is an error (as in KrakenD). */
export function parseJwks(text: string): JWK[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('JWKS is not valid JSON');
  }
  const keys = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('JWKS has no keys');
  return keys.filter((k): k is JWK => k !== null && typeof k === 'object' && !Array.isArray(k) && typeof (k as JWK).kty === 'string');
}

/** Reads a JWKS file once at startup. */
export function readJwksFile(path: string): JWK[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`jwk_local_path: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parseJwks(text);
  } catch (err) {
    throw new Error(`jwk_local_path: ${(err as Error).message}`);
  }
}
