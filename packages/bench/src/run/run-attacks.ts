/**
 * The attack runs. For each scheme and beta, the attacker steals every ciphertext of an attack
 * pool (the first `attackPool` base rows); the last `attackTargets` rows are the vectors it
 * tries to recover, the others supply known pairs and the plaintext sample. Each attack's
 * estimates are scored by their cosine with the true plaintexts of the targets.
 *
 * Families: known-plaintext (a) and its denoised variants (c), known-sample (b) and its denoised
 * variant, the key holder (the searcher, who holds the mix and scale but not the record data
 * keys: the limit of (a) with unlimited pairs), and averaging of repeated encryptions (d).
 */
import { type CosineStats, cosineStats } from '../attacks/cosine.js';
import { coordinateMatchAttack } from '../attacks/coordinate-match.js';
import { neighbourBlend, neighbourMeans, noiseVariance, wienerDenoise } from '../attacks/denoise.js';
import { leastSquaresAttack, procrustesAttack } from '../attacks/known-plaintext.js';
import { applyTransform, type StructuredResult, structuredAttack } from '../attacks/structured.js';
import { marginalMatching, pcaAlignment } from '../attacks/known-sample.js';
import { pick, type VectorSet } from '../datasets/vectors.js';
import { fromVectors, identity, type Mat, selectRows, transpose, zeros } from '../linalg/matrix.js';
import { type Pca, pca } from '../linalg/pca.js';
import { createRng, permutation } from '../rng.js';
import type { Scheme, SchemeName } from '../schemes/scheme.js';
import { sealvecScheme } from '../schemes/sealvec.js';
import { rotationScheme } from '../schemes/rotation.js';
import { shuffleScheme } from '../schemes/shuffle.js';
import type { BenchConfig } from './config.js';
import type { BenchDataset } from './prepare.js';

export type AttackFamily = 'known-plaintext' | 'known-sample' | 'key-holder' | 'prior';

export interface AttackResult {
  readonly attack: string;
  readonly family: AttackFamily;
  /** Known (plaintext, ciphertext) pairs used; 0 for attacks without pairs. */
  readonly knownPairs: number;
  readonly stats: CosineStats;
  /** The same, with estimate and truth taken relative to the sample mean (see rowCosines). */
  readonly centered: CosineStats;
  /** The attacker's best free parameter, e.g. "k=16" or "m=10". */
  readonly detail?: string;
}

export interface SchemeAttackRun {
  readonly scheme: SchemeName;
  readonly betaRel: number;
  readonly betaAbs: number;
  readonly results: readonly AttackResult[];
  /** The structured known-plaintext attack's own diagnostics, per number of pairs (n >= d/2). */
  readonly structured?: readonly StructuredRecord[];
  readonly seconds: number;
}

export interface StructuredRecord {
  readonly knownPairs: number;
  /** Did the attacker's held-out test accept the rounded map? */
  readonly found: boolean;
  readonly transform: string;
  readonly heldOutRatio: number;
  /** Share of fitted entries whose sign matches the scheme's true map (1 = R recovered exactly). */
  readonly signAgreement: number;
  /** Output columns fitted (all d when found, the probe otherwise). */
  readonly columns: number;
  /** Mean cosine of the rounded map's estimates (before denoising), when found. */
  readonly mean?: number;
  readonly seconds: number;
}

export interface AveragingRun {
  readonly betaRel: number;
  readonly betaAbs: number;
  /** Key-holder estimate of a vector from the mean of T encryptions of it, per T. */
  readonly repeats: readonly { readonly T: number; readonly stats: CosineStats }[];
  readonly queriesTried: number;
  /** How many distinct ciphertexts encrypting each query twice produced (equal to queriesTried when deterministic). */
  readonly distinctQueryCiphertexts: number;
}

export interface AttackSetup {
  /** Pool size: a seeded uniform sample of base rows (datasets are often stored sorted, e.g. MNIST by digit). */
  readonly pool: number;
  readonly targets: number;
  readonly knownMax: number;
  readonly sampleRows: number;
  readonly knownPairs: readonly number[];
}

