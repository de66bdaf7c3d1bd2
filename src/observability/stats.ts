// In-process metrics for `telemetry/metrics` (KrakenD's krakend-metrics names): counters and
// histograms kept as plain numbers, created once at startup where possible, so recording costs a
// few additions. Histograms use fixed logarithmic buckets (four per power of two), so the
// snapshots of several workers merge exactly into one node-wide view (stats-cluster.ts).
const SUB = 4;
const LOW = -10; // 2^-10 ≈ 0.001 (ms or bytes)
const BUCKETS = (40 - LOW) * SUB; // up to 2^40

export class Histogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;
  readonly buckets = new Float64Array(BUCKETS);

  record(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const i = v <= 0 ? 0 : Math.floor((Math.log2(v) - LOW) * SUB);
    this.buckets[i < 0 ? 0 : i >= BUCKETS ? BUCKETS - 1 : i]++;
  }
}

export interface Counter {
  n: number;
}

/** A histogram as sent between processes: sparse buckets as [index, count] pairs. */
export interface HistogramData {
  count: number;
  sum: number;
  min: number;
  max: number;
  b: number[];
}

export interface StatsSnapshot {
  counters: Record<string, number>;
  histograms: Record<string, HistogramData>;
}

export class StatsRegistry {
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = { n: 0 }));
    return c;
  }

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = new Histogram()));
    return h;
  }

  snapshot(): StatsSnapshot {
    const counters: Record<string, number> = {};
    for (const [k, c] of this.counters) counters[k] = c.n;
    const histograms: Record<string, HistogramData> = {};
    for (const [k, h] of this.histograms) {
      const b: number[] = [];
      for (let i = 0; i < BUCKETS; i++) if (h.buckets[i] > 0) b.push(i, h.buckets[i]);
      histograms[k] = { count: h.count, sum: h.sum, min: h.count ? h.min : 0, max: h.max, b };
    }
    return { counters, histograms };
  }
}

/** Several processes' snapshots as one: counters add, histogram buckets add. */
export function mergeSnapshots(list: StatsSnapshot[]): StatsSnapshot {
  const counters: Record<string, number> = {};
  const histograms: Record<string, HistogramData> = {};
  for (const s of list) {
    for (const k in s.counters) counters[k] = (counters[k] ?? 0) + s.counters[k];
    for (const k in s.histograms) {
      const h = s.histograms[k];
      const m = histograms[k];
      if (!m) {
        histograms[k] = { ...h, b: h.b.slice() };
        continue;
      }
      const buckets = new Map<number, number>();
      for (let i = 0; i < m.b.length; i += 2) buckets.set(m.b[i], m.b[i + 1]);
      for (let i = 0; i < h.b.length; i += 2) buckets.set(h.b[i], (buckets.get(h.b[i]) ?? 0) + h.b[i + 1]);
      const b: number[] = [];
      for (const [i, n] of [...buckets].sort((x, y) => x[0] - y[0])) b.push(i, n);
      histograms[k] = {
        count: m.count + h.count,
        sum: m.sum + h.sum,
        min: m.count === 0 ? h.min : h.count === 0 ? m.min : Math.min(m.min, h.min),
        max: Math.max(m.max, h.max),
        b,
      };
    }
  }
  return { counters, histograms };
}

/** The upper bound of bucket i, clamped to the observed range. */
function quantile(h: HistogramData, q: number): number {
  if (h.count === 0) return 0;
  const rank = q * h.count;
  let seen = 0;
  for (let i = 0; i < h.b.length; i += 2) {
    seen += h.b[i + 1];
    if (seen >= rank) return Math.min(h.max, Math.max(h.min, 2 ** ((h.b[i] + 1) / SUB + LOW)));
  }
  return h.max;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The JSON served at /__stats: counters as numbers, histograms as summaries (go-metrics' keys). */
export function renderStats(s: StatsSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s.counters).sort()) out[k] = s.counters[k];
  for (const k of Object.keys(s.histograms).sort()) {
    const h = s.histograms[k];
    out[k] = {
      count: h.count,
      min: round(h.min),
      max: round(h.max),
      mean: h.count ? round(h.sum / h.count) : 0,
      median: round(quantile(h, 0.5)),
      '75%': round(quantile(h, 0.75)),
      '95%': round(quantile(h, 0.95)),
      '99%': round(quantile(h, 0.99)),
      '99.9%': round(quantile(h, 0.999)),
    };
  }
  return out;
}
