/**
 * Figures of the size and depth sweep: recall@10 against collection size per depth (measured
 * solid, extrapolated dashed), and the recall-versus-leakage frontier per depth (exact
 * candidates solid, HNSW dashed) for each dataset at its largest size.
 */
import { lineChart, PALETTE, type Series } from '../plot/svg.js';
import { type DepthPoint, DEFAULT_LEAKAGE, RECALL_RATIO } from '../run/depth-presets.js';
import { extrapolate } from '../run/extrapolate.js';
import type { ScaleRun } from '../run/run-scale.js';
import { slug } from './plots.js';

export function sizePlotName(run: ScaleRun, depth: number): string {
  return `size-${slug(run.name)}-x${depth}.svg`;
}

export function depthFrontierName(run: ScaleRun): string {
  return `depth-frontier-${slug(run.name)}.svg`;
}

export function sizePlot(run: ScaleRun, depth: number, extrapolateTo: readonly number[]): string {
  const series: Series[] = [];
  const ext = extrapolate(run, extrapolateTo).filter((e) => e.depth === depth);
  run.betas.forEach((b, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const pts = run.points.filter((p) => p.betaRel === b && p.depth === depth && p.search === 'exact').map((p) => [p.size, p.recall] as const);
    series.push({ label: `beta ${b}`, color, points: pts });
    const e = ext.find((x) => x.betaRel === b);
    if (e?.predicted.length) {
      series.push({ label: `beta ${b} (extrapolated)`, color, dashed: true, points: [[e.measuredSize, e.measured] as const, ...e.predicted.map((p) => [p.size, p.recall] as const)] });
    }
  });
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lineChart({
    title: `${run.name}: recall@${run.k} with exact re-rank of x${depth} candidates, by collection size`,
    xLabel: 'collection size (rows, log scale)',
    yLabel: `recall@${run.k}`,
    series,
    logX: true,
    xDomain: [lo, hi > lo ? hi : lo * 10],
    yDomain: [0, 1],
    hLines: [{ y: RECALL_RATIO, label: `${RECALL_RATIO}` }],
    height: Math.max(460, 80 + series.length * 20),
  });
}

export function depthFrontier(run: ScaleRun, points: readonly DepthPoint[]): string {
  const mine = points.filter((p) => p.dataset === run.name);
  const series: Series[] = [];
  run.depths.forEach((d, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const at = mine.filter((p) => p.depth === d).sort((a, b) => a.betaRel - b.betaRel);
    series.push({ label: `x${d} exact`, color, points: at.map((p) => [p.attackMean, p.ratio.exact] as const) });
    if (at.some((p) => p.ratio.hnsw !== undefined)) {
      series.push({ label: `x${d} HNSW`, color, dashed: true, points: at.map((p) => [p.attackMean, p.ratio.hnsw ?? Number.NaN] as const) });
    }
  });
  return lineChart({
    title: `${run.name} (${run.fullRows} rows): recall versus leakage by re-rank depth (one point per beta)`,
    xLabel: 'best attack with 1,000 known pairs: mean cosine (lower is more private)',
    yLabel: 'recall@10 / plaintext recall@10',
    series,
    xDomain: [0.4, 1],
    yDomain: [0, 1.02],
    region: { x0: 0, x1: DEFAULT_LEAKAGE, y0: RECALL_RATIO, y1: 1.02, label: 'goal' },
  });
}
