/**
 * Distance kernels over float32 rows with float64 accumulation. `squaredL2To` fills one row of
 * a query-by-base distance matrix; it is the hot loop of every brute-force search here.
 */
import type { VectorSet } from '../datasets/vectors.js';

/** out[i] = |q - base_i|^2 for every base row. */
export function squaredL2To(q: ArrayLike<number>, base: VectorSet, out: Float64Array): Float64Array {
  const { dim, rows, data } = base;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const off = i * dim;
    for (let j = 0; j < dim; j++) {
      const t = (q[j] as number) - (data[off + j] as number);
      s += t * t;
    }
    out[i] = s;
  }
  return out;
}

/** out[i] = -<q, base_i> (negated so that smaller is nearer, like a distance). */
export function negDotTo(q: ArrayLike<number>, base: VectorSet, out: Float64Array): Float64Array {
  const { dim, rows, data } = base;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const off = i * dim;
    for (let j = 0; j < dim; j++) s += (q[j] as number) * (data[off + j] as number);
    out[i] = -s;
  }
  return out;
}

export function squaredL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const t = (a[j] as number) - (b[j] as number);
    s += t * t;
  }
  return s;
}
