// The contract between auth/revoker (service level, owns the revocation list) and auth/validator
// (endpoint level, checks every validated request against it). Shared through env.shared under
// REVOCATION_KEY; the service is built before its endpoints, so the list exists when a validator
// is built.

export const REVOCATION_KEY = 'auth/revoker';

/** Precomputed lookup data for one token (bit positions of its revocable claim values). */
export type RevocationProbe = readonly Uint32Array[];

export interface RevocationList {
  /** Lookup data for the token's claims, or null when none of its claims can be revoked. */
  probe(claims: Record<string, unknown>): RevocationProbe | null;
  /** True when any of the probed values is revoked (bloom filter: may be a false positive). */
  isRevoked(probe: RevocationProbe): boolean;
}
