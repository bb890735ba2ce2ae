/**
 * Eigendecomposition of a real symmetric matrix: Householder reduction to tridiagonal form, then
 * the QL algorithm with implicit shifts (the EISPACK tred2/tql2 pair, written here from the
 * textbook description). O(n^3) and accurate to float64 rounding; at n = 784 it takes a few
 * seconds in JavaScript, which is why the attacks work in the smaller of the data dimension and
 * the sample count (see pca.ts).
 *
 * Storage is column-major internally so that every inner loop walks contiguous memory: column j
 * of the working matrix, which ends up as eigenvector j, is data[j*n .. (j+1)*n).
 */
import type { Mat } from './matrix.js';

export interface Eigen {
  /** Eigenvalues, largest first. */
  readonly values: Float64Array;
  /** Eigenvector i is row i (length n), unit norm, matching values[i]. */
  readonly vectors: Mat;
}

const EPS = 2 ** -52;

export function symmetricEigen(a: Mat): Eigen {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`"a" expected a square matrix, got ${a.rows}x${a.cols}`);
  if (n === 0) return { values: new Float64Array(0), vectors: { rows: 0, cols: 0, data: new Float64Array(0) } };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = a.data[i * n + j] as number;
      const y = a.data[j * n + i] as number;
      if (!Number.isFinite(x) || Math.abs(x - y) > 1e-9 * (Math.abs(x) + Math.abs(y) + 1e-300)) {
        throw new RangeError(`"a" expected a finite symmetric matrix, differs at (${i}, ${j})`);
      }
    }
  }
  // Symmetric, so the row-major input is also its column-major self. V(r, c) = V[c*n + r].
  const V = Float64Array.from(a.data);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(V, d, e, n);
  ql(V, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => (d[y] as number) - (d[x] as number));
  const values = new Float64Array(n);
  const vecs = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src] as number;
    vecs.set(V.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { values, vectors: { rows: n, cols: n, data: vecs } };
}

function tridiagonalize(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const at = (r: number, c: number) => c * n + r;
  for (let j = 0; j < n; j++) d[j] = V[at(n - 1, j)] as number;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k] as number);
    if (scale === 0) {
      e[i] = d[i - 1] as number;
      for (let j = 0; j < i; j++) {
        d[j] = V[at(i - 1, j)] as number;
        V[at(i, j)] = 0;
        V[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += (d[k] as number) ** 2;
      }
      let f = d[i - 1] as number;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        V[at(j, i)] = f;
        g = (e[j] as number) + (V[at(j, j)] as number) * f;
        const cj = j * n;
        for (let k = j + 1; k <= i - 1; k++) {
          const v = V[cj + k] as number;
          g += v * (d[k] as number);
          e[k]! += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += (e[j] as number) * (d[j] as number);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * (d[j] as number);
      for (let j = 0; j < i; j++) {
        f = d[j] as number;
        g = e[j] as number;
        const cj = j * n;
        for (let k = j; k <= i - 1; k++) V[cj + k]! -= f * (e[k] as number) + g * (d[k] as number);
        d[j] = V[at(i - 1, j)] as number;
        V[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    V[at(n - 1, i)] = V[at(i, i)] as number;
    V[at(i, i)] = 1;
    const h = d[i + 1] as number;
    const ci1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = (V[ci1 + k] as number) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        const cj = j * n;
        for (let k = 0; k <= i; k++) g += (V[ci1 + k] as number) * (V[cj + k] as number);
        for (let k = 0; k <= i; k++) V[cj + k]! -= g * (d[k] as number);
      }
    }
    for (let k = 0; k <= i; k++) V[ci1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[at(n - 1, j)] as number;
    V[at(n - 1, j)] = 0;
  }
  V[at(n - 1, n - 1)] = 1;
  e[0] = 0;
}

function ql(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i] as number;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l] as number) + Math.abs(e[l] as number));
    let m = l;
    while (m < n && Math.abs(e[m] as number) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = d[l] as number;
        let p = ((d[l + 1] as number) - g) / (2 * (e[l] as number));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = (e[l] as number) / (p + r);
        d[l + 1] = (e[l] as number) * (p + r);
        const dl1 = d[l + 1] as number;
        let h = g - (d[l] as number);
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m] as number;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1] as number;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * (e[i] as number);
          h = c * p;
          r = Math.hypot(p, e[i] as number);
          e[i + 1] = s * r;
          s = (e[i] as number) / r;
          c = p / r;
          p = c * (d[i] as number) - s * g;
          d[i + 1] = h + s * (c * g + s * (d[i] as number));
          const ci = i * n;
          const ci1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const t = V[ci1 + k] as number;
            const u = V[ci + k] as number;
            V[ci1 + k] = s * u + c * t;
            V[ci + k] = c * u - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * (e[l] as number)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l] as number) > EPS * tst1);
    }
    d[l] = (d[l] as number) + f;
    e[l] = 0;
  }
}
