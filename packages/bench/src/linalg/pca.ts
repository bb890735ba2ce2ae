/**
 * Principal components of a sample: mean, variances (largest first) and unit directions. When
 * the sample has fewer rows than dimensions (88 OpenAI vectors of 1536-d) it works on the m x m
 * Gram matrix instead of the d x d covariance, so the cost is O(min(m, d)^3), never O(d^3) for
 * a small sample.
 */
import { symmetricEigen } from './eigen.js';
import { columnMeans, type Mat, mulBT, mulTA, subtractRow, zeros } from './matrix.js';

export interface Pca {
  readonly mean: Float64Array;
  /** Variance along each component, largest first (population variance, divided by m). */
  readonly variances: Float64Array;
  /** Component i is row i, unit length. Only components with non-negligible variance. */
  readonly components: Mat;
}

export function pca(sample: Mat, maxComponents = Math.min(sample.rows, sample.cols)): Pca {
  const m = sample.rows;
  const d = sample.cols;
  if (m < 1) throw new RangeError('"sample" expected at least one row');
  const mean = columnMeans(sample);
  const xc = subtractRow(sample, mean);
  let values: Float64Array;
  let comps: Mat;
  if (m >= d) {
    const cov = mulTA(xc, xc);
    for (let i = 0; i < cov.data.length; i++) cov.data[i]! /= m;
    symmetrize(cov);
    const e = symmetricEigen(cov);
    values = e.values;
    comps = e.vectors;
  } else {
    const gram = mulBT(xc, xc);
    for (let i = 0; i < gram.data.length; i++) gram.data[i]! /= m;
    symmetrize(gram);
    const e = symmetricEigen(gram);
    values = e.values;
    // v = Xc^T u / sqrt(m * lambda) is the unit covariance eigenvector for Gram eigenvector u.
    comps = zeros(m, d);
    for (let j = 0; j < m; j++) {
      const lam = e.values[j] as number;
      if (!(lam > 0)) continue;
      const f = 1 / Math.sqrt(m * lam);
      for (let r = 0; r < m; r++) {
        const u = (e.vectors.data[j * m + r] as number) * f;
        if (u === 0) continue;
        for (let c = 0; c < d; c++) comps.data[j * d + c]! += u * (xc.data[r * d + c] as number);
      }
    }
  }
  const top = values[0] ?? 0;
  let k = 0;
  while (k < Math.min(maxComponents, values.length) && (values[k] as number) > 1e-12 * Math.max(top, 1e-300)) k++;
  return {
    mean,
    variances: values.slice(0, k),
    components: { rows: k, cols: d, data: comps.data.slice(0, k * d) },
  };
}

function symmetrize(a: Mat): void {
  const n = a.rows;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = ((a.data[i * n + j] as number) + (a.data[j * n + i] as number)) / 2;
      a.data[i * n + j] = v;
      a.data[j * n + i] = v;
    }
  }
}

/** Coordinates of each (centered) row along the first k components. */
export function project(p: Pca, x: Mat, k = p.components.rows): Mat {
  const d = x.cols;
  const out = zeros(x.rows, k);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += ((x.data[i * d + c] as number) - (p.mean[c] as number)) * (p.components.data[j * d + c] as number);
      out.data[i * k + j] = s;
    }
  }
  return out;
}
