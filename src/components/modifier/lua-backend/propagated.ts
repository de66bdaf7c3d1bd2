// lura's sequential_propagated_params as a script reads them: `resp0_first.foo` becomes the param
// `Resp0_first.foo` (the value's Go text form), `resp0` the whole earlier answer (a no-op body as
// received, decoded data as JSON).
import type { CallInput } from '../../../core/backend-result.js';

export interface Propagated {
  readonly name: string;
  readonly index: number;
  readonly path: readonly string[];
}

export function compilePropagated(list: readonly string[]): Propagated[] {
  const out: Propagated[] = [];
  for (const p of list) {
    const m = /^resp(\d+)(?:_(.+))?$/i.exec(p);
    if (!m) continue;
    out.push({ name: 'Resp' + m[1] + (m[2] ? '_' + m[2] : ''), index: Number(m[1]), path: m[2] ? m[2].split('.') : [] });
  }
  return out;
}

function goText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Adds the propagated params available to this call (earlier backends only). */
export function addPropagated(params: Record<string, string>, list: readonly Propagated[], input: CallInput): void {
  for (const p of list) {
    const data = input.responses?.[p.index];
    if (p.path.length === 0) {
      const raw = input.rawResponses?.[p.index];
      const v = raw ?? (data ? JSON.stringify(data) : undefined);
      if (v !== undefined) params[p.name] = v;
      continue;
    }
    let v: unknown = data;
    for (const k of p.path) v = v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
    const s = goText(v);
    if (s !== undefined) params[p.name] = s;
  }
}
