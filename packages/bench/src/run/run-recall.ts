/**
 * The recall sweep: for each relative beta, encrypt the whole base and the queries with the real
 * cipher (one fixed benchmark key, fresh per-record noise) and measure recall@k for every
 * re-rank oversample against the exact plaintext ground truth.
 */
import { type RecallPoint, recallGrid } from '../recall/recall.js';
import { sealvecScheme } from '../schemes/sealvec.js';
import type { BenchConfig } from './config.js';
import type { BenchDataset } from './prepare.js';

export interface RecallRun {
  readonly betaRel: number;
  readonly betaAbs: number;
  readonly points: readonly RecallPoint[];
  /** Wall time to encrypt one base vector (the cipher's cost inside this run, for context). */
  readonly encryptUsPerVector: number;
  /** Wall time of one brute-force encrypted search plus re-rank grid, per query. */
  readonly searchMsPerQuery: number;
}

export function runRecall(ds: BenchDataset, cfg: BenchConfig, betas: readonly number[], log: (s: string) => void): RecallRun[] {
  const { base, queries, groundTruth, metric } = ds.data;
  const out: RecallRun[] = [];
  for (const betaRel of betas) {
    const betaAbs = betaRel * ds.betaUnit;
    const scheme = sealvecScheme({
      dimension: base.dim,
      metric: ds.cipherMetric,
      beta: betaAbs,
      seed: cfg.seed,
      ...(ds.maxNorm !== undefined ? { maxNorm: ds.maxNorm } : {}),
    });
    const t0 = performance.now();
    const encBase = scheme.encryptRecords(base);
    const t1 = performance.now();
    const encQueries = scheme.encryptQueries(queries);
    const t2 = performance.now();
    const points = recallGrid(encBase, encQueries, base, queries, metric, groundTruth, cfg.ks, [...cfg.oversamples, ...cfg.extraOversamples]);
    const t3 = performance.now();
    const r10 = points.find((p) => p.k === 10 && p.oversample === 10)?.recall;
    log(`  recall beta=${betaRel}: recall@10 (rerank x10) ${r10?.toFixed(3) ?? 'n/a'} [${((t3 - t0) / 1000).toFixed(1)} s]`);
    out.push({
      betaRel,
      betaAbs,
      points,
      encryptUsPerVector: ((t1 - t0) * 1000) / base.rows,
      searchMsPerQuery: (t3 - t2) / queries.rows,
    });
  }
  return out;
}

export function recallOf(run: RecallRun, k: number, oversample: number): number | undefined {
  return run.points.find((p) => p.k === k && p.oversample === oversample)?.recall;
}
