// Registered-claim checks of a verified token (RFC 7519 §4.1), compiled once from config. Rampart
// requires `exp` (KrakenD accepts tokens that never expire — docs/reference/auth-and-tls.md §1.5 — a documented deviation),
// and refuses registered claims of the wrong JSON type even when not configured (as go-jose does,
// krakend-jose#109). Returns a short reason for the debug log, or undefined when all pass.

export interface ClaimRules {
  issuer?: string;
  /** Every listed audience must be present (KrakenD: all-of, not any-of). */
  audience?: string[];
  leewayS: number;
}

const STRING_CLAIMS = ['iss', 'sub', 'jti'] as const;
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

export type ClaimChecker = (claims: Record<string, unknown>, nowS: number) => string | undefined;

export function compileClaimChecks(rules: ClaimRules): ClaimChecker {
  const { issuer, leewayS } = rules;
  const audience = rules.audience && rules.audience.length > 0 ? rules.audience : undefined;
  return (c, now) => {
    for (const k of STRING_CLAIMS) if (c[k] !== undefined && typeof c[k] !== 'string') return `claim ${k} has the wrong type`;
    for (const k of TIME_CLAIMS) if (c[k] !== undefined && !(typeof c[k] === 'number' && Number.isFinite(c[k]))) return `claim ${k} has the wrong type`;
    const aud = c.aud;
    if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) return 'claim aud has the wrong type';
    if (typeof c.exp !== 'number') return 'token has no exp';
    if (now - leewayS > c.exp) return 'token expired';
    if (typeof c.nbf === 'number' && c.nbf > now + leewayS) return 'token not valid yet (nbf)';
    if (typeof c.iat === 'number' && c.iat > now + leewayS) return 'token issued in the future (iat)';
    if (issuer !== undefined && c.iss !== issuer) return 'issuer mismatch';
    if (audience) {
      const have = typeof aud === 'string' ? [aud] : ((aud as string[] | undefined) ?? []);
      for (const a of audience) if (!have.includes(a)) return 'audience mismatch';
    }
    return undefined;
  };
}
