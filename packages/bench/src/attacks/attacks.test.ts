import { describe, expect, it } from 'vitest';
import type { VectorSet } from '../datasets/vectors.js';
import { fromVectors, type Mat, selectRows } from '../linalg/matrix.js';
import { pca } from '../linalg/pca.js';
import { createRng } from '../rng.js';
import { sealvecScheme } from '../schemes/sealvec.js';
import { shuffleScheme } from '../schemes/shuffle.js';
import { coordinateMatchAttack } from './coordinate-match.js';
import { cosineStats, rowCosines, summarize } from './cosine.js';
import { neighbourBlend, neighbourDenoise, neighbourMeans, noiseVariance, wienerDenoise } from './denoise.js';
import { leastSquaresAttack, procrustesAttack } from './known-plaintext.js';
import { marginalMatching, pcaAlignment } from './known-sample.js';

/** Data with a few strong, well-separated principal directions plus a mean offset (like embeddings). */
function structured(rows: number, dim: number, seed: number, spread = 8): VectorSet {
  const rng = createRng(seed);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dim; j++) {
      const sd = j < spread ? 3 / (1 + j) : 0.05;
      // Skewed coordinates (exponential) so signs can be told apart, plus a mean.
      const e = -Math.log(1 - rng.next()) - 1;
      data[i * dim + j] = 0.3 + sd * e;
    }
  }
  return { rows, dim, data };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

describe('known-plaintext attacks on a tiny dataset with a known answer', () => {
  const d = 24;
  const x = structured(300, d, 7);
  const X = fromVectors(x);
  const known = range(0, 60);
  const targets = range(60, 300);

  it('recover the vectors to cosine >= 0.999 when there is no noise (the real mix, beta = 0)', () => {
    const s = sealvecScheme({ dimension: d, metric: 'euclid', beta: 0, seed: 1 });
    expect(s.name).toBe('mix-no-noise');
    const C = fromVectors(s.encryptRecords(x));
    for (const attack of [procrustesAttack, leastSquaresAttack]) {
      const est = attack(selectRows(X, known), selectRows(C, known), selectRows(C, targets));
      const st = cosineStats(est, selectRows(X, targets));
      expect(st.mean).toBeGreaterThanOrEqual(0.999);
      expect(st.shareAbove).toBe(1);
    }
  });

  it('Procrustes with fewer pairs than dimensions still recovers the known pairs themselves', () => {
    const s = sealvecScheme({ dimension: d, metric: 'euclid', beta: 0, seed: 2 });
    const C = fromVectors(s.encryptRecords(x));
    const few = range(0, 5);
    const est = procrustesAttack(selectRows(X, few), selectRows(C, few), selectRows(C, few));
    expect(cosineStats(est, selectRows(X, few)).mean).toBeGreaterThan(0.999);
  });

  it('get worse as noise grows, and denoising helps on low-rank data', () => {
    const means: number[] = [];
    for (const beta of [0.5, 2, 8]) {
      const s = sealvecScheme({ dimension: d, metric: 'euclid', beta, seed: 3 });
      const C = fromVectors(s.encryptRecords(x));
      const est = procrustesAttack(selectRows(X, known), selectRows(C, known), selectRows(C, targets));
      means.push(cosineStats(est, selectRows(X, targets)).mean);
      if (beta === 8) {
        const ref = pca(selectRows(X, known));
        let total = 0;
        for (const v of ref.variances) total += v;
        const sigma2 = noiseVariance(est, ref, total);
        expect(sigma2).toBeGreaterThan(0);
        const den = wienerDenoise(est, ref, sigma2);
        expect(cosineStats(den, selectRows(X, targets)).mean).toBeGreaterThan(cosineStats(est, selectRows(X, targets)).mean);
      }
    }
    expect(means[0]).toBeGreaterThan(means[1] as number);
    expect(means[1]).toBeGreaterThan(means[2] as number);
  });

  it('coordinate matching breaks the shuffle but not the mix', () => {
    const sh = shuffleScheme({ dimension: d, metric: 'euclid', beta: 0, seed: 4 });
    const mix = sealvecScheme({ dimension: d, metric: 'euclid', beta: 0, seed: 4 });
    const k = range(0, 10);
    const onShuffle = (() => {
      const C = fromVectors(sh.encryptRecords(x));
      return cosineStats(coordinateMatchAttack(selectRows(X, k), selectRows(C, k), selectRows(C, targets)), selectRows(X, targets)).mean;
    })();
    const onMix = (() => {
      const C = fromVectors(mix.encryptRecords(x));
      return cosineStats(coordinateMatchAttack(selectRows(X, k), selectRows(C, k), selectRows(C, targets)), selectRows(X, targets)).mean;
    })();
    expect(onShuffle).toBeGreaterThan(0.999);
    expect(onMix).toBeLessThan(onShuffle - 0.05);
  });
});

