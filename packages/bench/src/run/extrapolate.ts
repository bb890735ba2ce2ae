/**
 * How recall at a fixed (beta, depth) falls as the collection grows, and how far the measured
 * curve can be extended. Our text-embedding sets have about 1,000 rows, where a re-rank of
 * x10 already sees a tenth of the collection, so their curves are extrapolated, and the method
 * is checked on the sets that are large enough (a backtest).
 *
 * Model: logit(recall) = a + b log10(n), fitted by least squares on the LOCAL_POINTS largest
 * measured sizes where the re-rank does not already see every row (k x depth < n; there recall
 * is 1 by construction and says nothing about size). Only the largest sizes: the measured
 * curves flatten as n grows (the simulation: 0.990, 0.944, 0.920 at 1k, 10k, 100k), so
 * the slope at the top of the measured range is the least pessimistic straight line; it still
 * tends to overstate the loss, which the backtest shows. Recall is clamped to [e, 1 - e] with
 * e = 0.5 / (k x queries), half a hit, so a perfect score has a finite logit. Why this form: the
 * chance that a true neighbour is pushed out of the candidate list grows with the number of rows
 * that can overtake it, which grows with n; on the sets we can measure, recall falls roughly
 * linearly in log n in logit space until it saturates. The backtest reports the error of fitting
 * only sizes <= 1,000 (as the text sets allow) and predicting the larger sizes that were measured.
 */
import type { ScaleRun } from './run-scale.js';

export interface SizeFit {
  readonly a: number;
  readonly b: number;
  /** Sizes the fit used (k x depth < size). */
  readonly sizes: readonly number[];
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** How many of the largest usable sizes the fit uses. */
export const LOCAL_POINTS = 3;

export function fitSizeCurve(points: readonly { size: number; recall: number }[], candidates: number, k: number, queries: number): SizeFit | undefined {
  const eps = 0.5 / Math.max(1, k * queries);
  const usable = points
    .filter((p) => candidates < p.size && Number.isFinite(p.recall))
    .sort((a, b) => a.size - b.size)
    .slice(-LOCAL_POINTS);
  if (new Set(usable.map((p) => p.size)).size < 2) return undefined;
  const xs = usable.map((p) => Math.log10(p.size));
  const ys = usable.map((p) => logit(Math.min(1 - eps, Math.max(eps, p.recall))));
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  // Recall cannot rise with size at a fixed depth; a rising fit is noise, so it is held flat.
  const b = Math.min(0, sxx > 0 ? sxy / sxx : 0);
  return { a: my - b * mx, b, sizes: usable.map((p) => p.size) };
}

export function predictRecall(fit: SizeFit, size: number): number {
  return sigmoid(fit.a + fit.b * Math.log10(size));
}

export interface Extrapolation {
  readonly betaRel: number;
  readonly depth: number;
  readonly search: 'exact' | 'hnsw';
  readonly measuredSize: number;
  readonly measured: number;
  readonly fit?: SizeFit;
  /** Predicted recall at each extrapolation size. */
  readonly predicted: readonly { readonly size: number; readonly recall: number }[];
}

function curve(run: ScaleRun, betaRel: number, depth: number, search: 'exact' | 'hnsw', maxSize = Infinity) {
  return run.points.filter((p) => p.betaRel === betaRel && p.depth === depth && p.search === search && p.size <= maxSize);
}

export function extrapolate(run: ScaleRun, to: readonly number[]): Extrapolation[] {
  const out: Extrapolation[] = [];
  const searches = [...new Set(run.points.map((p) => p.search))];
  for (const search of searches) {
    for (const betaRel of run.betas) {
      for (const depth of run.depths) {
        const pts = curve(run, betaRel, depth, search);
        const last = pts.find((p) => p.size === run.fullRows);
        if (!last) continue;
        const fit = fitSizeCurve(pts, run.k * depth, run.k, run.queries);
        out.push({
          betaRel,
          depth,
          search,
          measuredSize: run.fullRows,
          measured: last.recall,
          ...(fit ? { fit } : {}),
          predicted: fit ? to.filter((s) => s > run.fullRows).map((size) => ({ size, recall: predictRecall(fit, size) })) : [],
        });
      }
    }
  }
  return out;
}

export interface BacktestRow {
  readonly betaRel: number;
  readonly depth: number;
  readonly search: 'exact' | 'hnsw';
  readonly size: number;
  readonly measured: number;
  readonly predicted: number;
}

/** Fit on sizes <= fitMax only, predict every larger measured size. */
export function backtest(run: ScaleRun, fitMax: number): BacktestRow[] {
  const out: BacktestRow[] = [];
  const searches = [...new Set(run.points.map((p) => p.search))];
  for (const search of searches) {
    for (const betaRel of run.betas) {
      for (const depth of run.depths) {
        const fit = fitSizeCurve(curve(run, betaRel, depth, search, fitMax), run.k * depth, run.k, run.queries);
        if (!fit) continue;
        for (const p of curve(run, betaRel, depth, search).filter((q) => q.size > fitMax)) {
          out.push({ betaRel, depth, search, size: p.size, measured: p.recall, predicted: predictRecall(fit, p.size) });
        }
      }
    }
  }
  return out;
}