export function attackSetup(ds: BenchDataset, cfg: BenchConfig): AttackSetup {
  const pool = Math.min(cfg.attackPool, ds.plainBase.rows);
  const targets = Math.max(1, Math.min(cfg.attackTargets, Math.floor(pool / 4)));
  const knownMax = pool - targets;
  const knownPairs = [...new Set([...cfg.knownPairs.filter((n) => n < knownMax), knownMax])].sort((a, b) => a - b);
  return { pool, targets, knownMax, sampleRows: Math.min(cfg.sampleSize, knownMax), knownPairs };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** Caches that do not depend on the scheme or beta. */
export interface AttackCache {
  /** The base rows in the pool, in pool order. */
  readonly poolRows: VectorSet;
  readonly plain: Mat;
  readonly truth: Mat;
  readonly sample: Mat;
  readonly samplePca: Pca;
  readonly sampleTotalVar: number;
  readonly knownPca: Map<number, { pca: Pca; total: number }>;
}

/** A seeded uniform sample of `pool` base rows; the same seed gives the same rows for every scheme and beta. */
export function poolIds(rows: number, pool: number, seed: number): Uint32Array {
  return permutation(createRng(seed ^ 0x9001), rows).subarray(0, pool);
}

export function attackCache(ds: BenchDataset, setup: AttackSetup, seed: number): AttackCache {
  const poolRows = pick(ds.plainBase, poolIds(ds.plainBase.rows, setup.pool, seed));
  const plain = fromVectors(poolRows);
  const truth = selectRows(plain, range(setup.knownMax, setup.pool));
  const sample = selectRows(plain, range(0, setup.sampleRows));
  const samplePca = pca(sample);
  const sampleTotalVar = total(samplePca);
  // The sample is the first sampleRows known rows, so it doubles as the known set of that size.
  const knownPca = new Map([[setup.sampleRows, { pca: samplePca, total: sampleTotalVar }]]);
  return { poolRows, plain, truth, sample, samplePca, sampleTotalVar, knownPca };
}

function total(p: Pca): number {
  let t = 0;
  for (const v of p.variances) t += v;
  return t;
}

function knownPcaOf(cache: AttackCache, n: number): { pca: Pca; total: number } {
  let e = cache.knownPca.get(n);
  if (!e) {
    const p = pca(selectRows(cache.plain, range(0, n)));
    e = { pca: p, total: total(p) };
    cache.knownPca.set(n, e);
  }
  return e;
}

/** Best of several estimates by mean cosine (the attacker's tuning, done in hindsight). */
interface Scored {
  readonly est: Mat;
  readonly stats: CosineStats;
  readonly detail: string;
}

function bestOf(cands: { est: Mat; detail: string }[], truth: Mat): Scored {
  let best: Scored | undefined;
  for (const c of cands) {
    const stats = cosineStats(c.est, truth);
    if (!best || stats.mean > best.stats.mean) best = { est: c.est, stats, detail: c.detail };
  }
  if (!best) throw new Error('bestOf: no candidates');
  return best;
}

/** Neighbour counts and blend weights the attacker tries (see neighbourBlend). */
const NEIGHBOURS = [1, 5, 10, 20];
const BLENDS = [0.25, 0.5, 0.75, 1];

function neighbourVariants(est: Mat, known: Mat, truth: Mat): Scored {
  const means = neighbourMeans(est, known, NEIGHBOURS.filter((m) => m <= known.rows));
  return bestOf(
    [...means].flatMap(([m, mean]) => BLENDS.map((a) => ({ est: neighbourBlend(est, mean, a), detail: `m=${m}, a=${a}` }))),
    truth,
  );
}

export function attackScheme(
  scheme: Scheme,
  betaRel: number,
  betaAbs: number,
  setup: AttackSetup,
  cache: AttackCache,
  cfg: BenchConfig,
  ds: BenchDataset,
): SchemeAttackRun {
  const t0 = performance.now();
  const results: AttackResult[] = [];
  const { truth, plain } = cache;
  const cipherAll = fromVectors(scheme.encryptRecords(cache.poolRows));
  const targets = selectRows(cipherAll, range(setup.knownMax, setup.pool));
  const mean = cache.samplePca.mean;
  const add = (attack: string, family: AttackFamily, knownPairs: number, est: Mat, detail?: string) =>
    results.push({
      attack,
      family,
      knownPairs,
      stats: cosineStats(est, truth),
      centered: cosineStats(est, truth, mean),
      ...(detail !== undefined ? { detail } : {}),
    });

  // (b) known sample, and the prior (sample mean) every attacker starts from.
  const aligned = pcaAlignment(cache.sample, cipherAll, cfg.pcaKs, cache.samplePca);
  const alignedTargets = aligned.map((a) => ({ est: selectRows(a.estimates, range(setup.knownMax, setup.pool)), detail: `k=${a.k}` }));
  const prior = alignedTargets.find((a) => a.detail === 'k=0');
  if (prior) add('mean-guess', 'prior', 0, prior.est);
  const bestAlign = bestOf(alignedTargets.filter((a) => a.detail !== 'k=0'), truth);
  add('ks-pca-align', 'known-sample', 0, bestAlign.est, bestAlign.detail);
  const nb = neighbourVariants(bestAlign.est, cache.sample, truth);
  add('ks-pca-align+neighbours', 'known-sample', 0, nb.est, `${bestAlign.detail}, ${nb.detail}`);
  add('ks-marginal', 'known-sample', 0, selectRows(marginalMatching(cache.sample, cipherAll), range(setup.knownMax, setup.pool)));

  // (a) known plaintext, with (c) denoising by the known plaintexts.
  // The scheme's true map, only to score the structured attack: d x d work, so only when it runs.
  let trueMap: Mat | null | undefined;
  const truthOnce = () => (trueMap === undefined ? (trueMap = structuredTruth(scheme)) : trueMap);
  const structured: StructuredRecord[] = [];
  for (const n of setup.knownPairs) {
    const ids = range(0, n);
    const kp = selectRows(plain, ids);
    const kc = selectRows(cipherAll, ids);
    const ref = knownPcaOf(cache, n);
    const denoised = (name: string, est: Mat) => {
      add(name, 'known-plaintext', n, est);
      const sub = wienerDenoise(est, ref.pca, noiseVariance(est, ref.pca, ref.total));
      add(`${name}+subspace`, 'known-plaintext', n, sub);
      const nbk = neighbourVariants(est, kp, truth);
      add(`${name}+neighbours`, 'known-plaintext', n, nbk.est, nbk.detail);
      const nbs = neighbourVariants(sub, kp, truth);
      add(`${name}+subspace+neighbours`, 'known-plaintext', n, nbs.est, nbs.detail);
    };
    denoised('kp-procrustes', procrustesAttack(kp, kc, targets));
    add('kp-least-squares', 'known-plaintext', n, leastSquaresAttack(kp, kc, targets));
    // Aimed at shuffles; against the mix it is measured where it is cheap (n <= 100) to show it fails.
    if (scheme.name === 'shuffle' || n <= 100) {
      add('kp-coordinate', 'known-plaintext', n, coordinateMatchAttack(kp, kc, targets));
    }
    // The structured attack needs at least d/2 pairs to pin +-1 entries down even without noise.
    if (2 * n >= plain.cols && truthOnce()) {
      const t = performance.now();
      const res = structuredAttack(kp, kc, targets);
      if (res.estimates) denoised('kp-structured', res.estimates);
      structured.push({
        knownPairs: n,
        found: res.found,
        transform: res.transform,
        heldOutRatio: res.heldOutRatio,
        signAgreement: signAgreement(res, truthOnce()!),
        columns: res.columns.length,
        ...(res.estimates ? { mean: cosineStats(res.estimates, truth).mean } : {}),
        seconds: (performance.now() - t) / 1000,
      });
    }
  }

  // The key holder (searcher): exact inverse of mix and scale, noise left in, then denoised.
  const inverse = scheme.keyHolderInverse();
  if (inverse) {
    const est = inverse(targets);
    add('key-holder', 'key-holder', 0, est);
    const sigma2 = noiseVariance(est, cache.samplePca, cache.sampleTotalVar);
    add('key-holder+subspace', 'key-holder', 0, wienerDenoise(est, cache.samplePca, sigma2));
    const nbh = neighbourVariants(est, cache.sample, truth);
    add('key-holder+neighbours', 'key-holder', 0, nbh.est, nbh.detail);
    const nbhs = neighbourVariants(wienerDenoise(est, cache.samplePca, sigma2), cache.sample, truth);
    add('key-holder+subspace+neighbours', 'key-holder', 0, nbhs.est, nbhs.detail);
  }
  return { scheme: scheme.name, betaRel, betaAbs, results, ...(structured.length ? { structured } : {}), seconds: (performance.now() - t0) / 1000 };
}

/**
 * (d) Averaging: the same vector stored T times (T records, each with its own data key and
 * noise). The key holder inverts the mean of the T ciphertexts; noise shrinks like 1/sqrt(T).
 * Queries, in contrast, are deterministic: encrypting one twice must give one ciphertext.
 */
export function averagingAttack(ds: BenchDataset, cfg: BenchConfig, betaRel: number): AveragingRun | undefined {
  const betaAbs = betaRel * ds.betaUnit;
  const scheme = sealvecScheme({
    dimension: ds.data.base.dim,
    metric: ds.cipherMetric,
    beta: betaAbs,
    seed: cfg.seed,
    ...(ds.maxNorm !== undefined ? { maxNorm: ds.maxNorm } : {}),
  });
  const inverse = scheme.keyHolderInverse();
  if (!inverse) return undefined;
  const m = Math.min(cfg.averagingVectors, ds.plainBase.rows);
  const vectors = pick(ds.plainBase, poolIds(ds.plainBase.rows, m, cfg.seed));
  const tMax = Math.max(...cfg.averagingRepeats);
  const D = scheme.storedDimension;
  const sums = zeros(m, D);
  const truth = fromVectors(vectors);
  const repeats: { T: number; stats: CosineStats }[] = [];
  for (let t = 1; t <= tMax; t++) {
    const c = scheme.encryptRecords(vectors);
    for (let k = 0; k < c.data.length; k++) sums.data[k]! += c.data[k] as number;
    if (cfg.averagingRepeats.includes(t)) {
      const mean = { rows: m, cols: D, data: sums.data.map((v) => v / t) };
      repeats.push({ T: t, stats: cosineStats(inverse(mean), truth) });
    }
  }
  const q = pick(ds.data.queries, range(0, Math.min(20, ds.data.queries.rows)));
  const once = scheme.encryptQueries(q);
  const twice = scheme.encryptQueries(q);
  let distinct = 0;
  for (let i = 0; i < q.rows; i++) {
    const a = once.data.subarray(i * D, (i + 1) * D);
    const b = twice.data.subarray(i * D, (i + 1) * D);
    distinct += a.every((v, j) => Object.is(v, b[j])) ? 1 : 2;
  }
  return { betaRel, betaAbs, repeats, queriesTried: q.rows, distinctQueryCiphertexts: distinct };
}

export function schemeFor(name: SchemeName, ds: BenchDataset, betaAbs: number, seed: number): Scheme {
  const dimension = ds.data.base.dim;
  if (name === 'shuffle') return shuffleScheme({ dimension, metric: ds.cipherMetric, beta: betaAbs, seed });
  if (name === 'rotation') return rotationScheme({ dimension, metric: ds.cipherMetric, beta: betaAbs, seed });
  return sealvecScheme({
    dimension,
    metric: ds.cipherMetric,
    beta: name === 'mix-no-noise' ? 0 : betaAbs,
    seed,
    ...(name === 'sealvec-v1' ? { version: 1 as const } : {}),
    ...(ds.maxNorm !== undefined ? { maxNorm: ds.maxNorm } : {}),
  });
}


/**
 * The scheme's true forward map F (rows: c = x F plus noise), from its key holder's inverse
 * K = F^-1: F is s times an orthogonal matrix, so F = K^T / |K e_0|^2. Used only to score the
 * structured attack's signs; null where there is no key-holder inverse (dot).
 */
export function structuredTruth(scheme: Scheme): Mat | null {
  const inverse = scheme.keyHolderInverse();
  if (!inverse) return null;
  const d = scheme.storedDimension;
  const k = inverse(identity(d));
  if (k.cols !== d) return null;
  let s2 = 0;
  for (let i = 0; i < d; i++) s2 += (k.data[i * d] as number) ** 2;
  const f = transpose(k);
  for (let i = 0; i < f.data.length; i++) f.data[i]! /= s2;
  return f;
}

/** Share of the attack's rounded signs that match the true map under the same public transform. */
export function signAgreement(res: StructuredResult, trueMap: Mat): number {
  const w = applyTransform(res.transform, trueMap);
  const d = w.rows;
  const cols = res.columns;
  let same = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < cols.length; j++) {
      const truth = (w.data[i * w.cols + (cols[j] as number)] as number) < 0 ? -1 : 1;
      if (truth === res.signs.data[i * cols.length + j]) same++;
    }
  }
  return same / Math.max(1, d * cols.length);
}
