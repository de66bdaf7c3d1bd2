// input_query_strings: only declared query parameters reach backends (case-sensitive names, all
// values of a repeated key, re-encoded with keys sorted like Go's url.Values.Encode).

export type QueryFilter = (rawQuery: string) => string;

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
    const params = new URLSearchParams(rawQuery);
    const keys: string[] = [];
    for (const k of params.keys()) if ((all || set.has(k)) && !keys.includes(k)) keys.push(k);
    if (keys.length === 0) return '';
    keys.sort();
    let out = '';
    for (const k of keys) {
      for (const v of params.getAll(k)) out += (out ? '&' : '') + encode(k) + '=' + encode(v);
    }
    return out;
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
