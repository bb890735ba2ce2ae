/**
 * Attack (c), denoising: the cipher's noise is isotropic, while real embeddings concentrate in a
 * low-dimensional principal subspace. An attacker with a plaintext sample from the same
 * distribution (the known pairs' plaintexts, or a public corpus) can therefore shrink the noise:
 *
 * - `wienerDenoise`: the linear minimum-mean-square estimate for isotropic noise of variance
 *   sigma^2 per coordinate: keep the sample mean, scale each principal coordinate by
 *   var / (var + sigma^2), drop directions the sample never varies in.
 * - `neighbourDenoise`: replace the estimate by the mean of its m nearest known plaintexts
 *   (by cosine), which wins when the data are clustered and the sample is large.
 */
import { type Mat, zeros } from '../linalg/matrix.js';
import type { Pca } from '../linalg/pca.js';
import { topK } from '../search/topk.js';
import { cosineSimilarities } from './similarity.js';

/**
 * Per-coordinate noise variance the attacker infers from its own estimates: their spread around
 * the sample mean minus the sample's own total variance, spread over d coordinates. The attacker
 * needs no knowledge of beta for this.
 */
export function noiseVariance(estimates: Mat, ref: Pca, sampleTotalVariance: number): number {
  const d = estimates.cols;
  let s = 0;
  for (let i = 0; i < estimates.rows; i++) {
    for (let j = 0; j < d; j++) s += ((estimates.data[i * d + j] as number) - (ref.mean[j] as number)) ** 2;
  }
  const spread = s / Math.max(1, estimates.rows);
  return Math.max(0, (spread - sampleTotalVariance) / d);
}

export function wienerDenoise(estimates: Mat, ref: Pca, sigma2: number): Mat {
  const d = estimates.cols;
  const k = ref.components.rows;
  const gains = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const v = ref.variances[j] as number;
    gains[j] = v / (v + sigma2);
  }
  const out = zeros(estimates.rows, d);
  const centered = new Float64Array(d);
  for (let i = 0; i < estimates.rows; i++) {
    for (let c = 0; c < d; c++) centered[c] = (estimates.data[i * d + c] as number) - (ref.mean[c] as number);
    const o = i * d;
    out.data.set(ref.mean, o);
    for (let j = 0; j < k; j++) {
      const comp = ref.components.data.subarray(j * d, (j + 1) * d);
      let t = 0;
      for (let c = 0; c < d; c++) t += (centered[c] as number) * (comp[c] as number);
      t *= gains[j] as number;
      for (let c = 0; c < d; c++) out.data[o + c]! += t * (comp[c] as number);
    }
  }
  return out;
}

export function neighbourDenoise(estimates: Mat, knownPlain: Mat, m: number, sims?: Mat): Mat {
  if (!Number.isSafeInteger(m) || m < 1) throw new RangeError(`"m" expected integer >= 1, got ${m}`);
  const d = estimates.cols;
  const sim = sims ?? cosineSimilarities(estimates, knownPlain);
  if (sim.rows !== estimates.rows || sim.cols !== knownPlain.rows) {
    throw new RangeError(`"sims" expected ${estimates.rows}x${knownPlain.rows}, got ${sim.rows}x${sim.cols}`);
  }
  const out = zeros(estimates.rows, d);
  const neg = new Float64Array(knownPlain.rows);
  for (let i = 0; i < estimates.rows; i++) {
    for (let j = 0; j < knownPlain.rows; j++) neg[j] = -(sim.data[i * knownPlain.rows + j] as number);
    const top = topK(neg, m);
    const o = i * d;
    for (const id of top) {
      for (let c = 0; c < d; c++) out.data[o + c]! += (knownPlain.data[id * d + c] as number) / top.length;
    }
  }
  return out;
}

/**
 * Means of the m nearest known plaintexts (by cosine) for several m at once: one top-k per row
 * at the largest m, then prefix means, so trying many m costs one search.
 */
export function neighbourMeans(estimates: Mat, knownPlain: Mat, ms: readonly number[], sims?: Mat): Map<number, Mat> {
  for (const m of ms) if (!Number.isSafeInteger(m) || m < 1) throw new RangeError(`"m" expected integer >= 1, got ${m}`);
  const d = estimates.cols;
  const sim = sims ?? cosineSimilarities(estimates, knownPlain);
  const wanted = [...new Set(ms)].sort((a, b) => a - b);
  const mMax = Math.min(wanted[wanted.length - 1] ?? 1, knownPlain.rows);
  const out = new Map(wanted.map((m) => [m, zeros(estimates.rows, d)]));
  const neg = new Float64Array(knownPlain.rows);
  const acc = new Float64Array(d);
  for (let i = 0; i < estimates.rows; i++) {
    for (let j = 0; j < knownPlain.rows; j++) neg[j] = -(sim.data[i * knownPlain.rows + j] as number);
    const top = topK(neg, mMax);
    acc.fill(0);
    let w = 0;
    for (let t = 0; t < top.length; t++) {
      const id = top[t] as number;
      for (let c = 0; c < d; c++) acc[c]! += knownPlain.data[id * d + c] as number;
      w++;
      for (const m of wanted) {
        if (Math.min(m, top.length) !== w) continue;
        const o = out.get(m)!.data;
        for (let c = 0; c < d; c++) o[i * d + c] = (acc[c] as number) / w;
      }
    }
  }
  return out;
}

/**
 * Nearest-neighbour denoising with known plaintexts, blended: (1 - a) * estimate + a * (mean of
 * the m known plaintexts nearest the estimate). a = 1 is `neighbourDenoise`; smaller a keeps
 * what the estimate knows beyond its neighbours. The attacker's best (m, a) is read off in
 * hindsight by the caller.
 */
export function neighbourBlend(estimates: Mat, neighbourMean: Mat, a: number): Mat {
  if (!(a >= 0 && a <= 1)) throw new RangeError(`"a" expected a number in [0, 1], got ${a}`);
  const out = zeros(estimates.rows, estimates.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = (1 - a) * (estimates.data[i] as number) + a * (neighbourMean.data[i] as number);
  return out;
}
