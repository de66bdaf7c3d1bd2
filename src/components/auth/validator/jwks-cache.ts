// The verification keys of one JWK set, shared by every endpoint that names the same URL (and TLS
// settings), so N endpoints cost one download. Keys are selected per key_identify_strategy and
// imported once per algorithm. Refreshes are single-flight and rate-limited per URL: a flood of
// tokens with forged `kid`s causes at most one download per cooldown interval (the stampede
// jose's remote JWKS guards against with its cooldown; docs/reference/auth-and-tls.md §1.7 "Unknown-kid flooding").
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import type { Logger } from '../../../observability/logger.js';
import { importVerifyKey, unusableReason, type JwsAlg } from '../common/algorithms.js';
import type { JwksHttpClient } from '../common/jwks-http.js';

export type KeyStrategy = 'kid' | 'x5t' | 'x5t#S256' | 'kid_x5t';
export type VerifyKey = Awaited<ReturnType<typeof importVerifyKey>>;

export interface LookupPolicy {
  alg: JwsAlg;
  strategy: KeyStrategy;
  /** Downloaded keys older than this are not trusted any more (cache_duration). */
  maxAgeMs: number;
  /** Minimum time between two downloads of this URL. */
  cooldownMs: number;
}

export interface TokenHeader {
  kid?: unknown;
  x5t?: unknown;
  'x5t#S256'?: unknown;
}

function thumb(jwk: JWK, algo: 'sha1' | 'sha256', member: 'x5t' | 'x5t#S256'): string {
  const declared = (jwk as Record<string, unknown>)[member];
  if (typeof declared === 'string') return declared;
  const der = Array.isArray(jwk.x5c) && typeof jwk.x5c[0] === 'string' ? Buffer.from(jwk.x5c[0], 'base64') : undefined;
  return der ? createHash(algo).update(der).digest('base64url') : '';
}

/** Ids under which a JWK can be found, per strategy (see docs/reference/auth-and-tls.md §1.2 key_identify_strategy). */
function jwkIds(jwk: JWK, strategy: KeyStrategy): string[] {
  const kid = typeof jwk.kid === 'string' ? jwk.kid : '';
  switch (strategy) {
    case 'kid':
      return [kid];
    case 'kid_x5t':
      return [kid + thumb(jwk, 'sha1', 'x5t')];
    case 'x5t':
    case 'x5t#S256': {
      const t = strategy === 'x5t' ? thumb(jwk, 'sha1', 'x5t') : thumb(jwk, 'sha256', 'x5t#S256');
      return t ? [`t:${t}`, `k:${kid}`] : [`k:${kid}`];
    }
  }
}

/** The id a token header asks for, or undefined when a member has the wrong type. */
export function headerId(h: TokenHeader, strategy: KeyStrategy): string | undefined {
  if (h.kid !== undefined && typeof h.kid !== 'string') return undefined;
  const kid = (h.kid as string | undefined) ?? '';
  switch (strategy) {
    case 'kid':
      return kid;
    case 'kid_x5t':
      if (h.x5t !== undefined && typeof h.x5t !== 'string') return undefined;
      return kid + ((h.x5t as string | undefined) ?? '');
    case 'x5t':
    case 'x5t#S256': {
      const t = h[strategy];
      if (t !== undefined && typeof t !== 'string') return undefined;
      return t ? `t:${t}` : `k:${kid}`;
    }
  }
}

export class JwksCache {
  private keys: JWK[];
  private fetchedAt: number;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;
  private indexes = new Map<string, Map<string, JWK>>();
  private imported = new WeakMap<JWK, Map<string, Promise<VerifyKey | undefined>>>();
  private readonly listeners: (() => void)[] = [];
  /** Downloads started (observable by tests through the debug log). */
  downloads = 0;

  /** `http` undefined: a local key set (jwk_local_path), never refreshed. */
  constructor(
    private readonly source: string,
    private readonly http: JwksHttpClient | undefined,
    private readonly log: Logger,
    keys: JWK[] = [],
    private readonly label = source,
  ) {
    this.keys = keys;
    this.fetchedAt = http ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  /** Called when a download drops a key that was known: verified-token caches must forget. */
  onKeysRemoved(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Starts a download without waiting (start-up warm-up); failures are only logged. */
  warm(): void {
    if (this.http && !this.inflight) void this.refresh();
  }

  async lookup(header: TokenHeader, policy: LookupPolicy): Promise<VerifyKey | undefined> {
    const id = headerId(header, policy.strategy);
    if (id === undefined) return undefined;
    const now = Date.now();
    const fresh = now - this.fetchedAt <= policy.maxAgeMs;
    if (fresh) {
      const k = await this.find(id, policy);
      if (k || !this.http) return k;
    }
    if (!this.http) return undefined;
    if (this.inflight) await this.inflight;
    else if (now - this.lastAttempt >= policy.cooldownMs) await this.refresh();
    if (Date.now() - this.fetchedAt > policy.maxAgeMs) return undefined;
    return this.find(id, policy);
  }

  private find(id: string, policy: LookupPolicy): Promise<VerifyKey | undefined> | undefined {
    const indexKey = `${policy.alg}|${policy.strategy}`;
    let index = this.indexes.get(indexKey);
    if (!index) {
      index = new Map();
      for (const jwk of this.keys) {
        if (unusableReason(jwk, policy.alg, 'verify')) continue;
        for (const id of jwkIds(jwk, policy.strategy)) if (!index.has(id)) index.set(id, jwk);
      }
      this.indexes.set(indexKey, index);
    }
    const jwk = index.get(id);
    if (!jwk) return undefined;
    let perAlg = this.imported.get(jwk);
    if (!perAlg) this.imported.set(jwk, (perAlg = new Map()));
    let p = perAlg.get(policy.alg);
    if (!p) {
      p = importVerifyKey(jwk, policy.alg).catch(() => undefined);
      perAlg.set(policy.alg, p);
    }
    return p;
  }

  private refresh(): Promise<void> {
    const http = this.http;
    if (!http) return Promise.resolve();
    this.lastAttempt = Date.now();
    this.downloads++;
    this.log.debug({ jwks: this.label, download: this.downloads }, 'downloading JWK set');
    this.inflight = (async () => {
      try {
        const keys = await http.fetch(this.source);
        const before = new Set(this.keys.map((k) => JSON.stringify(k)));
        const after = new Set(keys.map((k) => JSON.stringify(k)));
        const removed = [...before].some((k) => !after.has(k));
        this.keys = keys;
        this.indexes = new Map();
        this.fetchedAt = Date.now();
        if (removed) for (const fn of this.listeners) fn();
      } catch (err) {
        this.log.warn({ jwks: this.label, err: (err as Error).message }, 'JWK set download failed');
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }
}
