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

// Only characters that URLSearchParams decodes to themselves and encodeURIComponent leaves as
// they are (no `%`, no `+`), plus the separators: such a query (most are: `page=1&sort=name`)
// is split by hand, without URLSearchParams' decoding or the re-encoding (issue #20).
const PLAIN_QUERY_MAX = 2048;
const PLAIN_QUERY = /^[A-Za-z0-9\-_.!~*'()=&]*$/;

/** The pairs of a plain query, or null when it needs the full parser (or a value holds `=`,
 * which re-encodes as %3D). Same pairs, in the same order, as URLSearchParams gives. */
function plainPairs(raw: string): string[] | null {
  // Long queries keep URLSearchParams: the fast path is for the usual few parameters, and
  // test/unit/fuzz-forward.test.ts holds the long ones to the growth measured for it.
  if (raw.length > PLAIN_QUERY_MAX || !PLAIN_QUERY.test(raw)) return null;
  // One pass over the characters (linear whatever the pairs look like).
  const out: string[] = [];
  let start = 0;
  let eq = -1;
  for (let i = 0; i <= raw.length; i++) {
    const c = i < raw.length ? raw.charCodeAt(i) : 0x26;
    if (c === 0x3d) {
      if (eq >= 0) return null;
      eq = i;
    } else if (c === 0x26) {
      if (i > start) {
        if (eq < 0) out.push(raw.slice(start, i), '');
        else out.push(raw.slice(start, eq), raw.slice(eq + 1, i));
      }
      start = i + 1;
      eq = -1;
    }
  }
  return out;
}

/** The allowed parameters of a query, grouped by key (all values of a repeated key, in order),
 * keys sorted as Go's url.Values.Encode does; `plain` when no key or value needs encoding. */
export interface QueryGroups {
  readonly keys: readonly string[];
  readonly byKey: ReadonlyMap<string, readonly string[]>;
  readonly plain: boolean;
}

/** Returns null when nothing can ever pass (no input_query_strings). */
export function compileQueryGroups(allowed: readonly string[]): ((rawQuery: string) => QueryGroups | null) | null {
  if (allowed.length === 0) return null;
  const all = allowed.includes('*');
  const set = new Set(allowed);
  return (rawQuery) => {
    if (rawQuery === '') return null;
    // One pass, grouped by key (linear: a per-key search or getAll() made 20 000 distinct keys
    // cost seconds, issue #14), then keys sorted as Go's url.Values.Encode does.
    const byKey = new Map<string, string[]>();
    const add = (k: string, v: string): void => {
      if (!all && !set.has(k)) return;
      const vs = byKey.get(k);
      if (vs) vs.push(v);
      else byKey.set(k, [v]);
    };
    const pairs = plainPairs(rawQuery);
    if (pairs !== null) for (let i = 0; i < pairs.length; i += 2) add(pairs[i], pairs[i + 1]);
    else for (const [k, v] of new URLSearchParams(rawQuery)) add(k, v);
    if (byKey.size === 0) return null;
    // Go sorts by UTF-8 bytes; a plain sort() (UTF-16 units) put "😀" before "\ue000" (fuzzing, #14).
    return { keys: sortGoKeys([...byKey.keys()]), byKey, plain: pairs !== null };
  };
}

/** Returns null when nothing can ever be forwarded (the default), so callers skip parsing. */
export function compileQueryFilter(allowed: readonly string[]): QueryFilter | null {
  const groups = compileQueryGroups(allowed);
  if (groups === null) return null;
  return (rawQuery) => {
    const g = groups(rawQuery);
    if (g === null) return '';
    const out: string[] = [];
    for (const k of g.keys) {
      const ek = g.plain ? k : encode(k);
      const vs = g.byKey.get(k);
      if (vs !== undefined) for (const v of vs) out.push(ek + '=' + (g.plain ? v : encode(v))); // always: k is a key
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
