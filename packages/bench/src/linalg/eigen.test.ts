import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './eigen.js';
import { type Mat, mul, mulTA, zeros } from './matrix.js';

function randomSymmetric(n: number, seed: number): Mat {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  };
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rnd();
      m.data[i * n + j] = v;
      m.data[j * n + i] = v;
    }
  }
  return m;
}

function checkDecomposition(a: Mat, tol: number): void {
  const n = a.rows;
  const { values, vectors } = symmetricEigen(a);
  // V V^T = I (rows orthonormal)
  const vvt = mulTA({ rows: n, cols: n, data: transposeData(vectors.data, n) }, { rows: n, cols: n, data: transposeData(vectors.data, n) });
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs((vvt.data[i * n + j] as number) - (i === j ? 1 : 0))).toBeLessThan(tol);
  // A v_i = lambda_i v_i
  for (let i = 0; i < n; i++) {
    const v = { rows: n, cols: 1, data: vectors.data.slice(i * n, (i + 1) * n) };
    const av = mul(a, v);
    for (let k = 0; k < n; k++) expect(Math.abs((av.data[k] as number) - (values[i] as number) * (v.data[k] as number))).toBeLessThan(tol * 10);
  }
  for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1] as number);
}

function transposeData(d: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = d[i * n + j] as number;
  return out;
}

describe('symmetricEigen', () => {
  it('diagonalizes a known 2x2 matrix', () => {
    const { values, vectors } = symmetricEigen({ rows: 2, cols: 2, data: Float64Array.of(2, 1, 1, 2) });
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors.data[0] as number)).toBeCloseTo(Math.SQRT1_2, 12);
    expect((vectors.data[0] as number) * (vectors.data[1] as number)).toBeGreaterThan(0);
  });

  it('handles diagonal, zero and 1x1 matrices', () => {
    const diag = zeros(3, 3);
    diag.data[0] = 1;
    diag.data[4] = 5;
    diag.data[8] = -2;
    expect(Array.from(symmetricEigen(diag).values)).toEqual([5, 1, -2]);
    expect(Array.from(symmetricEigen(zeros(4, 4)).values)).toEqual([0, 0, 0, 0]);
    expect(Array.from(symmetricEigen({ rows: 1, cols: 1, data: Float64Array.of(7) }).values)).toEqual([7]);
  });

  it('satisfies A v = lambda v with orthonormal vectors on random symmetric matrices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer(), (n, seed) => checkDecomposition(randomSymmetric(n, seed), 1e-10)),
      { numRuns: process.env.SLOW ? 300 : 25 },
    );
  });

  it('is accurate on a 120x120 matrix', () => {
    checkDecomposition(randomSymmetric(120, 42), 1e-9);
  });

  it('rejects non-square and non-symmetric input', () => {
    expect(() => symmetricEigen(zeros(2, 3))).toThrow(RangeError);
    expect(() => symmetricEigen({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) })).toThrow(/symmetric/);
    expect(() => symmetricEigen({ rows: 2, cols: 2, data: Float64Array.of(1, NaN, NaN, 4) })).toThrow(/finite/);
  });
});
