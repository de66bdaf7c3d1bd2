// Origin matching for CORS, compiled once. Exact origins compare case-insensitively; a pattern
// has exactly one `*` inside the host (`https://*.example.com`), and the `*` matches only host
// characters (digits only for a port: `http://localhost:*`), so `https://*.example.com` never
// matches `https://evil.com/x.example.com`. The
// literal `null` origin (sandboxed frames, file:, redirects) can never be allowed: any page can
// produce it (Fetch standard §3.2.5), so allowing it would allow everyone.

export type OriginMatcher = (origin: string) => boolean;

const HOST_CHARS = /^[a-z0-9.-]+$/;
const PORT_CHARS = /^[0-9]{1,5}$/;

export function compileOrigins(list: readonly string[]): { any: boolean; match: OriginMatcher } {
  if (list.length === 0 || list.includes('*')) return { any: true, match: () => true };
  const exact = new Set<string>();
  const patterns: { prefix: string; suffix: string; chars: RegExp }[] = [];
  list.forEach((raw, i) => {
    const o = raw.toLowerCase();
    if (o === 'null') throw new Error(`allow_origins/${i}: the "null" origin cannot be allowed (any sandboxed page sends it)`);
    const star = o.indexOf('*');
    if (star < 0) return void exact.add(o.replace(/\/$/, ''));
    if (o.indexOf('*', star + 1) >= 0) throw new Error(`allow_origins/${i}: "${raw}" has more than one "*"`);
    const prefix = o.slice(0, star);
    const suffix = o.slice(star + 1);
    if (!/^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.-]*:?$/.test(prefix) || /[/?#]/.test(suffix)) {
      throw new Error(`allow_origins/${i}: "${raw}": the "*" must stand inside the host, e.g. "https://*.example.com"`);
    }
    // `http://localhost:*` stands for any port: then the `*` matches digits only.
    patterns.push({ prefix, suffix, chars: prefix.endsWith(':') ? PORT_CHARS : HOST_CHARS });
  });
  return {
    any: false,
    match: (origin) => {
      // Browsers send origins in lower case (URL serialization): the set is tried with the value
      // as sent first, so the usual request allocates no lower-cased copy. (A hit means the value
      // is already lower case: the set holds only lower-case origins.)
      if (exact.has(origin)) return true;
      const o = origin.toLowerCase();
      if (exact.has(o)) return true;
      for (const p of patterns) {
        if (o.length <= p.prefix.length + p.suffix.length || !o.startsWith(p.prefix) || !o.endsWith(p.suffix)) continue;
        if (p.chars.test(o.slice(p.prefix.length, o.length - p.suffix.length))) return true;
      }
      return false;
    },
  };
}
