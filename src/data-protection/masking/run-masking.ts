// Per answer, after shaping and before encoding (so every output encoding gets the masked
// data): modifiers in order. A `field` path goes through objects only (not arrays) and changes
// string values only, as KrakenD documents; without `field`, every string value in the body.
// Copy-on-write: decoded data shared with other stages (caches, other backends) is never
// mutated. Too deep or too large a body fails closed (never sent unmasked).
import type { CompiledMasking, CompiledModifier, MaskingResult } from './types.js';

export const MAX_MASK_DEPTH = 256;
export const MAX_MASK_NODES = 1_000_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The copies one runMasking call made: its own, so later modifiers of the same call change them
 * in place instead of copying them again (two field modifiers under one object used to copy the
 * whole path twice). Data it did not make is never mutated. */
type Owned = Set<object>;

/** Sets an own data property; `__proto__` by definition, so it never reaches the setter. */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function atPath(data: unknown, path: readonly string[], i: number, fn: (s: string) => string, owned: Owned): unknown {
  if (i === path.length) return typeof data === 'string' ? fn(data) : data;
  if (!isObject(data) || !Object.hasOwn(data, path[i])) return data;
  const child = data[path[i]];
  const next = atPath(child, path, i + 1, fn, owned);
  if (next === child) return data;
  if (owned.has(data)) {
    put(data, path[i], next);
    return data;
  }
  const copy = { ...data };
  owned.add(copy);
  put(copy, path[i], next);
  return copy;
}

class TooLarge extends Error {}

function everywhere(data: unknown, fn: (s: string) => string, budget: { nodes: number }, depth: number): unknown {
  if (++budget.nodes > MAX_MASK_NODES || depth > MAX_MASK_DEPTH) throw new TooLarge();
  if (typeof data === 'string') return fn(data);
  if (Array.isArray(data)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < data.length; i++) {
      const v = everywhere(data[i], fn, budget, depth + 1);
      if (v !== data[i]) (copy ??= data.slice())[i] = v;
    }
    return copy ?? data;
  }
  if (isObject(data)) {
    let copy: Record<string, unknown> | null = null;
    for (const k of Object.keys(data)) {
      const v = everywhere(data[k], fn, budget, depth + 1);
      if (v !== data[k]) put((copy ??= { ...data }), k, v);
    }
    return copy ?? data;
  }
  return data;
}

function applyOne(m: CompiledModifier, data: unknown, owned: Owned): unknown {
  return m.path ? atPath(data, m.path, 0, m.apply, owned) : everywhere(data, m.apply, { nodes: 0 }, 0);
}

export function runMasking(c: CompiledMasking, data: unknown): MaskingResult {
  let out = data;
  const owned: Owned = new Set();
  try {
    for (const m of c.modifiers) out = applyOne(m, out, owned);
  } catch (e) {
    if (e instanceof TooLarge) return { ok: false, reason: `body deeper than ${MAX_MASK_DEPTH} or larger than ${MAX_MASK_NODES} values` };
    throw e;
  }
  return { ok: true, data: out };
}

/** For bodies the gateway does not decode (`no-op`, `string`): only field-less modifiers can
 * apply; with any `field` modifier the answer cannot be masked, so it fails closed. */
export function runMaskingText(c: CompiledMasking, text: string): MaskingResult {
  if (c.modifiers.some((m) => m.path)) return { ok: false, reason: 'field modifiers need a decoded body' };
  let out = text;
  for (const m of c.modifiers) out = m.apply(out);
  return { ok: true, data: out };
}
