// url_pattern compiled once into literal parts and placeholders. Every substituted value is
// percent-encoded (as a path segment, or as a query value when the placeholder sits after "?"),
// so no value can add segments, traverse, start a query or fragment, or inject CR/LF.
// KrakenD inserts decoded values verbatim; Rampart deliberately does not (issue #2).

export interface ValueSource {
  /** Endpoint path parameters, by their declared name. */
  params: Record<string, string>;
  /** Responses of earlier backends (sequential proxy), by index. */
  responses?: (Record<string, unknown> | undefined)[];
  /** Validated JWT claims ({JWT.claim} placeholders). */
  claims?: Record<string, unknown>;
}

type Part = string | { name: string; resp?: { index: number; path: string[] }; claim?: string[] };

export type UrlBuilder = (src: ValueSource) => string | undefined;

/** Go's text form of a value pulled from a backend response ({resp0_a.b}). */
function respValue(data: Record<string, unknown> | undefined, path: string[]): string | undefined {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v as object, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String).join(',');
  if (typeof v === 'object') return undefined;
  return String(v);
}

/** Claim names may contain ':' '/' and '.', e.g. {JWT.http://example.com/custom}: a name that
 * looks like a URL is one claim; otherwise dots walk nested claims. */
function claimPath(name: string): string[] {
  return name.includes('://') ? [name] : name.split('.');
}

export function compileUrlTemplate(pattern: string): UrlBuilder {
  const parts: Part[] = [];
  const re = /\{([^{}]+)\}/g;
  let last = 0;
  for (const m of pattern.matchAll(re)) {
    if (m.index! > last) parts.push(pattern.slice(last, m.index));
    const name = m[1];
    const resp = /^resp(\d+)_(.+)$/.exec(name);
    if (resp) parts.push({ name, resp: { index: Number(resp[1]), path: resp[2].split('.') } });
    else if (name.startsWith('JWT.')) parts.push({ name, claim: claimPath(name.slice(4)) });
    else parts.push({ name });
    last = m.index! + m[0].length;
  }
  if (last < pattern.length) parts.push(pattern.slice(last));
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const fixed = parts[0];
    return () => fixed;
  }
  return (src) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const v = p.resp ? respValue(src.responses?.[p.resp.index], p.resp.path) : p.claim ? respValue(src.claims, p.claim) : src.params[p.name];
      if (v === undefined) return undefined;
      out += encodeURIComponent(v);
    }
    return out;
  };
}
