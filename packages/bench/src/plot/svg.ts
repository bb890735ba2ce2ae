/**
 * Hand-written SVG line charts: axes with "nice" ticks, labels, a legend, optional reference
 * lines and a shaded target region. No dependency and no script: the output is a static file
 * that renders the same in a browser, on GitHub and through rsvg.
 */

export interface Series {
  readonly label: string;
  /** [x, y] pairs; NaN or non-finite y values break the line. */
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
  readonly color?: string;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Explicit x tick positions (e.g. the measured dimensions on a log axis). */
  readonly xTicks?: readonly number[];
  readonly hLines?: readonly { readonly y: number; readonly label: string }[];
  readonly vLines?: readonly { readonly x: number; readonly label: string }[];
  /** A shaded rectangle in data coordinates (e.g. the goal region). */
  readonly region?: { readonly x0: number; readonly x1: number; readonly y0: number; readonly y1: number; readonly label: string };
  readonly width?: number;
  readonly height?: number;
}

/** Tableau 10: distinct, colour-blind-aware, readable on white. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Ticks at 1, 2 or 5 times a power of ten, about `target` of them across [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

function extent(values: number[]): [number, number] {
  const f = values.filter((v) => Number.isFinite(v));
  if (f.length === 0) return [0, 1];
  const lo = Math.min(...f);
  const hi = Math.max(...f);
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 460;
  const legendW = 200;
  const m = { left: 64, right: legendW + 16, top: 44, bottom: 56 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = spec.xDomain ?? extent(xs);
  const [y0, y1] = spec.yDomain ?? extent(ys);
  const logX = spec.logX === true && x0 > 0;
  const tx = (x: number) =>
    m.left + (logX ? (Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0)) : (x - x0) / (x1 - x0)) * pw;
  const logY = spec.logY === true && y0 > 0;
  const ty = (y: number) =>
    m.top + (1 - (logY ? (Math.log(y) - Math.log(y0)) / (Math.log(y1) - Math.log(y0)) : (y - y0) / (y1 - y0))) * ph;
  const clampY = (y: number) => Math.min(Math.max(y, y0), y1);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`,
  );
  if (spec.region) {
    const r = spec.region;
    const rx0 = tx(Math.max(r.x0, x0));
    const rx1 = tx(Math.min(r.x1, x1));
    const ry0 = ty(Math.min(r.y1, y1));
    const ry1 = ty(Math.max(r.y0, y0));
    if (rx1 > rx0 && ry1 > ry0) {
      parts.push(
        `<rect x="${rx0.toFixed(1)}" y="${ry0.toFixed(1)}" width="${(rx1 - rx0).toFixed(1)}" height="${(ry1 - ry0).toFixed(1)}" fill="#59a14f" fill-opacity="0.12" stroke="#59a14f" stroke-dasharray="4 3"/>`,
        `<text x="${(rx0 + 6).toFixed(1)}" y="${(ry0 + 16).toFixed(1)}" fill="#3b7a35" font-size="11">${escapeXml(r.label)}</text>`,
      );
    }
  }
  // Grid and ticks.
  const xTicks = spec.xTicks ?? (logX ? logTicks(x0, x1) : niceTicks(x0, x1));
  const yTicks = logY ? logTicks(y0, y1) : niceTicks(y0, y1);
  for (const t of xTicks) {
    const x = tx(t).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#e6e6e6"/>`,
      `<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle" fill="#333">${fmt(t)}</text>`,
    );
  }
  for (const t of yTicks) {
    const y = ty(t).toFixed(1);
    parts.push(
      `<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#e6e6e6"/>`,
      `<text x="${m.left - 8}" y="${(ty(t) + 4).toFixed(1)}" text-anchor="end" fill="#333">${fmt(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle" font-size="13">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(spec.yLabel)}</text>`,
  );
  for (const h of spec.hLines ?? []) {
    if (h.y < y0 || h.y > y1) continue;
    const y = ty(h.y).toFixed(1);
    parts.push(
      `<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#555" stroke-dasharray="6 4"/>`,
      `<text x="${m.left + pw - 4}" y="${(ty(h.y) - 5).toFixed(1)}" text-anchor="end" fill="#555" font-size="11">${escapeXml(h.label)}</text>`,
    );
  }
  for (const v of spec.vLines ?? []) {
    if (v.x < x0 || v.x > x1) continue;
    const x = tx(v.x).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#555" stroke-dasharray="6 4"/>`,
      `<text x="${(tx(v.x) + 4).toFixed(1)}" y="${m.top + 14}" fill="#555" font-size="11">${escapeXml(v.label)}</text>`,
    );
  }
  // Series, clipped to the plot area.
  parts.push(`<clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath>`, '<g clip-path="url(#plot)">');
  spec.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const segs: string[][] = [[]];
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y) || (logX && x <= 0) || (logY && y <= 0)) {
        segs.push([]);
        continue;
      }
      segs[segs.length - 1]!.push(`${tx(x).toFixed(1)},${ty(clampY(y)).toFixed(1)}`);
    }
    for (const seg of segs) {
      if (seg.length > 1) {
        parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${seg.join(' ')}"/>`);
      }
      for (const p of seg) {
        const [cx, cy] = p.split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
      }
    }
  });
  parts.push('</g>');
  // Legend.
  const lx = W - legendW - 4;
  spec.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const y = m.top + 10 + i * 20;
    parts.push(
      `<line x1="${lx}" y1="${y}" x2="${lx + 24}" y2="${y}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<circle cx="${lx + 12}" cy="${y}" r="3" fill="${color}"/>`,
      `<text x="${lx + 30}" y="${y + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
