/**
 * Solves A X = B for a symmetric positive-definite A by Cholesky factorization; the normal
 * equations of the least-squares attack are always of this form once a small ridge is added.
 */
import { type Mat, zeros } from './matrix.js';

export function solveSPD(a: Mat, b: Mat): Mat {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`"a" expected a square matrix, got ${a.rows}x${a.cols}`);
  if (b.rows !== n) throw new RangeError(`"b" expected ${n} rows, got ${b.rows}`);
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = a.data[j * n + j] as number;
    for (let k = 0; k < j; k++) s -= (L[j * n + k] as number) ** 2;
    if (!(s > 0)) throw new RangeError('"a" is not positive definite');
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = a.data[i * n + j] as number;
      const io = i * n;
      const jo = j * n;
      for (let k = 0; k < j; k++) t -= (L[io + k] as number) * (L[jo + k] as number);
      L[io + j] = t / ljj;
    }
  }
  const m = b.cols;
  const x = zeros(n, m);
  x.data.set(b.data);
  // Forward: L y = b; backward: L^T x = y; all right-hand sides at once, row by row.
  for (let i = 0; i < n; i++) {
    const xo = i * m;
    for (let k = 0; k < i; k++) {
      const l = L[i * n + k] as number;
      if (l === 0) continue;
      const ko = k * m;
      for (let c = 0; c < m; c++) x.data[xo + c]! -= l * (x.data[ko + c] as number);
    }
    const lii = L[i * n + i] as number;
    for (let c = 0; c < m; c++) x.data[xo + c]! /= lii;
  }
  for (let i = n - 1; i >= 0; i--) {
    const xo = i * m;
    for (let k = i + 1; k < n; k++) {
      const l = L[k * n + i] as number;
      if (l === 0) continue;
      const ko = k * m;
      for (let c = 0; c < m; c++) x.data[xo + c]! -= l * (x.data[ko + c] as number);
    }
    const lii = L[i * n + i] as number;
    for (let c = 0; c < m; c++) x.data[xo + c]! /= lii;
  }
  return x;
}