describe('known-sample attacks', () => {
  const d = 16;
  const sample = fromVectors(structured(2000, d, 11, 4));
  const secret = structured(2000, d, 12, 4);
  const truth = fromVectors(secret);

  it('PCA alignment recovers leading directions without any pairs (no noise)', () => {
    const s = sealvecScheme({ dimension: d, metric: 'euclid', beta: 0, seed: 5 });
    const C = fromVectors(s.encryptRecords(secret));
    const res = pcaAlignment(sample, C, [1, 4, 16]);
    expect(res.map((r) => r.k)).toEqual([1, 4, 16]);
    const best = Math.max(...res.map((r) => cosineStats(r.estimates, truth).mean));
    const meanGuess = cosineStats(pcaAlignment(sample, C, [0])[0]!.estimates, truth).mean;
    // Format v2's keyed offset moves the ciphertext mean, so each axis's sign must come from the
    // skew instead of the mean: the attack still works, with less margin than on v1 (0.95+).
    expect(best).toBeGreaterThan(0.8);
    expect(best).toBeGreaterThan(meanGuess + 0.02);
  });

  it('marginal matching breaks the shuffle and not the mix (no noise)', () => {
    const sh = fromVectors(shuffleScheme({ dimension: d, metric: 'euclid', beta: 0, seed: 6 }).encryptRecords(secret));
    const mx = fromVectors(sealvecScheme({ dimension: d, metric: 'euclid', beta: 0, seed: 6 }).encryptRecords(secret));
    const onShuffle = cosineStats(marginalMatching(sample, sh), truth).mean;
    const onMix = cosineStats(marginalMatching(sample, mx), truth).mean;
    expect(onShuffle).toBeGreaterThan(0.98);
    expect(onMix).toBeLessThan(onShuffle - 0.05);
  });
});

describe('denoising by neighbours', () => {
  it('returns the nearest known plaintext when the estimate is close to it', () => {
    const known: Mat = { rows: 3, cols: 2, data: Float64Array.of(1, 0, 0, 1, -1, 0) };
    const est: Mat = { rows: 2, cols: 2, data: Float64Array.of(0.9, 0.1, 0.1, 0.8) };
    const out = neighbourDenoise(est, known, 1);
    expect(Array.from(out.data)).toEqual([1, 0, 0, 1]);
    expect(() => neighbourDenoise(est, known, 0)).toThrow(RangeError);
  });

  it('computes the means for several m at once, equal to one search per m, and blends', () => {
    const rng = createRng(31);
    const known: Mat = { rows: 30, cols: 4, data: Float64Array.from({ length: 120 }, () => rng.gaussian()) };
    const est: Mat = { rows: 6, cols: 4, data: Float64Array.from({ length: 24 }, () => rng.gaussian()) };
    const means = neighbourMeans(est, known, [10, 1, 5, 40]);
    for (const m of [1, 5, 10]) {
      const ref = neighbourDenoise(est, known, m);
      for (let i = 0; i < 24; i++) expect(means.get(m)!.data[i]).toBeCloseTo(ref.data[i] as number, 12);
    }
    // More neighbours than known rows: the mean of all of them.
    const all = neighbourDenoise(est, known, 30);
    for (let i = 0; i < 24; i++) expect(means.get(40)!.data[i]).toBeCloseTo(all.data[i] as number, 12);
    const half = neighbourBlend(est, means.get(5)!, 0.5);
    expect(half.data[0]).toBeCloseTo(0.5 * (est.data[0] as number) + 0.5 * (means.get(5)!.data[0] as number), 12);
    expect(() => neighbourBlend(est, means.get(5)!, 1.5)).toThrow(RangeError);
    expect(() => neighbourMeans(est, known, [0])).toThrow(RangeError);
  });
});

describe('cosine statistics', () => {
  it('summarizes mean, p90 and the share at or above 0.90', () => {
    const st = summarize(Float64Array.of(0.1, 0.5, 0.9, 0.95, 1));
    expect(st.mean).toBeCloseTo(0.69, 12);
    expect(st.shareAbove).toBeCloseTo(0.6, 12);
    expect(st.p90).toBeCloseTo(0.98, 12);
    expect(Number.isNaN(summarize([]).mean)).toBe(true);
  });

  it('treats a zero estimate as orthogonal and rejects shape mismatches', () => {
    const a: Mat = { rows: 1, cols: 2, data: Float64Array.of(0, 0) };
    const b: Mat = { rows: 1, cols: 2, data: Float64Array.of(1, 0) };
    expect(Array.from(rowCosines(a, b))).toEqual([0]);
    expect(() => rowCosines(a, { rows: 1, cols: 3, data: new Float64Array(3) })).toThrow(RangeError);
  });
});
