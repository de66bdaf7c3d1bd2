// The JWS algorithms Rampart accepts (RFC 7518 §3 + RFC 8037). Apart from algorithms.ts so the
// validator and signer schemas can list them without loading jose (components/types.ts, `load`).
export const JWS_ALGS = ['EdDSA', 'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'] as const;
export type JwsAlg = (typeof JWS_ALGS)[number];
