// How Go prints template values, so a body generated here reads as KrakenD's would: fmt's %v
// for JSON-decoded data (float64 numbers, map[string]interface{} with sorted keys, []interface{})
// and encoding/json for toJson (sorted keys, <, >, & escaped).

/**
 * fmt's %v for float64: the shortest digits, in exponent form when the exponent is below -4 or
 * at least 6 (so 1000000 prints as 1e+06, as KrakenD's templates print a JSON number).
 */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, e] = f.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f); // JS prints plain decimals in this exponent range, with the same digits.
}

/** fmt %v of a template value. undefined is Go's invalid value. */
export function goValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return goFloat(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return '<nil>';
  }
  if (Array.isArray(v)) return `[${v.map(goNested).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o)
    .sort()
    .map((k) => `${k}:${goNested(o[k])}`)
    .join(' ')}]`;
}

function goNested(v: unknown): string {
  return v === null || v === undefined ? '<nil>' : goValue(v);
}

function escapeHtml(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** json.Marshal: map keys sorted, HTML characters escaped (Sprig's toJson). */
export function goJson(v: unknown, indent = ''): string {
  const sorted = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x === undefined ? null : x;
    if (Array.isArray(x)) return x.map(sorted);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x as object).sort()) {
      Object.defineProperty(out, k, { value: sorted((x as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return escapeHtml(JSON.stringify(sorted(v), null, indent) ?? 'null');
}
