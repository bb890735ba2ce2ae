/**
 * Exact nearest neighbours by brute force, the reference every recall figure is measured
 * against. Distances follow the texmex files: squared L2 for `l2`, 1 - cosine for `angular`,
 * negative inner product for `ip` (so that nearest first means ascending in every case).
 */
import { negDotTo, squaredL2To } from '../search/distance.js';
import { topK } from '../search/topk.js';
import type { IntRows } from './fvecs.js';
import { assertSameDim, normalizeRows, row, type VectorSet } from './vectors.js';

export type DatasetMetric = 'l2' | 'angular' | 'ip';

export function isDatasetMetric(m: unknown): m is DatasetMetric {
  return m === 'l2' || m === 'angular' || m === 'ip';
}

export interface GroundTruth {
  readonly ids: IntRows;
  readonly distances: VectorSet;
}

export function computeGroundTruth(base: VectorSet, queries: VectorSet, metric: DatasetMetric, k: number): GroundTruth {
  if (!isDatasetMetric(metric)) throw new TypeError(`"metric" expected 'l2', 'angular' or 'ip', got ${String(metric)}`);
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`"k" expected integer >= 1, got ${k}`);
  assertSameDim(base, queries, 'queries');
  const kk = Math.min(k, base.rows);
  const b = metric === 'angular' ? normalizeRows(base) : base;
  const q = metric === 'angular' ? normalizeRows(queries) : queries;
  const ids = new Int32Array(queries.rows * kk);
  const dists = new Float32Array(queries.rows * kk);
  const scratch = new Float64Array(base.rows);
  for (let i = 0; i < queries.rows; i++) {
    const qi = row(q, i);
    if (metric === 'ip') negDotTo(qi, b, scratch);
    else squaredL2To(qi, b, scratch);
    const top = topK(scratch, kk);
    for (let j = 0; j < kk; j++) {
      const id = top[j] as number;
      ids[i * kk + j] = id;
      // For unit vectors |q - x|^2 = 2 - 2cos, so 1 - cos is half the squared distance.
      const d = scratch[id] as number;
      dists[i * kk + j] = metric === 'angular' ? d / 2 : d;
    }
  }
  return { ids: { rows: queries.rows, dim: kk, data: ids }, distances: { rows: queries.rows, dim: kk, data: dists } };
}
