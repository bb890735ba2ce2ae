/**
 * Attack (b), known sample: no pairs at all, only the stolen ciphertexts and a plaintext sample
 * from the same distribution (a public corpus embedded with the same model).
 *
 * `pcaAlignment`: an orthogonal cipher maps the data's principal axes onto the ciphertexts'
 * principal axes (isotropic noise only adds a constant to every variance). Matching the two
 * eigenbases, ordered by variance, recovers R on every axis whose variance stands apart from its
 * neighbours; the sign of each axis is fixed by the mean (or, for centered axes, the skew).
 * Axes past the first few usually have near-equal variances and mix arbitrarily, so the
 * attacker keeps the first k; we report the best k in hindsight, an upper bound on this attack.
 *
 * `marginalMatching`: matches each ciphertext coordinate to the plaintext coordinate with the
 * most similar mean and spread. It breaks a coordinate shuffle and does nothing against a mix
 * that spreads every coordinate over all outputs, which is the point of running it.
 */
import { columnMeans, dot, type Mat, zeros } from '../linalg/matrix.js';
import { type Pca, pca } from '../linalg/pca.js';
import { topK } from '../search/topk.js';

export interface AlignmentEstimate {
  readonly k: number;
  readonly estimates: Mat;
}

function thirdMoment(data: Mat, mean: ArrayLike<number>, dir: ArrayLike<number>): number {
  const d = data.cols;
  let s = 0;
  for (let i = 0; i < data.rows; i++) {
    let t = 0;
    for (let c = 0; c < d; c++) t += ((data.data[i * d + c] as number) - (mean[c] as number)) * (dir[c] as number);
    s += t * t * t;
  }
  return s / Math.max(1, data.rows);
}

function sumTo(a: Float64Array, k: number): number {
  let s = 0;
  for (let i = 0; i < Math.min(k, a.length); i++) s += a[i] as number;
  return s;
}

export function pcaAlignment(sample: Mat, ciphertexts: Mat, ks: readonly number[], samplePca?: Pca): AlignmentEstimate[] {
  const d = sample.cols;
  if (ciphertexts.cols !== d) throw new RangeError(`"ciphertexts" expected ${d} columns, got ${ciphertexts.cols}`);
  const kMax = Math.max(...ks);
  const ps = samplePca ?? pca(sample);
  const pc = pca(ciphertexts);
  const k = Math.min(kMax, ps.components.rows, pc.components.rows);
  // Scale from the leading variances, where the noise's share is smallest.
  const k0 = Math.min(10, k);
  const s2 = sumTo(pc.variances, k0) / Math.max(1e-300, sumTo(ps.variances, k0));
  const s = Math.sqrt(s2);
  let totalS = 0;
  for (const v of ps.variances) totalS += v;
  let totalC = 0;
  for (const v of pc.variances) totalC += v;
  const sigma2 = Math.max(0, (totalC / s2 - totalS) / d);
  const signs = new Float64Array(k);
  const gains = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const u = ps.components.data.subarray(i * d, (i + 1) * d);
    const w = pc.components.data.subarray(i * d, (i + 1) * d);
    const a = dot(u, ps.mean);
    const b = dot(w, pc.mean) / s;
    const lam = ps.variances[i] as number;
    const significant = Math.abs(a) > 3 * Math.sqrt(lam / Math.max(1, sample.rows));
    const sgn = significant ? a * b : thirdMoment(sample, ps.mean, u) * thirdMoment(ciphertexts, pc.mean, w);
    signs[i] = sgn < 0 ? -1 : 1;
    const g = (pc.variances[i] as number) / s2;
    gains[i] = g > 0 ? Math.max(0, 1 - sigma2 / g) : 0;
  }
  const out: AlignmentEstimate[] = [];
  const coords = zeros(ciphertexts.rows, k);
  for (let r = 0; r < ciphertexts.rows; r++) {
    for (let i = 0; i < k; i++) {
      const w = pc.components.data.subarray(i * d, (i + 1) * d);
      let t = 0;
      for (let c = 0; c < d; c++) t += ((ciphertexts.data[r * d + c] as number) - (pc.mean[c] as number)) * (w[c] as number);
      coords.data[r * k + i] = ((signs[i] as number) * (gains[i] as number) * t) / s;
    }
  }
  for (const kk of ks) {
    const kUse = Math.min(kk, k);
    const est = zeros(ciphertexts.rows, d);
    for (let r = 0; r < ciphertexts.rows; r++) {
      const o = r * d;
      est.data.set(ps.mean, o);
      for (let i = 0; i < kUse; i++) {
        const t = coords.data[r * k + i] as number;
        const u = ps.components.data.subarray(i * d, (i + 1) * d);
        for (let c = 0; c < d; c++) est.data[o + c]! += t * (u[c] as number);
      }
    }
    out.push({ k: kUse, estimates: est });
  }
  return out;
}

