import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { loadHnsw } from '../search/hnsw.js';
import { DEFAULT_SCALE, type ScaleConfig } from './config.js';
import { backtest, candidatesFor, estimateAlpha, extrapolate, predictRecall, recallAtCandidates } from './extrapolate.js';
import { prepareDataset } from './prepare.js';
import { exactTopK, type RecallCurve, runScale, type ScaleRun, sizesFor } from './run-scale.js';
import { ratioAt } from './scale-frontier.js';

describe('size-curve extrapolation (depth-size equivalence)', () => {
  // A planted law: R(n, c) = G(c / n^0.4), G(u) = 1 - exp(-u).
  const alpha = 0.4;
  const G = (u: number) => 1 - Math.exp(-u);
  const grid = [1, 2, 5, 10, 20, 40, 70, 100, 200, 400, 700, 1000];
  const curve = (size: number, betaRel = 2): RecallCurve => ({ betaRel, size, candidates: grid.filter((c) => c <= size), recall: grid.filter((c) => c <= size).map((c) => G(c / size ** alpha)) });

  it('interpolates a curve in log(candidates) and inverts it', () => {
    const c = curve(1000);
    expect(recallAtCandidates(c, 100)).toBeCloseTo(G(100 / 1000 ** alpha), 12);
    const mid = recallAtCandidates(c, 150);
    expect(mid).toBeGreaterThan(recallAtCandidates(c, 100));
    expect(mid).toBeLessThan(recallAtCandidates(c, 200));
    expect(candidatesFor(c, mid)).toBeCloseTo(150, 6);
    expect(candidatesFor(c, 2)).toBeUndefined();
  });

  it('recovers the planted alpha from the sizes and predicts a larger collection', () => {
    const a = estimateAlpha([curve(125), curve(250), curve(500), curve(1000)])!;
    expect(a.alpha).toBeCloseTo(alpha, 1);
    expect(a.samples).toBeGreaterThan(5);
    const pred = predictRecall(curve(1000), a.alpha, 100000, 400);
    expect(pred).toBeCloseTo(G(400 / 100000 ** alpha), 1);
    expect(estimateAlpha([curve(1000)])).toBeUndefined();
  });

  it('extrapolates and backtests a sweep', () => {
    const sizes = [250, 500, 1000, 10000];
    const run: ScaleRun = {
      name: 't', family: 't', modality: 'text', metric: 'angular', dim: 4, fullRows: 10000, queries: 100, k: 10,
      sizes, depths: [4, 40], betas: [2],
      plain: [], hnsw: { used: false, m: 16, efConstruct: 100, buildSeconds: 0 }, seconds: 0,
      curves: sizes.map((n) => curve(n)),
      points: sizes.flatMap((size) => [4, 40].map((depth) => ({ betaRel: 2, size, depth, search: 'exact' as const, recall: G((10 * depth) / size ** alpha) }))),
    };
    const ex = extrapolate(run, [100000, 1000000]);
    expect(ex.map((e) => e.depth)).toEqual([4, 40]);
    expect(ex[1]!.predicted.map((p) => p.size)).toEqual([100000, 1000000]);
    expect(ex[1]!.predicted[0]!.recall).toBeCloseTo(G(400 / 100000 ** alpha), 1);
    const bt = backtest(run, 1000);
    expect(bt.rows).toHaveLength(2);
    for (const row of bt.rows) expect(Math.abs(row.predicted - row.measured)).toBeLessThan(0.03);
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
