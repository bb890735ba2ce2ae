/**
 * The structured attack where it bites: a mix ending in a public Hadamard is fully structured
 * only at power-of-two d, and most of our sets are not (100, 384, 768, 784, 1536). Real
 * deployments do use such dimensions (Matryoshka models truncated to 256, 512 or 1024 with
 * text-embedding-3's `dimensions`, 128-d SIFT), so each dataset is also attacked truncated to its
 * first 2^k <= d coordinates, against the real cipher and against the random-rotation baseline at
 * the same beta, with the pair counts where the attack matters (d/2, d, 1.5 d and all).
 */
import type { Dataset } from '../datasets/load.js';
import type { VectorSet } from '../datasets/vectors.js';
import type { SchemeName } from '../schemes/scheme.js';
import type { BenchConfig } from './config.js';
import type { BenchDataset } from './prepare.js';
import { prepareDataset } from './prepare.js';
import { cosineStats } from '../attacks/cosine.js';
import { noiseVariance, wienerDenoise } from '../attacks/denoise.js';
import { leastSquaresAttack, procrustesAttack } from '../attacks/known-plaintext.js';
import { structuredAttack } from '../attacks/structured.js';
import { fromVectors, type Mat, selectRows } from '../linalg/matrix.js';
import { pca } from '../linalg/pca.js';
import { attackCache, attackSetup, schemeFor, signAgreement, structuredTruth } from './run-attacks.js';

export interface StructuredProbeRow {
  readonly scheme: SchemeName;
  readonly knownPairs: number;
  readonly procrustes: number;
  readonly leastSquares: number;
  /** The rounded map's estimate (undenoised), when the attacker's test accepted it. */
  readonly structured?: number;
  readonly found: boolean;
  readonly signAgreement?: number;
  /** Best of the probe's attacks with this many pairs (Procrustes, least squares, structured, each also after the subspace filter). */
  readonly best: number;
  readonly bestName: string;
  readonly keyHolder: number;
}

export interface StructuredProbe {
  readonly dim: number;
  readonly fromDim: number;
  readonly betaRel: number;
  readonly rows: readonly StructuredProbeRow[];
}

export function largestPowerOfTwoAtMost(n: number): number {
  let b = 1;
  while (b * 2 <= n) b *= 2;
  return b;
}

/** The first `dim` coordinates of every row (rows that become zero are dropped for angular data). */
export function truncate(set: VectorSet, dim: number, dropZero: boolean): VectorSet {
  const keep: number[] = [];
  for (let i = 0; i < set.rows; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (set.data[i * set.dim + j] as number) ** 2;
    if (!dropZero || s > 0) keep.push(i);
  }
  const out = new Float32Array(keep.length * dim);
  keep.forEach((r, i) => out.set(set.data.subarray(r * set.dim, r * set.dim + dim), i * dim));
  return { rows: keep.length, dim, data: out };
}

export function structuredProbe(ds: BenchDataset, cfg: BenchConfig, betaRel: number): StructuredProbe | undefined {
  const d = ds.data.base.dim;
  const dim = largestPowerOfTwoAtMost(d);
  if (ds.cipherMetric === 'dot' || dim < 8) return undefined;
  const angular = ds.data.metric === 'angular';
  const base = truncate(ds.data.base, dim, angular);
  const queries = truncate(ds.data.queries, dim, angular);
  if (queries.rows === 0) return undefined;
  const data: Dataset = {
    ...ds.data,
    base,
    queries,
    // Recall is not measured here; the attacks never read the ground truth.
    groundTruth: { rows: 0, dim: 0, data: new Int32Array(0) },
  };
  const small = prepareDataset(data);
  const setup0 = attackSetup(small, cfg);
  // Below d/2 pairs the attack cannot pin +-1 entries down even without noise: nothing to show.
  if (2 * setup0.knownMax < dim) return undefined;
  const wanted = [Math.ceil(dim / 2), dim, Math.ceil(1.5 * dim), setup0.knownMax].filter((n) => n <= setup0.knownMax);
  const setup = { ...setup0, knownPairs: [...new Set(wanted)].sort((a, b) => a - b) };
  const cache = attackCache(small, setup, cfg.seed);
  const rows: StructuredProbeRow[] = [];
  const ids = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const { truth, plain } = cache;
  for (const name of ['sealvec', 'sealvec-v1', 'rotation'] as const) {
    const betaAbs = betaRel * small.betaUnit;
    const scheme = schemeFor(name, small, betaAbs, cfg.seed);
    const cipher = fromVectors(scheme.encryptRecords(cache.poolRows));
    const targets = selectRows(cipher, ids(setup.knownMax, setup.pool));
    const trueMap = structuredTruth(scheme);
    const keyHolder = cosineStats(scheme.keyHolderInverse()!(targets), truth).mean;
    for (const n of setup.knownPairs) {
      const kp = selectRows(plain, ids(0, n));
      const kc = selectRows(cipher, ids(0, n));
      const ref = pca(kp);
      let total = 0;
      for (const v of ref.variances) total += v;
      const scored: [string, number][] = [];
      const score = (attack: string, est: Mat) => {
        const m = cosineStats(est, truth).mean;
        scored.push([attack, m]);
        const sub = wienerDenoise(est, ref, noiseVariance(est, ref, total));
        scored.push([`${attack}+subspace`, cosineStats(sub, truth).mean]);
        return m;
      };
      const procrustes = score('kp-procrustes', procrustesAttack(kp, kc, targets));
      const leastSquares = cosineStats(leastSquaresAttack(kp, kc, targets), truth).mean;
      scored.push(['kp-least-squares', leastSquares]);
      const res = structuredAttack(kp, kc, targets);
      const structured = res.estimates ? score('kp-structured', res.estimates) : undefined;
      const [bestName, best] = scored.reduce((a, b) => (b[1] > a[1] ? b : a));
      rows.push({
        scheme: name,
        knownPairs: n,
        procrustes,
        leastSquares,
        ...(structured !== undefined ? { structured } : {}),
        found: res.found,
        ...(trueMap ? { signAgreement: signAgreement(res, trueMap) } : {}),
        best,
        bestName,
        keyHolder,
      });
    }
  }
  return { dim, fromDim: d, betaRel, rows };
}
