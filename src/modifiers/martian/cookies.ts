// Go net/http cookie rules used by cookie.Modifier and cookie.Filter.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function validCookieName(n: string): boolean {
  return TOKEN.test(n);
}

/** Go's validCookieValueByte: 0x20 < b < 0x7f, not `"`, `;` or `\`. Space and comma are allowed (then quoted). */
export function validCookieValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x3b || c === 0x5c) return false;
  }
  return true;
}

/** sanitizeCookieValue for an already valid value: quoted when it has a space or a comma. */
export function cookieValueOut(v: string): string {
  return v.includes(' ') || v.includes(',') ? `"${v}"` : v;
}

/** parseCookieValue(raw, allowDoubleQuote=true). */
function parseValue(raw: string): string | undefined {
  let v = raw;
  if (v.length > 1 && v[0] === '"' && v[v.length - 1] === '"') v = v.slice(1, -1);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x3b || c === 0x5c) {
      if (c !== 0x20 && c !== 0x2c) return undefined;
    }
  }
  return v;
}

/** Request.Cookies(): every `name=value` of every Cookie header line; invalid ones skipped. */
export function requestCookies(lines: readonly string[] | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of lines ?? []) {
    for (const part of line.split(';')) {
      const p = part.trim();
      if (p === '') continue;
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      if (!validCookieName(name)) continue;
      const v = parseValue(eq < 0 ? '' : p.slice(eq + 1));
      if (v !== undefined) out.push([name, v]);
    }
  }
  return out;
}

/** Response.Cookies(): the name=value that starts each Set-Cookie line. */
export function responseCookies(lines: readonly string[] | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of lines ?? []) {
    const first = line.split(';')[0].trim();
    const eq = first.indexOf('=');
    if (eq < 0) continue;
    const name = first.slice(0, eq).trim();
    if (!validCookieName(name)) continue;
    const v = parseValue(first.slice(eq + 1));
    if (v !== undefined) out.push([name, v]);
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** http.TimeFormat ("Mon, 02 Jan 2006 15:04:05 GMT"). */
export function httpDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCFullYear()).padStart(4, '0')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`;
}

export interface CookieSpec {
  name: string;
  value: string;
  path: string;
  domain: string;
  /** Epoch ms, or null when unset (Go's zero time). */
  expires: number | null;
  secure: boolean;
  httpOnly: boolean;
  maxAge: number;
}

/** Cookie.String() for a response Set-Cookie line (attribute order as in Go). */
export function setCookieLine(c: CookieSpec): string {
  let s = `${c.name}=${cookieValueOut(c.value)}`;
  if (c.path !== '') s += `; Path=${c.path}`;
  if (c.domain !== '') s += `; Domain=${c.domain[0] === '.' ? c.domain.slice(1) : c.domain}`;
  if (c.expires !== null && new Date(c.expires).getUTCFullYear() >= 1601) s += `; Expires=${httpDate(c.expires)}`;
  if (c.maxAge > 0) s += `; Max-Age=${c.maxAge}`;
  else if (c.maxAge < 0) s += '; Max-Age=0';
  if (c.httpOnly) s += '; HttpOnly';
  if (c.secure) s += '; Secure';
  return s;
}