function columnStd(m: Mat, mean: Float64Array): Float64Array {
  const d = m.cols;
  const out = new Float64Array(d);
  for (let i = 0; i < m.rows; i++) for (let c = 0; c < d; c++) out[c]! += ((m.data[i * d + c] as number) - (mean[c] as number)) ** 2;
  for (let c = 0; c < d; c++) out[c] = Math.sqrt((out[c] as number) / Math.max(1, m.rows));
  return out;
}

/**
 * Greedy one-to-one assignment of ciphertext coordinates to plaintext coordinates by the
 * distance between (mean, std) profiles, after removing the scale and the noise's variance.
 */
export function marginalMatching(sample: Mat, ciphertexts: Mat): Mat {
  const d = sample.cols;
  const ms = columnMeans(sample);
  const mc = columnMeans(ciphertexts);
  const ss = columnStd(sample, ms);
  const sc = columnStd(ciphertexts, mc);
  const norm = (a: Float64Array) => Math.sqrt(dot(a, a));
  const nMs = norm(ms);
  let s = nMs > 1e-12 ? norm(mc) / nMs : 0;
  if (!(s > 0)) s = Math.sqrt(dot(sc, sc) / Math.max(1e-300, dot(ss, ss)));
  let varS = 0;
  let varC = 0;
  for (let c = 0; c < d; c++) {
    varS += (ss[c] as number) ** 2;
    varC += ((sc[c] as number) / s) ** 2;
  }
  const noise = Math.max(0, (varC - varS) / d);
  const featC = Array.from({ length: d }, (_, j) => [(mc[j] as number) / s, Math.sqrt(Math.max(0, ((sc[j] as number) / s) ** 2 - noise))] as const);
  // Candidate pairs: each ciphertext coordinate's CAND closest plaintext coordinates (all d^2
  // pairs would be millions of objects at d = 1536), assigned greedily by cost; coordinates left
  // over take the remaining plaintext coordinates in order.
  const CAND = Math.min(d, 16);
  const pairs: { j: number; p: number; cost: number }[] = [];
  const costs = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const [fm, fs] = featC[j]!;
    for (let p = 0; p < d; p++) costs[p] = (fm - (ms[p] as number)) ** 2 + (fs - (ss[p] as number)) ** 2;
    for (const p of topK(costs, CAND)) pairs.push({ j, p, cost: costs[p] as number });
  }
  pairs.sort((a, b) => a.cost - b.cost);
  const mapC = new Int32Array(d).fill(-1);
  const usedP = new Uint8Array(d);
  for (const { j, p } of pairs) {
    if (mapC[j] !== -1 || usedP[p]) continue;
    mapC[j] = p;
    usedP[p] = 1;
  }
  let next = 0;
  for (let j = 0; j < d; j++) {
    if (mapC[j] !== -1) continue;
    while (usedP[next]) next++;
    mapC[j] = next;
    usedP[next] = 1;
  }
  const est = zeros(ciphertexts.rows, d);
  for (let r = 0; r < ciphertexts.rows; r++) {
    for (let j = 0; j < d; j++) est.data[r * d + (mapC[j] as number)] = (ciphertexts.data[r * d + j] as number) / s;
  }
  return est;
}
