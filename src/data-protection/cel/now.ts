// KrakenD's `now`: time.Now().Format("2006-01-02T15:04:05.999Z07:00") in process-local time,
// fraction with trailing zeros trimmed (none when zero), `Z` for UTC, else ±hh:mm.
// Examples: 2026-12-03T10:00:00.5+01:00, 2026-12-03T09:00:05Z.
export function krakendNow(d: Date = new Date()): string {
  const offset = -d.getTimezoneOffset(); // minutes east of UTC
  const iso = new Date(d.getTime() + offset * 60_000).toISOString();
  const ms = iso.slice(20, 23).replace(/0+$/, '');
  let out = iso.slice(0, 19) + (ms ? '.' + ms : '');
  if (offset === 0) return out + 'Z';
  const abs = Math.abs(offset);
  out += (offset > 0 ? '+' : '-') + String(Math.floor(abs / 60)).padStart(2, '0') + ':' + String(abs % 60).padStart(2, '0');
  return out;
}
