// Conversions between Rampart's flat header lists ([lower-case name, value, ...]) and the header
// objects http-cache-semantics reads, plus the few Cache-Control facts the cache checks itself.
import type CachePolicy from 'http-cache-semantics';

/** Flat list -> object; repeated names are joined with ", " (RFC 9110 §5.3). */
export function headersObject(flat: readonly string[], host?: string): CachePolicy.Headers {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i].toLowerCase();
    out[name] = name in out ? `${out[name]}, ${flat[i + 1]}` : flat[i + 1];
  }
  if (host !== undefined) out.host = host;
  return out;
}

/** Object -> flat list, without the pseudo `host` the policy needed. */
export function flatHeaders(h: CachePolicy.Headers): string[] {
  const out: string[] = [];
  for (const name in h) {
    if (name === 'host') continue;
    const v = h[name];
    if (typeof v === 'string') out.push(name, v);
    else if (Array.isArray(v)) for (const x of v) out.push(name, x);
  }
  return out;
}

export function hasHeader(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === name) return true;
  return false;
}

/** The values of one header in a flat list. */
export function headerValues(flat: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === name) out.push(flat[i + 1]);
  return out;
}

/** Whether a response's Cache-Control says it may be shared whoever asked (RFC 9111 §3.5:
 * `public` or `s-maxage`). Directive names are case-insensitive; values are not looked at. */
export function explicitlyShared(resHeaders: readonly string[]): boolean {
  for (const v of headerValues(resHeaders, 'cache-control')) {
    for (const part of v.split(',')) {
      const name = part.split('=')[0].trim().toLowerCase();
      if (name === 'public' || name === 's-maxage') return true;
    }
  }
  return false;
}
