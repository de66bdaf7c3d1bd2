// TLS protocol versions, cipher suites and key-exchange groups as KrakenD's config names them
// (Go constants / IANA ids), mapped to OpenSSL names for Node. Only AEAD suites with forward
// secrecy exist here: a config naming anything else (CBC, RSA key exchange, 3DES...) is refused
// at startup instead of silently weakening the listener (docs/reference/auth-and-tls.md §7.1).

export type NodeTlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** KrakenD version names. SSL3.0/TLS10/TLS11 are known but refused (obsolete, RFC 8996). */
export const VERSION_NAMES = ['SSL3.0', 'TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;
export const NODE_VERSION: Readonly<Record<string, NodeTlsVersion | undefined>> = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** TLS 1.3 suites (RFC 8446 §B.4): always AEAD + ephemeral key exchange. */
export const TLS13_SUITES: ReadonlyMap<number, string> = new Map([
  [4865, 'TLS_AES_128_GCM_SHA256'],
  [4866, 'TLS_AES_256_GCM_SHA384'],
  [4867, 'TLS_CHACHA20_POLY1305_SHA256'],
]);

/** TLS 1.2 ECDHE + AEAD suites (Go's names in comments), in KrakenD's default order. */
export const TLS12_SUITES: ReadonlyMap<number, string> = new Map([
  [49199, 'ECDHE-RSA-AES128-GCM-SHA256'], // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  [49195, 'ECDHE-ECDSA-AES128-GCM-SHA256'], // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  [49200, 'ECDHE-RSA-AES256-GCM-SHA384'], // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  [49196, 'ECDHE-ECDSA-AES256-GCM-SHA384'], // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  [52392, 'ECDHE-RSA-CHACHA20-POLY1305'], // TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
  [52393, 'ECDHE-ECDSA-CHACHA20-POLY1305'], // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
]);

/** Key-exchange groups: KrakenD's 23/24/25, plus X25519 (29) as a Rampart extension. */
export const CURVES: ReadonlyMap<number, string> = new Map([
  [23, 'P-256'],
  [24, 'P-384'],
  [25, 'P-521'],
  [29, 'X25519'],
]);

/** KrakenD's server default: P-521, P-384, P-256 (no X25519). Same set, cheapest first, since
 * OpenSSL honours the server's order when it has to pick (HelloRetryRequest). */
export const DEFAULT_SERVER_CURVES = 'P-256:P-384:P-521';

export interface CipherChoice {
  ciphers: string;
  problems: string[];
}

/** Node `ciphers` string (TLS 1.3 names are routed to SSL_CTX_set_ciphersuites by Node). */
export function cipherString(ids: readonly number[] | undefined): CipherChoice {
  const problems: string[] = [];
  if (!ids || ids.length === 0) return { ciphers: [...TLS13_SUITES.values(), ...TLS12_SUITES.values()].join(':'), problems };
  const v13: string[] = [];
  const v12: string[] = [];
  for (const id of ids) {
    const a = TLS13_SUITES.get(id);
    const b = TLS12_SUITES.get(id);
    if (a) v13.push(a);
    else if (b) v12.push(b);
    else problems.push(`cipher suite ${id} is not an AEAD suite with forward secrecy; allowed: ${[...TLS12_SUITES.keys(), ...TLS13_SUITES.keys()].join(', ')}`);
  }
  // TLS 1.3 suites are not configurable in KrakenD: a list naming only TLS 1.2 suites keeps all three.
  const tls13 = v13.length > 0 ? v13 : [...TLS13_SUITES.values()];
  return { ciphers: [...tls13, ...v12].join(':'), problems };
}

export function curveString(ids: readonly number[] | undefined, fallback: string | undefined): { curves: string | undefined; problems: string[] } {
  if (!ids || ids.length === 0) return { curves: fallback, problems: [] };
  const problems: string[] = [];
  const names: string[] = [];
  for (const id of ids) {
    const n = CURVES.get(id);
    if (n) names.push(n);
    else problems.push(`curve ${id} is not supported; allowed: 23 (P-256), 24 (P-384), 25 (P-521), 29 (X25519)`);
  }
  return { curves: names.join(':'), problems };
}
