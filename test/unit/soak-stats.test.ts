// The soak's arithmetic and plot (scripts/soak/): the RSS slope is judged on these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plotSvg } from '../../scripts/soak/plot.js';
import { leastSquares, quantile } from '../../scripts/soak/stats.js';

test('least squares recovers a line, and is flat for flat data', () => {
  const pts = Array.from({ length: 50 }, (_, i) => ({ x: i / 10, y: 3 + 0.5 * (i / 10) + (i % 2 ? 0.01 : -0.01) }));
  const f = leastSquares(pts);
  assert.ok(Math.abs(f.slope - 0.5) < 0.01, String(f.slope));
  assert.ok(Math.abs(f.intercept - 3) < 0.05, String(f.intercept));
  assert.ok(Math.abs(leastSquares(pts.map((p) => ({ x: p.x, y: 7 }))).slope) < 1e-9);
  assert.ok(Number.isNaN(leastSquares([{ x: 1, y: 1 }]).slope));
});

test('quantile by nearest rank', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(quantile(xs, 0.99), 99);
  assert.equal(quantile(xs, 0.5), 50);
  assert.equal(quantile([5], 0.99), 5);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('the plot is an SVG with one polyline per series, every point drawn', () => {
  const svg = plotSvg('t <&>', [
    {
      title: 'a',
      unit: 'MiB',
      color: '#000',
      points: [
        { x: 0, y: 1 },
        { x: 1, y: 2 },
        { x: 2, y: 3 },
      ],
      fit: { slope: 1, intercept: 1, label: 'fit' },
    },
    {
      title: 'b',
      unit: 'ms',
      color: '#f00',
      points: [
        { x: 0, y: 5 },
        { x: 2, y: NaN },
      ],
    },
  ]);
  assert.match(svg, /^<\?xml/);
  assert.match(svg, /t &lt;&amp;&gt;/);
  const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1].split(' ').length);
  assert.deepEqual(lines, [3, 1]);
  assert.ok(!svg.includes('NaN'));
});
