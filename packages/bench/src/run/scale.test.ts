import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { loadHnsw } from '../search/hnsw.js';
import { DEFAULT_SCALE, type ScaleConfig } from './config.js';
import { backtest, extrapolate, fitSizeCurve, predictRecall } from './extrapolate.js';
import { prepareDataset } from './prepare.js';
import { exactTopK, runScale, type ScaleRun, sizesFor } from './run-scale.js';
import { ratioAt } from './scale-frontier.js';

describe('size-curve extrapolation', () => {
  it('recovers a planted logit-linear curve and ignores sizes the re-rank covers entirely', () => {
    const a = 6;
    const b = -1.2;
    const truth = (n: number) => 1 / (1 + Math.exp(-(a + b * Math.log10(n))));
    const pts = [20, 50, 200, 1000, 5000].map((size) => ({ size, recall: truth(size) }));
    // 100 candidates: the size-50 point is trivial and must be dropped; only the 3 largest sizes count.
    const fit = fitSizeCurve([{ size: 50, recall: 0.2 }, { size: 150, recall: 0.1 }, ...pts.slice(2)], 100, 10, 1e6)!;
    expect(fit.sizes).toEqual([200, 1000, 5000]);
    expect(fit.a).toBeCloseTo(a, 6);
    expect(fit.b).toBeCloseTo(b, 6);
    expect(predictRecall(fit, 1e6)).toBeCloseTo(truth(1e6), 6);
  });

  it('never predicts recall rising with size, and needs two usable sizes', () => {
    const fit = fitSizeCurve([{ size: 100, recall: 0.8 }, { size: 1000, recall: 0.9 }], 10, 10, 100)!;
    expect(fit.b).toBe(0);
    expect(predictRecall(fit, 1e6)).toBeCloseTo(predictRecall(fit, 100), 12);
    expect(fitSizeCurve([{ size: 100, recall: 0.8 }], 10, 10, 100)).toBeUndefined();
    // A perfect score has a finite logit (clamped half a hit from 1).
    expect(Number.isFinite(fitSizeCurve([{ size: 100, recall: 1 }, { size: 1000, recall: 1 }], 10, 10, 100)!.a)).toBe(true);
  });

  it('extrapolates and backtests a sweep', () => {
    const run: ScaleRun = {
      name: 't', family: 't', modality: 'text', metric: 'angular', dim: 4, fullRows: 10000, queries: 100, k: 10,
      sizes: [250, 500, 1000, 10000], depths: [4], betas: [2],
      plain: [], hnsw: { used: false, m: 16, efConstruct: 100, buildSeconds: 0 }, seconds: 0,
      points: [250, 500, 1000, 10000].map((size) => ({ betaRel: 2, size, depth: 4, search: 'exact' as const, recall: 1 / (1 + Math.exp(-(5 - 1 * Math.log10(size)))) })),
    };
    const ex = extrapolate(run, [100000, 1000000]);
    expect(ex).toHaveLength(1);
    expect(ex[0]!.predicted.map((p) => p.size)).toEqual([100000, 1000000]);
    const bt = backtest(run, 1000);
    expect(bt).toHaveLength(1);
    expect(bt[0]!.predicted).toBeCloseTo(bt[0]!.measured, 6);
  });
});

describe('the size and depth sweep', () => {
  it('measures sizes below the full size, the full size itself, and exact top-k by brute force', () => {
    expect(sizesFor(1029, DEFAULT_SCALE.sizes)).toEqual([125, 250, 500, 1000, 1029]);
    expect(sizesFor(88, DEFAULT_SCALE.sizes)).toEqual([88]);
    const base = { rows: 4, dim: 1, data: Float32Array.of(0, 1, 5, 2) };
    const q = { rows: 1, dim: 1, data: Float32Array.of(1.9) };
    expect(Array.from(exactTopK(base, q, 'l2', 2).data)).toEqual([3, 1]);
  });

  it('gives recall 1 with no noise, loses recall with noise at a shallow depth, and regains it deeper', () => {
    const rng = createRng(3);
    const rows = 600;
    const dim = 16;
    const base = Float32Array.from({ length: rows * dim }, () => rng.gaussian());
    const queries = Float32Array.from({ length: 20 * dim }, () => rng.gaussian());
    const ds = prepareDataset({
      name: 'g', metric: 'angular', base: { rows, dim, data: base }, queries: { rows: 20, dim, data: queries },
      groundTruth: { rows: 0, dim: 0, data: new Int32Array(0) }, groundTruthComputed: true, source: 'seeded Gaussian', license: 'n/a',
    });
    const sc: ScaleConfig = { ...DEFAULT_SCALE, betas: [0.01, 3], depths: [1, 60], sizes: [200], maxQueries: 20 };
    const hnsw = loadHnsw();
    const run = runScale(ds, sc, 7, hnsw, () => {});
    expect(run.sizes).toEqual([200, 600]);
    const exact = (b: number, d: number, n = 600) => ratioAt(run, b, d, 'exact', n)!;
    expect(exact(0.01, 1)).toBeGreaterThan(0.95);
    expect(exact(3, 1)).toBeLessThan(0.8);
    expect(exact(3, 60)).toBeGreaterThan(exact(3, 1));
    // Depth 60 x k 10 = 600 candidates: the whole collection, so recall is exactly 1.
    expect(exact(3, 60)).toBe(1);
    expect(run.hnsw.used).toBe(hnsw.ok);
    if (hnsw.ok) {
      expect(run.plain.find((p) => p.search === 'hnsw' && p.size === 600)!.recall).toBeGreaterThan(0.9);
      expect(ratioAt(run, 0.01, 60, 'hnsw')).toBeGreaterThan(0.9);
      // With a cap, HNSW is measured only up to it.
      const capped = runScale(ds, { ...sc, betas: [0.01], depths: [1], hnswMaxRows: 200 }, 7, hnsw, () => {});
      expect(capped.points.filter((p) => p.search === 'hnsw').map((p) => p.size)).toEqual([200]);
      expect(capped.hnsw.maxRows).toBe(200);
    } else {
      expect(run.hnsw.reason).toBeDefined();
    }
  });
});
