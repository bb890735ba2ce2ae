/**
 * Turns a loaded dataset into what the runs need: the cipher's metric, the data's scale (so a
 * relative beta means the same thing on unit vectors and on 0..255 SIFT counts) and the
 * cipher's view of the plaintexts (unit vectors for cosine), which is what attacks try to
 * recover.
 */
import type { Metric } from '@sealvec/core';
import type { Dataset } from '../datasets/load.js';
import { median, normalizeRows, norms, type VectorSet } from '../datasets/vectors.js';
import { plainCipherMetric } from '../schemes/sealvec.js';

export interface BenchDataset {
  readonly data: Dataset;
  readonly cipherMetric: Metric;
  /** beta_abs = betaRel * betaUnit: 1 for cosine, the median base norm for l2, maxNorm for ip. */
  readonly betaUnit: number;
  readonly maxNorm?: number;
  /** Base rows as the cipher sees them (normalized for cosine). */
  readonly plainBase: VectorSet;
}

export function prepareDataset(data: Dataset): BenchDataset {
  const cipherMetric = plainCipherMetric(data.metric);
  const n = norms(data.base);
  if (cipherMetric === 'cosine') {
    return { data, cipherMetric, betaUnit: 1, plainBase: normalizeRows(data.base) };
  }
  if (cipherMetric === 'dot') {
    let max = 0;
    for (const v of n) max = Math.max(max, v);
    for (const v of norms(data.queries)) max = Math.max(max, v);
    return { data, cipherMetric, betaUnit: max, maxNorm: max, plainBase: data.base };
  }
  return { data, cipherMetric, betaUnit: median(n), plainBase: data.base };
}
