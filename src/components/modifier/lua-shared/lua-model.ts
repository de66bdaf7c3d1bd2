// Converting between the gateway's request/response parts and the engine's plain models: flat
// header lists <-> Go-style multimaps, query strings, lura's param names (first letter upper
// case), and the checks on what a script hands back (a header it sets must be a valid field, a
// framing header is never taken from a script).
import type { LuaMultiMap } from '../../../scripting/lua/types.js';

/** Framing and routing headers the gateway owns: a script can neither read them into a request
 * it changes nor set them. */
const OWNED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

export function multiOfFlat(flat: readonly string[]): LuaMultiMap {
  const out: LuaMultiMap = {};
  for (let i = 0; i < flat.length; i += 2) (out[flat[i]] ??= []).push(flat[i + 1]);
  return out;
}

/** A script's headers as a flat lower-case list, without owned or malformed fields. */
export function flatOfMulti(m: LuaMultiMap): string[] {
  const out: string[] = [];
  for (const [k, vs] of Object.entries(m)) {
    const name = k.toLowerCase();
    if (OWNED.has(name) || !TOKEN.test(name)) continue;
    for (const v of vs) if (!BAD_VALUE.test(v)) out.push(name, v);
  }
  return out;
}

export function multiOfQuery(q: string): LuaMultiMap {
  const out: LuaMultiMap = {};
  if (!q) return out;
  for (const [k, v] of new URLSearchParams(q)) (out[k] ??= []).push(v);
  return out;
}

/** Encoded with the keys sorted, as Go's url.Values.Encode (a Lua table has no order). */
export function queryOfMulti(m: LuaMultiMap): string {
  const p = new URLSearchParams();
  for (const k of Object.keys(m).sort()) for (const v of m[k]) p.append(k, v);
  return p.toString();
}

/** Names lower-cased (the engine hands headers back under Go's canonical names). */
export function lowerKeys(m: LuaMultiMap): LuaMultiMap {
  const out: LuaMultiMap = {};
  for (const [k, v] of Object.entries(m)) {
    const name = k.toLowerCase();
    out[name] = out[name] ? out[name].concat(v) : v;
  }
  return out;
}

export function sameMulti(a: LuaMultiMap, b: LuaMultiMap): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = a[k];
    const y = b[k];
    if (!y || x.length !== y.length || x.some((v, i) => v !== y[i])) return false;
  }
  return true;
}

const upperFirst = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** lura's names: `id` -> `Id`; returns the names map to write changes back. */
export function luraParams(params: Record<string, string>): { params: Record<string, string>; back: Map<string, string> } {
  const out: Record<string, string> = {};
  const back = new Map<string, string>();
  for (const [k, v] of Object.entries(params)) {
    const name = upperFirst(k);
    out[name] = v;
    back.set(name, k);
  }
  return { params: out, back };
}

/** A script's params under the gateway's names (a new one keeps the script's spelling). */
export function gatewayParams(params: Record<string, string>, back: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[back.get(k) ?? k] = v;
  return out;
}

/** Body text for a script (KrakenD hands scripts strings); '' when there is none. */
export function bodyText(b: Buffer | null): string {
  return b ? b.toString('utf8') : '';
}

/** The body after a script: the original bytes when the script left the text alone. */
export function bodyAfter(before: Buffer | null, beforeText: string, after: string): Buffer | null {
  if (after === beforeText) return before;
  return Buffer.from(after, 'utf8');
}

/** A flat lower-case header list with a script's header patch (canonical name -> values, null:
 * removed) applied: every field under a patched name goes, its new values come last. Owned or
 * malformed names and values are never taken from the script (as flatOfMulti). */
export function flatWithSet(flat: readonly string[], set: Readonly<Record<string, readonly string[] | null>>): string[] {
  const names = new Map<string, readonly string[] | null>();
  for (const k of Object.keys(set)) {
    const name = k.toLowerCase();
    if (!OWNED.has(name) && TOKEN.test(name)) names.set(name, set[k]);
  }
  if (names.size === 0) return flat as string[];
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (!names.has(flat[i])) out.push(flat[i], flat[i + 1]);
  for (const [name, vs] of names) if (vs) for (const v of vs) if (!BAD_VALUE.test(v)) out.push(name, v);
  return out;
}

/** A flat header list without the gateway's framing fields (a rewritten body gets its own). */
export function flatWithoutOwned(flat: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (!OWNED.has(flat[i])) out.push(flat[i], flat[i + 1]);
  return out;
}
