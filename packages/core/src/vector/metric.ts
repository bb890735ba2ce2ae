/**
 * Metrics and how each maps onto the Euclidean geometry the cipher preserves.
 *
 * | metric | what is encrypted                        | Qdrant distance for ciphertexts |
 * |--------|------------------------------------------|---------------------------------|
 * | cosine | x / |x| (unit vectors)                   | Euclid                          |
 * | euclid | x                                        | Euclid                          |
 * | dot    | [x, sqrt(M^2 - |x|^2)], query [q, 0]     | Euclid                          |
 *
 * Never Qdrant's Cosine: it renormalizes the noisy ciphertexts, which distorts their distances.
 * For unit vectors |x - y|^2 = 2 - 2cos(x, y), so Euclidean order is cosine order.
 * For dot (maximum inner product search), the extra coordinate makes every record norm M, so
 * |x' - q'|^2 = M^2 + |q|^2 - 2<x, q>: Euclidean order on the augmented vectors is inner-product
 * order. M (`maxNorm`) is fixed per collection; a record longer than M is rejected.
 */
import { DimensionMismatch, InvalidVector } from '../errors.js';

export type Metric = 'cosine' | 'euclid' | 'dot';

export const METRICS: readonly Metric[] = ['cosine', 'euclid', 'dot'];

export function isMetric(m: unknown): m is Metric {
  return m === 'cosine' || m === 'euclid' || m === 'dot';
}

export function storedDimensionOf(metric: Metric, dimension: number): number {
  return metric === 'dot' ? dimension + 1 : dimension;
}

/**
 * Checks and copies one input vector into `out` (float64), applying the metric's mapping.
 * `role` selects the record or query side of the dot-product augmentation.
 * Returns the input's Euclidean norm (before normalization).
 */
export function prepareVector(
  x: ArrayLike<number>,
  dimension: number,
  metric: Metric,
  maxNorm: number,
  role: 'record' | 'query',
  out: Float64Array,
  what = 'vector',
): number {
  if (x.length !== dimension) {
    throw new DimensionMismatch(`${what} has dimension ${x.length}, expected ${dimension}`);
  }
  let sumSq = 0;
  for (let i = 0; i < dimension; i++) {
    // Round to float32 first: the database stores float32, and the result must not depend on
    // whether the caller passed a Float32Array or a number[] holding the same float32 values.
    const v = Math.fround(x[i] as number);
    if (!Number.isFinite(v)) {
      throw new InvalidVector(`${what} has a non-finite value at index ${i}`);
    }
    out[i] = v;
    sumSq += v * v;
  }
  const norm = Math.sqrt(sumSq);
  if (!Number.isFinite(norm)) throw new InvalidVector(`${what} has a norm too large to represent`);
  if (metric === 'cosine') {
    if (norm === 0) throw new InvalidVector(`${what} is the zero vector, which has no direction under cosine`);
    const inv = 1 / norm;
    for (let i = 0; i < dimension; i++) out[i]! *= inv;
  } else if (metric === 'dot') {
    if (role === 'query') {
      out[dimension] = 0;
    } else {
      if (norm > maxNorm) {
        throw new InvalidVector(`${what} has norm ${norm}, above the collection's maxNorm ${maxNorm}`);
      }
      out[dimension] = Math.sqrt(Math.max(0, maxNorm * maxNorm - sumSq));
    }
  }
  return norm;
}
