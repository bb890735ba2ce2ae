/**
 * Recall of encrypted search against plaintext exact search.
 *
 * Search model (what a deployment does): brute-force L2 over the float32 ciphertexts returns
 * k * oversample candidates; the authorized client decrypts them and re-ranks by the exact
 * plaintext distance (simulated here with the plaintexts), keeping the top k. Oversample 1 is
 * plain encrypted search with no re-rank. recall@k = |top-k found  intersect  true top-k| / k.
 */
import type { IntRows } from '../datasets/fvecs.js';
import type { DatasetMetric } from '../datasets/groundtruth.js';
import { normalizeRows, row, type VectorSet } from '../datasets/vectors.js';
import { squaredL2To } from '../search/distance.js';
import { topK } from '../search/topk.js';

/** Per query, the `depth` nearest ciphertexts by L2, nearest first (queries x depth ids). */
export function encryptedCandidates(encBase: VectorSet, encQueries: VectorSet, depth: number): IntRows {
  if (encBase.dim !== encQueries.dim) throw new RangeError(`"encQueries" expected dimension ${encBase.dim}, got ${encQueries.dim}`);
  const k = Math.min(depth, encBase.rows);
  const ids = new Int32Array(encQueries.rows * k);
  const dist = new Float64Array(encBase.rows);
  for (let i = 0; i < encQueries.rows; i++) {
    squaredL2To(row(encQueries, i), encBase, dist);
    ids.set(topK(dist, k), i * k);
  }
  return { rows: encQueries.rows, dim: k, data: ids };
}

/** The exact distance the authorized client re-ranks by, in the dataset's metric. */
export function exactDistance(metric: DatasetMetric): (q: Float32Array, x: Float32Array) => number {
  if (metric === 'ip') {
    return (q, x) => {
      let s = 0;
      for (let j = 0; j < q.length; j++) s -= (q[j] as number) * (x[j] as number);
      return s;
    };
  }
  return (q, x) => {
    let s = 0;
    for (let j = 0; j < q.length; j++) {
      const t = (q[j] as number) - (x[j] as number);
      s += t * t;
    }
    return s;
  };
}

/**
 * Re-ranks the first k * oversample candidates of each query by exact distance and returns the
 * top k. For angular data pass unit-normalized base and queries (L2 order = cosine order).
 */
export function rerank(
  candidates: IntRows,
  base: VectorSet,
  queries: VectorSet,
  metric: DatasetMetric,
  k: number,
  oversample: number,
): IntRows {
  const m = Math.min(candidates.dim, k * oversample);
  const kk = Math.min(k, m);
  const dist = exactDistance(metric);
  const out = new Int32Array(queries.rows * kk);
  const d = new Float64Array(m);
  for (let i = 0; i < queries.rows; i++) {
    const q = row(queries, i);
    const cand = candidates.data.subarray(i * candidates.dim, i * candidates.dim + m);
    for (let j = 0; j < m; j++) d[j] = dist(q, row(base, cand[j] as number));
    const top = topK(d, kk, m);
    for (let j = 0; j < kk; j++) out[i * kk + j] = cand[top[j] as number] as number;
  }
  return { rows: queries.rows, dim: kk, data: out };
}

/** Mean over queries of |found[0..k) intersect truth[0..k)| / k. */
export function recallAtK(found: IntRows, truth: IntRows, k: number): number {
  if (found.rows !== truth.rows) throw new RangeError(`"found" expected ${truth.rows} rows, got ${found.rows}`);
  if (k > truth.dim) throw new RangeError(`"k" = ${k} exceeds the ground-truth depth ${truth.dim}`);
  if (k > found.dim) throw new RangeError(`"k" = ${k} exceeds the result depth ${found.dim}`);
  let sum = 0;
  const set = new Set<number>();
  for (let i = 0; i < truth.rows; i++) {
    set.clear();
    for (let j = 0; j < k; j++) set.add(truth.data[i * truth.dim + j] as number);
    let hit = 0;
    for (let j = 0; j < k; j++) if (set.has(found.data[i * found.dim + j] as number)) hit++;
    sum += hit / k;
  }
  return truth.rows > 0 ? sum / truth.rows : Number.NaN;
}

export interface RecallPoint {
  readonly k: number;
  readonly oversample: number;
  readonly recall: number;
}

/**
 * Every (k, oversample) pair from one candidate list: the candidates for a smaller k * o are a
 * prefix of those for a larger one, so one encrypted search serves the whole grid.
 */
export function recallGrid(
  encBase: VectorSet,
  encQueries: VectorSet,
  base: VectorSet,
  queries: VectorSet,
  metric: DatasetMetric,
  truth: IntRows,
  ks: readonly number[],
  oversamples: readonly number[],
): RecallPoint[] {
  const usable = ks.filter((k) => k <= truth.dim && k <= base.rows);
  if (usable.length === 0) return [];
  const depth = Math.max(...usable) * Math.max(...oversamples);
  const cand = encryptedCandidates(encBase, encQueries, depth);
  const b = metric === 'angular' ? normalizeRows(base) : base;
  const q = metric === 'angular' ? normalizeRows(queries) : queries;
  const out: RecallPoint[] = [];
  for (const k of usable) {
    for (const o of oversamples) {
      out.push({ k, oversample: o, recall: recallAtK(rerank(cand, b, q, metric, k, o), truth, k) });
    }
  }
  return out;
}
