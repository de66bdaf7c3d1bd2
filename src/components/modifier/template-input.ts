// What a body template sees of the request, built from what Rampart already filtered (the
// headers and query the endpoint forwards, never the raw client request), and small helpers the
// generators share.
import type { RequestTemplateInput } from '../../modifiers/body-generator/index.js';
import type { CallInput } from '../../core/backend-result.js';

export function headerEntries(flat: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i < flat.length; i += 2) {
    const k = flat[i].toLowerCase();
    const prev = m.get(k);
    if (prev) prev.push(flat[i + 1]);
    else m.set(k, [flat[i + 1]]);
  }
  return m;
}

/** Flat headers with every `name` replaced by one value. */
export function withHeader(flat: readonly string[], name: string, value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() !== name) out.push(flat[i], flat[i + 1]);
  out.push(name, value);
  return out;
}

export function queryRecord(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  if (raw === '') return out;
  for (const [k, v] of new URLSearchParams(raw)) (out[k] ??= []).push(v);
  return out;
}

/** KrakenD passes path parameters with the first letter upper-cased ({id} -> .Id). */
export function kdParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(params)) out[k.charAt(0).toUpperCase() + k.slice(1)] = v;
  return out;
}

/** The parsed JSON body, or null (none, or not JSON). */
export function jsonOrNull(body: Buffer | null): unknown {
  if (body === null || body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}

export function requestInput(input: CallInput, headers: readonly string[] = input.headers): RequestTemplateInput {
  return {
    body: jsonOrNull(input.body),
    headers: headerEntries(headers),
    params: kdParams(input.params),
    query: queryRecord(input.query),
    path: input.ctx.path,
    method: input.ctx.method,
  };
}
