// url_pattern compiled once into literal parts and placeholders. Every substituted value is
// percent-encoded (as a path segment, or as a query value when the placeholder sits after "?"),
// so no value can add segments, traverse, start a query or fragment, or inject CR/LF.
// KrakenD inserts decoded values verbatim; Rampart deliberately does not (issue #2).
// Encoding is not enough in the path: many backends (nginx, Spring, Go servers routing on the
// decoded path) decode once, and `a%2F..%2Fadmin` is `a/../admin` to them. So a value placed in
// the path may contain no `/` or `\` and may not be a dot segment (issue #14): such a value makes
// the builder answer UNSAFE_VALUE, and the request is refused with 400. `unsafePathValue` is the
// one check every path substitution (path parameters, {JWT.claim}, {respN_...}) goes through.

export interface ValueSource {
  /** Endpoint path parameters, by their declared name. */
  params: Record<string, string>;
  /** Responses of earlier backends (sequential proxy), by index. */
  responses?: (Record<string, unknown> | undefined)[];
  /** Validated JWT claims ({JWT.claim} placeholders). */
  claims?: Record<string, unknown>;
}

type Part = string | { name: string; inPath: boolean; resp?: { index: number; path: string[] }; claim?: string[] };

/** How many more decodings than the backend's first one a path value is checked under. No real
 * value is percent-encoded four times over; past that the value is refused. */
export const MAX_EXTRA_DECODINGS = 3;

/** Returned by a UrlBuilder when a value cannot be placed in the path safely. */
export const UNSAFE_VALUE: unique symbol = Symbol('unsafe path value');

/** A built path, undefined when a placeholder has no value, UNSAFE_VALUE when a value would
 * change the path's shape for a backend that decodes once. */
export type UrlBuilder = (src: ValueSource) => string | undefined | typeof UNSAFE_VALUE;

/**
 * Why `v` (a decoded value) cannot be one path segment, or undefined when it can: a `/` or `\`
 * (a separator once the backend decodes `%2F`/`%5C`), a dot segment (`.` or `..` as the whole
 * value: without separators that is the only way one can appear), or a control character.
 * Values that still contain `%XX` are checked once more decoded, for backends that decode twice
 * (and up to MAX_EXTRA_DECODINGS times; a value encoded more often than that is refused).
 */
export function unsafePathValue(v: string): string | undefined {
  // Iterative and bounded: each pass is one more decoding by the backend. Recursing until the
  // value stopped changing made `%252525…` (a value the router hands over as `%` + `25` x n)
  // cost n passes over n characters: 3 s of a worker and a stack overflow for 40 KB (issue #14).
  let cur = v;
  for (let pass = 0; ; pass++) {
    for (let i = 0; i < cur.length; i++) {
      const c = cur.charCodeAt(i);
      if (c === 47 /* / */ || c === 92 /* \ */) return 'path separator in a path value';
      if (c < 0x20 || c === 0x7f) return 'control character in a path value';
    }
    if (cur === '.' || cur === '..') return 'dot segment in a path value';
    if (!cur.includes('%')) return undefined;
    // Decoded as a lenient backend does: each %XX alone, to its byte, whether or not the bytes
    // are UTF-8. (decodeURIComponent refuses the whole value for one bad sequence, and
    // `%c0%ae%2F` passed although Go's PathUnescape, decoding twice, reads a `/`: found by
    // fuzzing, issue #14.) Separators, dots and controls are ASCII, so one char per byte is enough.
    const once = cur.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    if (once === cur) return undefined;
    if (pass === MAX_EXTRA_DECODINGS) return 'percent-encoded too many times for a path value';
    cur = once;
  }
}

/** Unpaired surrogates (a JSON "\ud800" escape in a claim or a backend response) have no UTF-8
 * form: encodeURIComponent throws on them (found by fuzzing, issue #14). Go's JSON decoder reads
 * them as U+FFFD, and so does Rampart here. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;
function wellFormed(v: string): string {
  return LONE_SURROGATE.test(v) ? v.replace(/[\ud800-\udfff]/gu, '\ufffd') : v;
}

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
  // Placeholders after the first '?' sit in the query: encodeURIComponent is enough there.
  const queryStart = pattern.indexOf('?');
  const re = /\{([^{}]+)\}/g;
  let last = 0;
  for (let m = re.exec(pattern); m !== null; m = re.exec(pattern)) {
    if (m.index > last) parts.push(pattern.slice(last, m.index));
    const name = m[1];
    const inPath = queryStart < 0 || m.index < queryStart;
    const resp = /^resp(\d+)_(.+)$/.exec(name);
    if (resp) parts.push({ name, inPath, resp: { index: Number(resp[1]), path: resp[2].split('.') } });
    else if (name.startsWith('JWT.')) parts.push({ name, inPath, claim: claimPath(name.slice(4)) });
    else parts.push({ name, inPath });
    last = m.index + m[0].length;
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
      if (p.inPath && unsafePathValue(v) !== undefined) return UNSAFE_VALUE;
      out += encodeURIComponent(wellFormed(v));
    }
    return out;
  };
}
