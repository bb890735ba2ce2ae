/**
 * Scores returned by search, per metric, always in the metric's own terms:
 *   cosine: cosine similarity (higher is better)
 *   euclid: Euclidean distance (lower is better)
 *   dot:    inner product (higher is better)
 * With re-rank they are exact (from the decrypted vectors); without, they are estimated from the
 * ciphertext distance divided by the key's scale, which still carries the noise.
 */
import type { Metric } from '@sealvec/core';

export function betterFirst(metric: Metric): (a: number, b: number) => number {
  return metric === 'euclid' ? (a, b) => a - b : (a, b) => b - a;
}

/** The query as the exact scores see it (unit vector for cosine). */
export function prepareQuery(q: ArrayLike<number>, metric: Metric): Float64Array {
  const out = Float64Array.from(q as ArrayLike<number>, (v) => Math.fround(v));
  if (metric === 'cosine') {
    let s = 0;
    for (const v of out) s += v * v;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < out.length; i++) out[i]! *= inv;
  }
  return out;
}

export function exactScore(metric: Metric, q: Float64Array, x: Float32Array): number {
  let dot = 0;
  let xx = 0;
  let dd = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i]!;
    const b = x[i]!;
    dot += a * b;
    xx += b * b;
    dd += (a - b) * (a - b);
  }
  if (metric === 'euclid') return Math.sqrt(dd);
  if (metric === 'dot') return dot;
  return xx === 0 ? 0 : dot / Math.sqrt(xx);
}

/** Estimate from the ciphertext Euclidean distance `cd` under a key of scale `s`. */
export function approximateScore(metric: Metric, cd: number, s: number, queryNormSq: number, maxNorm: number | null): number {
  const d = cd / s;
  if (metric === 'euclid') return d;
  if (metric === 'cosine') return 1 - (d * d) / 2;
  const m = maxNorm ?? 0;
  return (queryNormSq + m * m - d * d) / 2;
}
