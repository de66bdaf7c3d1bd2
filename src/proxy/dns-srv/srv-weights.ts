// From an SRV answer to the list of origins a backend balances over, as lura's sd/dnssrv does:
// only the records of the lowest priority; weights normalised to a scale of 100 (or the record
// count, if larger), so a record under ~1% of the total weight gets no share; divided by their
// greatest common divisor; each origin repeated as often as its weight (the balancer then walks
// the list). One deviation: when every weight is 0, lura ends with an empty list (no host);
// RFC 2782 reads weight 0 as "no weighting", so Rampart gives each record an equal share.

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** Above this many instances lura shuffles the list (its random fixed subscriber). */
const SHUFFLE_ABOVE = 100;

function gcd(ws: number[]): number {
  let r = ws[0] ?? 0;
  for (let i = 1; i < ws.length; i++) {
    let a = r;
    let b = ws[i];
    while (b > 0) [a, b] = [b, a % b];
    r = a;
  }
  return r;
}

function normalize(ws: number[]): number[] {
  const scale = Math.max(100, ws.length);
  const sum = ws.reduce((s, w) => s + w, 0);
  if (sum <= scale) return ws;
  return ws.map((w) => Math.floor((w * scale) / sum));
}

function compact(ws: number[]): number[] {
  const n = normalize(ws);
  const div = gcd(n);
  return div < 2 ? n : n.map((w) => w / div);
}

/** The SRV target as a host name: without the root's trailing dot, IPv6 literals bracketed. */
export function targetHost(name: string): string {
  const h = name.endsWith('.') ? name.slice(0, -1) : name;
  return h.includes(':') ? `[${h}]` : h;
}

/** The weighted origin list (`scheme://target:port`, repeated by weight) of an SRV answer. */
export function instancesOf(records: readonly SrvRecord[], scheme: string, random: () => number = Math.random): string[] {
  const sorted = [...records].sort(
    (a, b) => a.priority - b.priority || b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.port - b.port,
  );
  const best = sorted.filter((r) => r.priority === sorted[0].priority);
  const allZero = best.every((r) => r.weight === 0);
  const weights = compact(best.map((r) => (allZero ? 1 : r.weight)));
  const out: string[] = [];
  best.forEach((r, i) => {
    const origin = `${scheme}://${targetHost(r.name)}:${r.port}`;
    for (let j = 0; j < weights[i]; j++) out.push(origin);
  });
  if (out.length > SHUFFLE_ABOVE) {
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
  }
  return out;
}
