// The bounded store behind qos/http-cache: an LRU (lru-cache) bounded by entry count and by
// bytes (body + headers), one per backend, or one per gateway for every `shared` backend. Entries
// expire with their freshness lifetime, unless they carry a validator (ETag, Last-Modified):
// those stay, stale, until evicted, so a conditional request can revalidate them.
import { LRUCache } from 'lru-cache';
import type CachePolicy from 'http-cache-semantics';

export interface CacheEntry {
  readonly policy: CachePolicy;
  readonly body: Buffer;
  readonly status: number;
  /** The request URL the entry answers (diagnostics only). */
  readonly url: string;
}

/** Rampart's bounds when the config sets none (KrakenD's cache is then unbounded). */
export const DEFAULT_MAX_ITEMS = 1000;
export const DEFAULT_MAX_SIZE = 16 * 1024 * 1024;

/** The longest a stale entry with a validator is kept for revalidation. */
const STALE_KEEP_MS = 24 * 3600 * 1000;

export interface HttpCacheStore {
  get(key: string): CacheEntry | undefined;
  /** Stores (or refuses: larger than the whole store) an entry for `ttlMs`. */
  set(key: string, entry: CacheEntry, ttlMs: number, revalidatable: boolean): void;
  delete(key: string): void;
  readonly maxSize: number;
  readonly size: number;
}

function entrySize(e: CacheEntry): number {
  let n = e.body.length + e.url.length + 64;
  const h = e.policy.responseHeaders();
  for (const k in h) {
    const v = h[k];
    n += k.length + (typeof v === 'string' ? v.length : Array.isArray(v) ? v.join('').length : 0) + 4;
  }
  return n;
}

export function createStore(maxItems: number, maxSize: number): HttpCacheStore {
  const lru = new LRUCache<string, CacheEntry>({
    max: maxItems,
    maxSize,
    sizeCalculation: (e) => Math.max(1, entrySize(e)),
    // Expired entries are dropped when read (no timers per entry).
    ttlAutopurge: false,
  });
  return {
    get: (key) => lru.get(key),
    set(key, entry, ttlMs, revalidatable) {
      const size = entrySize(entry);
      if (size > maxSize) return void lru.delete(key);
      const ttl = revalidatable ? Math.max(ttlMs, STALE_KEEP_MS) : ttlMs;
      lru.set(key, entry, { ttl: Math.max(1, Math.ceil(ttl)), size });
    },
    delete: (key) => void lru.delete(key),
    maxSize,
    get size() {
      return lru.size;
    },
  };
}
