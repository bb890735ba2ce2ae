import { describe, expect, it } from 'vitest';
import { computeGroundTruth } from '../datasets/groundtruth.js';
import { normalizeRows, type VectorSet } from '../datasets/vectors.js';
import { createRng } from '../rng.js';
import { encryptedCandidates, recallAtK, recallGrid, rerank } from './recall.js';

function gaussianSet(rows: number, dim: number, seed: number): VectorSet {
  const rng = createRng(seed);
  return { rows, dim, data: Float32Array.from({ length: rows * dim }, () => rng.gaussian()) };
}

describe('recall', () => {
  const base = gaussianSet(300, 16, 1);
  const queries = gaussianSet(20, 16, 2);

  it('plaintext search against itself has recall 1.0 at every k and oversample', () => {
    // "Encrypting" with the identity: the candidate search is L2, which is the ranking of l2 and,
    // on unit vectors, of angular.
    for (const metric of ['l2', 'angular'] as const) {
      const gt = computeGroundTruth(base, queries, metric, 100).ids;
      const b = metric === 'angular' ? normalizeRows(base) : base;
      const q = metric === 'angular' ? normalizeRows(queries) : queries;
      const grid = recallGrid(b, q, base, queries, metric, gt, [1, 10, 100], [1, 2, 4, 10]);
      expect(grid).toHaveLength(12);
      for (const p of grid) expect(p.recall).toBe(1);
    }
  });

  it('re-ranking recovers recall lost to a scrambled candidate order', () => {
    const gt = computeGroundTruth(base, queries, 'l2', 100).ids;
    // Reverse each query's true top-40 to stand in for a noisy ranking.
    const cand = { rows: gt.rows, dim: 40, data: new Int32Array(gt.rows * 40) };
    for (let i = 0; i < gt.rows; i++) for (let j = 0; j < 40; j++) cand.data[i * 40 + j] = gt.data[i * gt.dim + 39 - j] as number;
    expect(recallAtK(rerank(cand, base, queries, 'l2', 10, 1), gt, 10)).toBe(0);
    expect(recallAtK(rerank(cand, base, queries, 'l2', 10, 4), gt, 10)).toBe(1);
  });

  it('counts partial overlap', () => {
    const truth = { rows: 2, dim: 2, data: Int32Array.of(1, 2, 3, 4) };
    const found = { rows: 2, dim: 2, data: Int32Array.of(2, 9, 9, 8) };
    expect(recallAtK(found, truth, 2)).toBe(0.25);
    expect(recallAtK(found, truth, 1)).toBe(0);
  });

  it('finds the nearest ciphertexts first', () => {
    const ids = encryptedCandidates(base, queries, 5);
    const gt = computeGroundTruth(base, queries, 'l2', 5).ids;
    expect(Array.from(ids.data)).toEqual(Array.from(gt.data));
  });

  it('rejects mismatched shapes and too-deep k', () => {
    const truth = { rows: 2, dim: 2, data: Int32Array.of(1, 2, 3, 4) };
    expect(() => recallAtK({ rows: 1, dim: 2, data: Int32Array.of(1, 2) }, truth, 1)).toThrow(RangeError);
    expect(() => recallAtK(truth, truth, 3)).toThrow(/exceeds/);
    expect(() => encryptedCandidates(base, gaussianSet(2, 8, 3), 5)).toThrow(RangeError);
  });
});
