/**
 * How recall at a fixed (beta, depth) falls as the collection grows, and how far the measured
 * curve can be extended. Our text-embedding sets have about 1,000 rows, where a re-rank of x10
 * already sees a tenth of the collection, so their curves are extrapolated, and the method is
 * checked on the sets that are large enough (a backtest).
 *
 * Model, depth-size equivalence: a true neighbour is lost when more than `candidates` rows
 * overtake it in the noisy order, and the number that do grows with the collection as n^alpha
 * (alpha < 1: the extra rows are mostly far from the query). So recall with c candidates among
 * n' rows equals recall with c (n / n')^alpha candidates among n rows:
 *
 *   R(n', c) = R(n, c (n / n')^alpha)
 *
 * R(n, .) is measured on a fine grid of candidate counts at every size (one candidate list,
 * prefixes of it), interpolated in log(candidates); alpha is estimated from the dataset's own
 * sizes: for each pair of sizes n1 < n2 and grid count c2, the c1 with R(n1, c1) = R(n2, c2)
 * gives alpha = ln(c2 / c1) / ln(n2 / n1); the median over every usable pair and beta is kept.
 * The backtest estimates alpha and predicts from sizes <= 1,000 only (as the text sets allow) and
 * compares with what was measured at the larger sizes.
 */
import type { RecallCurve, ScaleRun } from './run-scale.js';

/** Recall at `c` candidates from a measured curve, linear in log(candidates) between grid points. */
export function recallAtCandidates(curve: RecallCurve, c: number): number {
  const xs = curve.candidates;
  const ys = curve.recall;
  if (xs.length === 0) return Number.NaN;
  if (c <= xs[0]!) return ys[0]! * Math.min(1, c / xs[0]!);
  if (c >= xs[xs.length - 1]!) return ys[ys.length - 1]!;
  let i = 1;
  while (xs[i]! < c) i++;
  const t = (Math.log(c) - Math.log(xs[i - 1]!)) / (Math.log(xs[i]!) - Math.log(xs[i - 1]!));
  return ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
}

/** The candidate count at which a curve reaches recall r (inverse of the interpolation), or undefined outside its range. */
export function candidatesFor(curve: RecallCurve, r: number): number | undefined {
  const xs = curve.candidates;
  const ys = curve.recall;
  for (let i = 1; i < xs.length; i++) {
    const lo = ys[i - 1]!;
    const hi = ys[i]!;
    if (hi > lo && r >= lo && r <= hi) {
      const t = (r - lo) / (hi - lo);
      return Math.exp(Math.log(xs[i - 1]!) + t * (Math.log(xs[i]!) - Math.log(xs[i - 1]!)));
    }
  }
  return undefined;
}

export interface AlphaEstimate {
  readonly alpha: number;
  /** (size pair, count) matches the median was taken over. */
  readonly samples: number;
}

/** Recall strictly inside (LOW, HIGH) is informative; near 0 or 1 the curve is flat and the match ill-defined. */
const LOW = 0.05;
const HIGH = 0.995;

export function estimateAlpha(curves: readonly RecallCurve[], maxSize = Infinity): AlphaEstimate | undefined {
  const est: number[] = [];
  const bySize = curves.filter((c) => c.size <= maxSize);
  for (const a of bySize) {
    for (const b of bySize) {
      if (a.betaRel !== b.betaRel || !(a.size < b.size)) continue;
      b.candidates.forEach((c2, i) => {
        const r = b.recall[i]!;
        if (c2 >= b.size || !(r > LOW && r < HIGH)) return;
        const c1 = candidatesFor(a, r);
        if (c1 === undefined || c1 >= a.size) return;
        est.push(Math.log(c2 / c1) / Math.log(b.size / a.size));
      });
    }
  }
  if (est.length === 0) return undefined;
  est.sort((x, y) => x - y);
  const m = est.length >> 1;
  const alpha = est.length % 2 ? est[m]! : (est[m - 1]! + est[m]!) / 2;
  return { alpha: Math.max(0, alpha), samples: est.length };
}

/** R(to, c) from the curve measured at `from.size`. */
export function predictRecall(from: RecallCurve, alpha: number, to: number, candidates: number): number {
  return recallAtCandidates(from, candidates * (from.size / to) ** alpha);
}

export interface Extrapolation {
  readonly betaRel: number;
  readonly depth: number;
  readonly measuredSize: number;
  readonly measured: number;
  readonly alpha?: number;
  /** Matches alpha's median was taken over. */
  readonly samples?: number;
  /** Predicted recall at each extrapolation size (empty when alpha could not be estimated). */
  readonly predicted: readonly { readonly size: number; readonly recall: number }[];
}

function largestCurve(run: ScaleRun, betaRel: number, maxSize = Infinity): RecallCurve | undefined {
  return (run.curves ?? []).filter((c) => c.betaRel === betaRel && c.size <= maxSize).sort((a, b) => b.size - a.size)[0];
}

/** Exact-candidate recall of every (beta, depth) extended to the sizes `to` above the measured ones. */
export function extrapolate(run: ScaleRun, to: readonly number[]): Extrapolation[] {
  const a = estimateAlpha(run.curves ?? []);
  const out: Extrapolation[] = [];
  for (const betaRel of run.betas) {
    const from = largestCurve(run, betaRel);
    if (!from) continue;
    for (const depth of run.depths) {
      const c = run.k * depth;
      out.push({
        betaRel,
        depth,
        measuredSize: from.size,
        measured: recallAtCandidates(from, c),
        ...(a ? { alpha: a.alpha, samples: a.samples } : {}),
        predicted: a ? to.filter((s) => s > from.size).map((size) => ({ size, recall: predictRecall(from, a.alpha, size, c) })) : [],
      });
    }
  }
  return out;
}

export interface BacktestRow {
  readonly betaRel: number;
  readonly depth: number;
  readonly size: number;
  readonly measured: number;
  readonly predicted: number;
}

/** Estimate alpha and predict from sizes <= fitMax only; compare with every larger measured size. */
export function backtest(run: ScaleRun, fitMax: number): { alpha?: number; samples?: number; rows: BacktestRow[] } {
  const a = estimateAlpha(run.curves ?? [], fitMax);
  if (!a) return { rows: [] };
  const rows: BacktestRow[] = [];
  for (const betaRel of run.betas) {
    const from = largestCurve(run, betaRel, fitMax);
    if (!from) continue;
    for (const p of run.points) {
      if (p.search !== 'exact' || p.betaRel !== betaRel || p.size <= fitMax) continue;
      rows.push({ betaRel, depth: p.depth, size: p.size, measured: p.recall, predicted: predictRecall(from, a.alpha, p.size, run.k * p.depth) });
    }
  }
  return { alpha: a.alpha, samples: a.samples, rows };
}
