// Feed dates as gofeed's `...Parsed` fields carry them once Go's JSON encoder writes a time.Time:
// RFC 3339 with the offset the text gave ("Z" for a zero offset), fractional seconds only when
// present. Parsed: RFC 3339 / ISO 8601 and RFC 822/1123 (with or without the weekday, 2- or
// 4-digit years). A zone abbreviation other than GMT/UT/UTC/Z reads as a zero offset with the
// wall clock kept, as Go's time.Parse does for an abbreviation it does not know (the usual case
// in a container running in UTC). Text that parses as none of these gives no parsed field.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;
const RFC822 = /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([A-Za-z]{1,5}|[+-]\d{4})?$/;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function offsetMinutes(z: string | undefined): number {
  if (!z || /^[A-Za-z]+$/.test(z)) return 0;
  const d = z.replace(':', '');
  const m = Number(d.slice(1, 3)) * 60 + Number(d.slice(3, 5));
  return d[0] === '-' ? -m : m;
}

function format(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string, off: number): string | undefined {
  // Validate through Date (rejects 31 February and the like).
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (Number.isNaN(t) || back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const f = frac.replace(/0+$/, '');
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${f === '.' ? '' : f}${zone}`;
}

/** The Go JSON form of a feed date, or undefined when gofeed would not parse it either. */
export function goTime(text: string): string | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  let m = RFC3339.exec(s);
  if (m) return format(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0), m[7] ?? '', offsetMinutes(m[8]));
  m = RFC822.exec(s);
  if (m) {
    const mo = MONTHS.indexOf(m[2].toLowerCase()) + 1;
    if (mo === 0) return undefined;
    const y = m[3].length === 2 ? 2000 + Number(m[3]) - (Number(m[3]) >= 69 ? 100 : 0) : Number(m[3]);
    return format(y, mo, +m[1], +m[4], +m[5], +(m[6] ?? 0), '', offsetMinutes(m[7]));
  }
  return undefined;
}
