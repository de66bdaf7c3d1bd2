// The API keys of the service, held only as SHA-256 digests of salt‖key (hex in the config).
// A presented key is digested the same way and compared with timingSafeEqual, so neither its
// length nor its content changes the timing (a shorter or longer key digests to the same size).
import { createHash, timingSafeEqual } from 'node:crypto';

export interface StoredKey {
  digest: Buffer;
  roles: readonly string[];
  /** Index in the config, used as a non-secret identity (rate limits). */
  id: number;
}

export class KeyStore {
  private readonly byHex = new Map<string, StoredKey>();
  constructor(private readonly salt: string) {}

  static digest(salt: string, key: string): Buffer {
    return createHash('sha256').update(salt).update(key).digest();
  }

  add(digest: Buffer, roles: readonly string[], id: number): void {
    this.byHex.set(digest.toString('hex'), { digest, roles, id });
  }

  /** The matching key, or undefined. The map is indexed by the digest, never by the key: the
   * lookup reveals nothing usable about a stored key, and the final comparison is constant-time. */
  find(presented: string): StoredKey | undefined {
    const d = KeyStore.digest(this.salt, presented);
    const hit = this.byHex.get(d.toString('hex'));
    return hit && timingSafeEqual(hit.digest, d) ? hit : undefined;
  }
}
