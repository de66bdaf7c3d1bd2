// The soak plot: RSS (sum of the gateway's processes) and p99 latency of the healthy route over
// time, as a hand-written SVG (two panels sharing the time axis). No plotting dependency.

export interface Series {
  title: string;
  unit: string;
  points: { x: number; y: number }[];
  color: string;
  /** An optional straight line drawn over the points (the least-squares fit), from `from` on. */
  fit?: { slope: number; intercept: number; label: string; from?: number };
}

const W = 900;
const PANEL_H = 220;
const M = { left: 70, right: 20, top: 40, bottom: 40 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Round tick steps (1, 2, 5 x 10^k) giving about `n` ticks over [lo, hi]. */
function ticks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

function panel(s: Series, top: number, xMax: number): string {
  const ys = s.points.map((p) => p.y).filter(Number.isFinite);
  const yMax = Math.max(1, ...ys) * 1.1;
  const yMin = 0;
  const plotW = W - M.left - M.right;
  const plotH = PANEL_H - M.top - M.bottom;
  const x = (v: number) => M.left + (v / (xMax || 1)) * plotW;
  const y = (v: number) => top + M.top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${M.left}" y="${top + 24}" font-size="15" font-weight="bold">${esc(s.title)}</text>`);
  for (const t of ticks(yMin, yMax)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 8}" y="${(y(t) + 4).toFixed(1)}" font-size="11" text-anchor="end">${t}</text>`);
  }
  for (const t of ticks(0, xMax, 10)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top + M.top}" y2="${top + M.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${top + M.top + plotH + 16}" font-size="11" text-anchor="middle">${t}</text>`);
  }
  parts.push(
    `<text x="16" y="${top + M.top + plotH / 2}" font-size="12" transform="rotate(-90 16 ${top + M.top + plotH / 2})" text-anchor="middle">${esc(s.unit)}</text>`,
  );
  parts.push(`<rect x="${M.left}" y="${top + M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  const pts = s.points.filter((p) => Number.isFinite(p.y)).map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`);
  if (pts.length) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
  if (s.fit && Number.isFinite(s.fit.slope)) {
    const x0 = s.fit.from ?? s.points[0]?.x ?? 0;
    const x1 = s.points[s.points.length - 1]?.x ?? xMax;
    const f = (v: number) => s.fit!.intercept + s.fit!.slope * v;
    parts.push(
      `<line x1="${x(x0).toFixed(1)}" y1="${y(f(x0)).toFixed(1)}" x2="${x(x1).toFixed(1)}" y2="${y(f(x1)).toFixed(1)}" stroke="#333" stroke-dasharray="6 4"/>`,
    );
    parts.push(`<text x="${W - M.right}" y="${top + 24}" font-size="12" text-anchor="end">${esc(s.fit.label)}</text>`);
  }
  return parts.join('\n');
}

/** Both panels, x in minutes. */
export function plotSvg(title: string, series: Series[]): string {
  const xMax = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.x)));
  const H = 40 + series.length * PANEL_H + 20;
  const body = series.map((s, i) => panel(s, 40 + i * PANEL_H, xMax)).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="26" font-size="17" text-anchor="middle">${esc(title)}</text>
${body}
<text x="${W / 2}" y="${H - 6}" font-size="12" text-anchor="middle">minutes since start</text>
</svg>
`;
}
