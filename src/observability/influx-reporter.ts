// telemetry/influx: every `ttl`, the telemetry/metrics snapshot (the node's, under --workers N)
// as InfluxDB line protocol in one POST to /write. Counters become `krakend_counter,name=<metric>
// value=<n>i`, histograms `krakend_histogram,name=<metric> count=…,min=…,max=…,mean=…,p50=…,
// p95=…,p99=…`. A failed write is logged once per minute without the URL's credentials and
// retried at the next period; nothing piles up.
import type { Logger } from './logger.js';
import { renderStats, type StatsSnapshot } from './stats.js';

const escTag = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`);

export function lineProtocol(snap: StatsSnapshot, now: number): string {
  const rendered = renderStats(snap);
  const lines: string[] = [];
  for (const name of Object.keys(rendered)) {
    const v = rendered[name];
    if (typeof v === 'number') lines.push(`krakend_counter,name=${escTag(name)} value=${Math.round(v)}i ${now}`);
    else {
      const h = v as Record<string, number>;
      lines.push(
        `krakend_histogram,name=${escTag(name)} count=${h.count}i,min=${h.min},max=${h.max},mean=${h.mean},p50=${h.median},p95=${h['95%']},p99=${h['99%']} ${now}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export function startInfluxReporter(
  s: { writeUrl: string; everyMs: number; authorization: string | undefined },
  collect: () => StatsSnapshot | Promise<StatsSnapshot>,
  log: Logger,
): () => void {
  let lastError = 0;
  const target = s.writeUrl.replace(/\/\/[^@/]*@/, '//');
  const push = async () => {
    try {
      const body = lineProtocol(await collect(), Date.now());
      const res = await fetch(s.writeUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...(s.authorization ? { authorization: s.authorization } : {}) },
        signal: AbortSignal.timeout(Math.min(s.everyMs, 10_000)),
      });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`status ${res.status}`);
    } catch (err) {
      const now = Date.now();
      if (now - lastError > 60_000) {
        lastError = now;
        log.warn({ influx: target, reason: (err as Error).message }, 'telemetry/influx: write failed (retried next period)');
      }
    }
  };
  const timer = setInterval(() => void push(), s.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
