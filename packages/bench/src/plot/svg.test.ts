import { describe, expect, it } from 'vitest';
import { escapeXml, lineChart, niceTicks } from './svg.js';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten and covers the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 6)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(niceTicks(0.5, 0.95, 5)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('lineChart', () => {
  const svg = lineChart({
    title: 'Recall <vs> beta',
    xLabel: 'beta',
    yLabel: 'recall@10',
    series: [
      { label: 'a & b', points: [[0, 1], [1, 0.9], [2, Number.NaN], [3, 0.5]] },
      { label: 'c', points: [[0, 0.8], [3, 0.2]], dashed: true },
    ],
    yDomain: [0, 1],
    hLines: [{ y: 0.95, label: 'target' }],
    region: { x0: 0, x1: 1, y0: 0.95, y1: 1, label: 'goal' },
  });

  it('is a standalone SVG document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Recall &lt;vs&gt; beta');
    expect(svg).toContain('a &amp; b');
    expect(svg).not.toContain('NaN');
  });

  it('draws one polyline per unbroken run of points, a legend entry per series and the reference line', () => {
    expect(svg.match(/<polyline/g)).toHaveLength(2); // first series is split by NaN: [0,1] then [3] alone (no line)
    expect(svg).toContain('stroke-dasharray="6 4" points=');
    expect(svg).toContain('>target<');
    expect(svg).toContain('>goal<');
  });

  it('escapes all XML special characters', () => {
    expect(escapeXml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});
