// KrakenD's sliding bloom filter (krakend/bloomfilter, docs/reference/auth-and-tls.md §3): three filters — previous, current,
// next. Additions go to current and next, checks read previous and current, and every TTL the
// window slides, so an entry stays revoked between 2·TTL and 3·TTL. Sizing follows the classic
// formulas m = ⌈−N·ln P / (ln 2)²⌉ bits, k = ⌈ln 2 · m / N⌉ hashes. Positions come from one
// SHA-256 digest split in two 48-bit halves with double hashing (Kirsch–Mitzenmacher), for both
// `hash_name` values: no byte compatibility with KrakenD's filters is attempted.
import { createHash } from 'node:crypto';

/** Refuse configs whose three filters together would exceed this. */
export const MAX_FILTER_BYTES = 1024 * 1024 * 1024;

export function bloomSize(n: number, p: number): { m: number; k: number } {
  const m = Math.ceil((-n * Math.log(p)) / (Math.LN2 * Math.LN2));
  const k = Math.max(1, Math.ceil((Math.LN2 * m) / n));
  return { m, k };
}

export class SlidingBloom {
  readonly m: number;
  readonly k: number;
  private filters: Uint8Array[];
  private timer: NodeJS.Timeout | undefined;

  constructor(n: number, p: number, ttlMs: number) {
    const { m, k } = bloomSize(n, p);
    if (!Number.isSafeInteger(m) || 3 * Math.ceil(m / 8) > MAX_FILTER_BYTES) {
      throw new Error(`N=${n} with P=${p} needs ${Math.ceil((3 * m) / 8 / 2 ** 20)} MiB of filters; the limit is ${MAX_FILTER_BYTES / 2 ** 20} MiB`);
    }
    this.m = m;
    this.k = k;
    const bytes = Math.ceil(m / 8);
    this.filters = [new Uint8Array(bytes), new Uint8Array(bytes), new Uint8Array(bytes)];
    if (ttlMs > 0) {
      this.timer = setInterval(() => this.rotate(), ttlMs);
      this.timer.unref();
    }
  }

  positions(entry: string): Uint32Array {
    const d = createHash('sha256').update(entry).digest();
    const h1 = d.readUIntBE(0, 6);
    const h2 = d.readUIntBE(6, 6) || 1;
    const out = new Uint32Array(this.k);
    for (let i = 0; i < this.k; i++) out[i] = (h1 + i * h2) % this.m;
    return out;
  }

  add(entry: string): void {
    const pos = this.positions(entry);
    for (const f of [this.filters[1], this.filters[2]]) for (const b of pos) f[b >>> 3] |= 1 << (b & 7);
  }

  hasPositions(pos: Uint32Array): boolean {
    return this.inFilter(this.filters[0], pos) || this.inFilter(this.filters[1], pos);
  }

  has(entry: string): boolean {
    return this.hasPositions(this.positions(entry));
  }

  private inFilter(f: Uint8Array, pos: Uint32Array): boolean {
    for (let i = 0; i < pos.length; i++) {
      const b = pos[i];
      if ((f[b >>> 3] & (1 << (b & 7))) === 0) return false;
    }
    return true;
  }

  /** previous ← current, current ← next, next ← empty. */
  rotate(): void {
    const [prev, cur, next] = this.filters;
    prev.fill(0);
    this.filters = [cur, next, prev];
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
