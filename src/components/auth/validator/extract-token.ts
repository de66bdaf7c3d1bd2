// Where the token comes from (docs/reference/auth-and-tls.md §1.4 step 1): the configured header (a "Bearer " prefix in any
// case is removed, otherwise the whole value is the token), and only when that header is absent,
// the cookie `cookie_key`. Deviation: KrakenD always falls back to an `access_token` cookie;
// Rampart reads a cookie only when `cookie_key` is configured (cookie-borne tokens are CSRF-able).
import type { IncomingMessage } from 'node:http';

/** Tokens longer than this are refused without parsing. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

export type TokenExtractor = (req: IncomingMessage) => string | undefined;

function cookieValue(header: string, name: string): string | undefined {
  let from = 0;
  while (from < header.length) {
    let end = header.indexOf(';', from);
    if (end < 0) end = header.length;
    const eq = header.indexOf('=', from);
    if (eq > from && eq < end && header.slice(from, eq).trim() === name) {
      let v = header.slice(eq + 1, end).trim();
      // Whitespace inside the quotes is no cookie-octet (RFC 6265): `"t" "` gave the token `t" `.
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).trim();
      return v;
    }
    from = end + 1;
  }
  return undefined;
}

/** Whether the value starts with "bearer " in any case, without the two strings that
 * `slice(0, 6).toLowerCase()` allocated on every request. (`| 0x20` folds ASCII upper case onto
 * lower case; no other byte maps onto "bearer" that way.) */
function hasBearerPrefix(v: string): boolean {
  return (
    v.length > 7 &&
    v.charCodeAt(6) === 32 &&
    (v.charCodeAt(0) | 0x20) === 98 && // b
    (v.charCodeAt(1) | 0x20) === 101 && // e
    (v.charCodeAt(2) | 0x20) === 97 && // a
    (v.charCodeAt(3) | 0x20) === 114 && // r
    (v.charCodeAt(4) | 0x20) === 101 && // e
    (v.charCodeAt(5) | 0x20) === 114 // r
  );
}

export function compileExtractor(headerName: string, cookieKey: string | undefined): TokenExtractor {
  const h = headerName.toLowerCase();
  return (req) => {
    const raw = req.headers[h];
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (v) {
      const t = hasBearerPrefix(v) ? v.slice(7).trim() : v.trim();
      return t || undefined;
    }
    if (cookieKey === undefined) return undefined;
    const c = req.headers.cookie;
    return c ? cookieValue(c, cookieKey) || undefined : undefined;
  };
}
