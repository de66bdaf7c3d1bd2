// Go duration strings as KrakenD writes them ("300ms", "1.5s", "1h30m"). Go's time.ParseDuration
// syntax is accepted (a superset of the schema's single-unit pattern) so every config KrakenD
// runs also runs here. Unlike lura, an unparsable value is an error, never a silent zero.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/y;

/** Returns milliseconds, or undefined when the text is not a valid non-negative Go duration. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0 || text.length > 64) return undefined;
  let s = text;
  if (s[0] === '+') s = s.slice(1);
  if (s.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Pattern used in Rampart's JSON Schema for duration fields (checked again by parseDuration). */
export const DURATION_PATTERN = '^\\+?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$';
