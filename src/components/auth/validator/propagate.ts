// propagate_claims (docs/reference/auth-and-tls.md §1.6): claim values copied into upstream request headers, computed once
// per verified token. The header always replaces what the client sent (ctx.upstreamHeaders); a
// missing claim yields an empty value, so a client can never supply it (krakend-jose PR #124).
// Values are made header-safe: control characters are dropped and non-ASCII text is sent as its
// UTF-8 bytes (what Go writes), so no claim can split or smuggle a header.
import { compilePath, readPath } from '../common/claim-path.js';

export interface Propagation {
  path: string[];
  header: string;
}

// Headers whose meaning belongs to the transport or to the gateway itself.
const FORBIDDEN = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

export function compilePropagation(pairs: [string, string][]): Propagation[] {
  return pairs.map(([claim, header]) => {
    const h = header.toLowerCase();
    if (FORBIDDEN.has(h)) throw new Error(`propagate_claims: header "${header}" cannot be set by the gateway`);
    return { path: compilePath(claim, true), header: h };
  });
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(6);
}

const UNSAFE = /[\x00-\x1f\x7f]/g;
function sanitize(s: string): string {
  const clean = s.replace(UNSAFE, '');

  return /[^\x00-\x7f]/.test(clean) ? Buffer.from(clean, 'utf8').toString('latin1') : clean;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return num(v);
  return JSON.stringify(v) ?? '';
}

/** Flat [header, value, ...] for one token. */
export function propagatedHeaders(props: Propagation[], claims: Record<string, unknown>, preserveArray: boolean): string[] {
  const out: string[] = [];
  for (const p of props) {
    const v = readPath(claims, p.path);
    if (Array.isArray(v)) {
      if (preserveArray && v.length > 0) for (const x of v) out.push(p.header, sanitize(text(x)));
      else out.push(p.header, sanitize(v.map(text).join(',')));
    } else out.push(p.header, v === undefined ? '' : sanitize(text(v)));
  }
  return out;
}
