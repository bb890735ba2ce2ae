import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { solveSPD } from './cholesky.js';
import { symmetricEigen } from './eigen.js';
import { frobeniusSq, type Mat, mul, mulBT, mulTA, transpose, zeros } from './matrix.js';
import { pca, project } from './pca.js';
import { applyInverse, procrustes, rowSpaceBasis } from './procrustes.js';

function gaussian(rows: number, cols: number, seed: number): Mat {
  const rng = createRng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.gaussian()) };
}

/** A random orthogonal matrix: the eigenvectors of a random symmetric one. */
function orthogonal(d: number, seed: number): Mat {
  const g = gaussian(d, d, seed);
  const s = mulTA(g, g);
  return symmetricEigen(s).vectors;
}

function maxAbsDiff(a: Mat, b: Mat): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs((a.data[i] as number) - (b.data[i] as number)));
  return m;
}

describe('matrix products', () => {
  it('agree with each other and with the definition', () => {
    const a = gaussian(5, 3, 1);
    const b = gaussian(3, 4, 2);
    const ab = mul(a, b);
    let ref = 0;
    for (let k = 0; k < 3; k++) ref += (a.data[1 * 3 + k] as number) * (b.data[k * 4 + 2] as number);
    expect(ab.data[1 * 4 + 2]).toBeCloseTo(ref, 12);
    expect(maxAbsDiff(mulTA(transpose(a), b), ab)).toBeLessThan(1e-12);
    expect(maxAbsDiff(mulBT(a, transpose(b)), ab)).toBeLessThan(1e-12);
    expect(maxAbsDiff(mulBT(a, a), mul(a, transpose(a)))).toBeLessThan(1e-12);
    expect(() => mul(a, a)).toThrow(RangeError);
  });
});

describe('procrustes', () => {
  const d = 12;
  const Q = orthogonal(d, 3);
  const X = gaussian(40, d, 4);
  const s = 1.7;
  const C = mul(X, Q);
  for (let i = 0; i < C.data.length; i++) C.data[i]! *= s;

  it('recovers the scale and the orthogonal map exactly without noise', () => {
    const fit = procrustes(X, C);
    expect(fit.scale).toBeCloseTo(s, 10);
    expect(fit.rank).toBe(d);
    expect(maxAbsDiff(fit.inverse, transpose(Q))).toBeLessThan(1e-9);
    const fresh = gaussian(5, d, 5);
    const c = mul(fresh, Q);
    for (let i = 0; i < c.data.length; i++) c.data[i]! *= s;
    expect(maxAbsDiff(applyInverse(fit, c), fresh)).toBeLessThan(1e-9);
  });

  it('with fewer pairs than dimensions, maps the span of the known plaintexts exactly and nothing else', () => {
    const few = { rows: 4, cols: d, data: X.data.slice(0, 4 * d) };
    const fc = { rows: 4, cols: d, data: C.data.slice(0, 4 * d) };
    const fit = procrustes(few, fc);
    expect(fit.rank).toBe(4);
    expect(maxAbsDiff(applyInverse(fit, fc), few)).toBeLessThan(1e-9);
  });

  it('rejects mismatched shapes and empty input', () => {
    expect(() => procrustes(X, gaussian(39, d, 6))).toThrow(RangeError);
    expect(() => procrustes(zeros(0, d), zeros(0, d))).toThrow(RangeError);
  });

  it('builds an orthonormal basis of a row space, dropping dependent rows', () => {
    const a = gaussian(3, 6, 7);
    const dep: Mat = { rows: 4, cols: 6, data: new Float64Array([...a.data, ...a.data.slice(0, 6).map((v) => 2 * v)]) };
    const b = rowSpaceBasis(dep);
    expect(b.rows).toBe(3);
    const g = mulBT(b, b);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(g.data[i * 3 + j]).toBeCloseTo(i === j ? 1 : 0, 10);
  });
});

describe('pca', () => {
  it('gives the same variances and subspace through the Gram path (m < d) as through the covariance path', () => {
    const x = gaussian(8, 20, 8);
    const viaGram = pca(x);
    const padded: Mat = { rows: 8, cols: 20, data: x.data };
    // Covariance path on the same data: duplicate the rows so m >= d without changing the covariance.
    const many: Mat = { rows: 24, cols: 20, data: new Float64Array([...padded.data, ...padded.data, ...padded.data]) };
    const viaCov = pca(many);
    expect(viaGram.components.rows).toBe(7); // m - 1 directions after centering
    for (let i = 0; i < 7; i++) expect(viaGram.variances[i]).toBeCloseTo(viaCov.variances[i] as number, 9);
    // Same subspace: projecting one basis on the other keeps all of its length.
    const p = mulBT(viaGram.components, { rows: 7, cols: 20, data: viaCov.components.data.slice(0, 7 * 20) });
    expect(frobeniusSq(p)).toBeCloseTo(7, 8);
  });

  it('finds a planted direction and projects onto it', () => {
    const rng = createRng(9);
    const x = zeros(500, 3);
    for (let i = 0; i < 500; i++) {
      const t = rng.gaussian() * 5;
      x.data.set([t + 1, t + 2, rng.gaussian() * 0.1 + 3], i * 3);
    }
    const p = pca(x, 1);
    expect(p.components.rows).toBe(1);
    expect(Math.abs(p.components.data[0] as number)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(p.mean[2]).toBeCloseTo(3, 1);
    expect(project(p, x).cols).toBe(1);
    expect(() => pca(zeros(0, 3))).toThrow(RangeError);
  });
});

describe('solveSPD', () => {
  it('solves A X = B for a positive-definite A', () => {
    const g = gaussian(10, 6, 10);
    const a = mulTA(g, g);
    for (let i = 0; i < 6; i++) a.data[i * 6 + i]! += 0.1;
    const xTrue = gaussian(6, 3, 11);
    const x = solveSPD(a, mul(a, xTrue));
    expect(maxAbsDiff(x, xTrue)).toBeLessThan(1e-9);
  });

  it('rejects non-square, mismatched and indefinite systems', () => {
    expect(() => solveSPD(zeros(2, 3), zeros(2, 1))).toThrow(RangeError);
    expect(() => solveSPD(zeros(2, 2), zeros(3, 1))).toThrow(RangeError);
    expect(() => solveSPD({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 2, 1) }, zeros(2, 1))).toThrow(/positive definite/);
  });
});
