// Small helpers to aggregate runs and render markdown tables (printed to the terminal and to BENCHMARKS.md).

export function median(values: number[]): number | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function fmtRps(v: number | null): string {
  return v === null ? '–' : Math.round(v).toLocaleString('en-US');
}

export function fmtMs(v: number | null): string {
  if (v === null) return '–';
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

export function fmtMb(kb: number | null): string {
  return kb === null ? '–' : (kb / 1024).toFixed(1);
}

export function fmtRatio(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`;
}

export function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

export function mdTable(headers: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number): string => ((align?.[i] ?? 'l') === 'r' ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => ((align?.[i] ?? 'l') === 'r' ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(headers), sep, ...rows.map(line)].join('\n');
}

export function fmtPct(v: number | null): string {
  return v === null ? '–' : `${v.toFixed(0)}%`;
}
