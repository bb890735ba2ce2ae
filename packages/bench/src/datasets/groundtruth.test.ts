import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { computeGroundTruth } from './groundtruth.js';
import type { VectorSet } from './vectors.js';

function randomSet(rows: number, dim: number, seed: number): VectorSet {
  const rng = createRng(seed);
  return { rows, dim, data: Float32Array.from({ length: rows * dim }, () => rng.gaussian()) };
}

/** The obvious reference: score every row, sort by (score, index). */
function reference(base: VectorSet, q: Float32Array, metric: 'l2' | 'angular' | 'ip', k: number): number[] {
  const scores = Array.from({ length: base.rows }, (_, i) => {
    const x = base.data.subarray(i * base.dim, (i + 1) * base.dim);
    let dot = 0;
    let xx = 0;
    let qq = 0;
    let l2 = 0;
    for (let j = 0; j < base.dim; j++) {
      dot += (x[j] as number) * (q[j] as number);
      xx += (x[j] as number) ** 2;
      qq += (q[j] as number) ** 2;
      l2 += ((x[j] as number) - (q[j] as number)) ** 2;
    }
    const s = metric === 'l2' ? l2 : metric === 'ip' ? -dot : 1 - dot / Math.sqrt(xx * qq);
    return { i, s };
  });
  scores.sort((a, b) => a.s - b.s || a.i - b.i);
  return scores.slice(0, k).map((x) => x.i);
}

describe('computeGroundTruth', () => {
  const base = randomSet(200, 7, 1);
  const queries = randomSet(10, 7, 2);

  it('matches a sort-everything reference for l2, angular and ip', () => {
    for (const metric of ['l2', 'angular', 'ip'] as const) {
      const gt = computeGroundTruth(base, queries, metric, 20);
      expect(gt.ids.dim).toBe(20);
      for (let i = 0; i < queries.rows; i++) {
        const q = queries.data.subarray(i * 7, (i + 1) * 7);
        expect(Array.from(gt.ids.data.subarray(i * 20, (i + 1) * 20))).toEqual(reference(base, q, metric, 20));
      }
    }
  });

  it('reports distances in the texmex convention, ascending', () => {
    const gt = computeGroundTruth(base, queries, 'angular', 5);
    for (let j = 1; j < 5; j++) expect(gt.distances.data[j]).toBeGreaterThanOrEqual(gt.distances.data[j - 1] as number);
    expect(gt.distances.data[0]).toBeGreaterThanOrEqual(0);
    expect(gt.distances.data[0]).toBeLessThanOrEqual(2);
  });

  it('caps k at the base size and rejects bad arguments', () => {
    expect(computeGroundTruth(randomSet(3, 7, 3), queries, 'l2', 100).ids.dim).toBe(3);
    expect(() => computeGroundTruth(base, queries, 'cosine' as 'l2', 5)).toThrow(TypeError);
    expect(() => computeGroundTruth(base, queries, 'l2', 0)).toThrow(RangeError);
    expect(() => computeGroundTruth(base, randomSet(2, 8, 4), 'l2', 5)).toThrow(expect.objectContaining({ code: 'ERR_DIMENSION_MISMATCH' }));
  });
});
