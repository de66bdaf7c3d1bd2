// input_query_strings: only declared query parameters reach backends (case-sensitive names, all
// values of a repeated key, re-encoded with keys sorted like Go's url.Values.Encode).
import { sortGoKeys } from '../encoding/go-order.js';

export type QueryFilter = (rawQuery: string) => string;

/** Most query parameters a request may carry (Go's net/url refuses more than 10 000 since
 * CVE-2025-61726; a gateway needs far fewer). Over it the gateway answers 414 before parsing. */
export const MAX_QUERY_PARAMS = 1000;

/** True when `rawQuery` has more than MAX_QUERY_PARAMS parameters. Short queries (that cannot
 * hold that many `&`-separated pairs) are not scanned at all. */
export function tooManyQueryParams(rawQuery: string): boolean {
  if (rawQuery.length < 2 * MAX_QUERY_PARAMS) return false;
  let pairs = 1;
  for (let i = rawQuery.indexOf('&'); i >= 0; i = rawQuery.indexOf('&', i + 1)) if (++pairs > MAX_QUERY_PARAMS) return true;
  return false;
}

function encode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}

/** Returns null when nothing can ever be forwarded (the default), so callers skip parsing. */
export function compileQueryFilter(allowed: readonly string[]): QueryFilter | null {
  if (allowed.length === 0) return null;
  const all = allowed.includes('*');
  const set = new Set(allowed);
  return (rawQuery) => {
    if (rawQuery === '') return '';
    // One pass, grouped by key (linear: a per-key search or getAll() made 20 000 distinct keys
    // cost seconds, issue #14), then keys sorted as Go's url.Values.Encode does.
    const byKey = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(rawQuery)) {
      if (!all && !set.has(k)) continue;
      const vs = byKey.get(k);
      if (vs) vs.push(v);
      else byKey.set(k, [v]);
    }
    if (byKey.size === 0) return '';
    // Go sorts by UTF-8 bytes; a plain sort() (UTF-16 units) put "😀" before "\ue000" (fuzzing, #14).
    const keys = sortGoKeys([...byKey.keys()]);
    const out: string[] = [];
    for (const k of keys) {
      const ek = encode(k);
      const vs = byKey.get(k);
      if (vs !== undefined) for (const v of vs) out.push(ek + '=' + encode(v)); // always: k is a key
    }
    return out.join('&');
  };
}

/** Backend-level input_query_strings: filters again what the endpoint let through ("*" has no
 * wildcard meaning here, as in lura). */
export function compileBackendQueryFilter(allowed: readonly string[] | undefined): ((q: string) => string) | null {
  if (!allowed || allowed.length === 0) return null;
  const set = new Set(allowed);
  return (q) => {
    if (q === '') return q;
    return q
      .split('&')
      .filter((pair) => set.has(decodeURIComponent((pair.split('=')[0] ?? '').replace(/\+/g, ' '))))
      .join('&');
  };
}
