/**
 * The leakage measure: the cosine between an attacker's estimate and the true plaintext, per
 * vector, summarized as mean, 90th percentile and the share at or above 0.90 (where inverting a
 * text embedding back to its text becomes practical).
 */
import type { Mat } from '../linalg/matrix.js';

export const INVERSION_THRESHOLD = 0.9;

export interface CosineStats {
  readonly n: number;
  readonly mean: number;
  readonly p90: number;
  /** Share of vectors whose estimate has cosine >= 0.90 with the truth. */
  readonly shareAbove: number;
}

/**
 * Cosine of each estimate row with its truth row. With `center`, both are taken relative to that
 * point first (the sample mean): this measures what the attacker learned beyond the typical
 * vector, which matters for non-negative data (SIFT, MNIST) where the mean alone already has a
 * high cosine with every vector.
 */
export function rowCosines(est: Mat, truth: Mat, center?: ArrayLike<number>): Float64Array {
  if (est.rows !== truth.rows || est.cols !== truth.cols) {
    throw new RangeError(`"est" and "truth" expected the same shape, got ${est.rows}x${est.cols} and ${truth.rows}x${truth.cols}`);
  }
  const d = est.cols;
  const out = new Float64Array(est.rows);
  for (let i = 0; i < est.rows; i++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let j = 0; j < d; j++) {
      const c = center ? (center[j] as number) : 0;
      const a = (est.data[i * d + j] as number) - c;
      const b = (truth.data[i * d + j] as number) - c;
      ab += a * b;
      aa += a * a;
      bb += b * b;
    }
    // An all-zero estimate says nothing about the direction: count it as orthogonal.
    out[i] = aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  }
  return out;
}

/** Linear-interpolated quantile of already sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

export function summarize(cos: ArrayLike<number>): CosineStats {
  const n = cos.length;
  if (n === 0) return { n: 0, mean: Number.NaN, p90: Number.NaN, shareAbove: Number.NaN };
  const sorted = Float64Array.from(cos).sort();
  let sum = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const c = cos[i] as number;
    sum += c;
    if (c >= INVERSION_THRESHOLD) above++;
  }
  return { n, mean: sum / n, p90: quantileSorted(sorted, 0.9), shareAbove: above / n };
}

export function cosineStats(est: Mat, truth: Mat, center?: ArrayLike<number>): CosineStats {
  return summarize(rowCosines(est, truth, center));
}
