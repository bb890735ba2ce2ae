/**
 * The size and depth sweep (issue #14): recall@k of encrypted search with exact re-rank, over
 * nested random subsets of each dataset (the collection growing), for each beta and re-rank
 * depth, with the candidates found by exact search over the ciphertexts and by HNSW (hnswlib at
 * Qdrant's defaults). The noise is fixed per record, so the whole base is encrypted once per beta
 * and every size takes its rows from that one encryption.
 *
 * "Plaintext" for the HNSW ratio is plain Qdrant: an HNSW index over the plaintext vectors
 * returning its top k at the default ef, no re-rank. Exact plaintext search has recall 1.
 */
import { encryptedCandidates, exactDistance, recallAtK } from '../recall/recall.js';
import type { IntRows } from '../datasets/fvecs.js';
import { head, normalizeRows, pick, row, type VectorSet } from '../datasets/vectors.js';
import { createRng, permutation } from '../rng.js';
import { type HnswAvailability, HnswIndex, QDRANT_HNSW } from '../search/hnsw.js';
import { negDotTo, squaredL2To } from '../search/distance.js';
import { topK } from '../search/topk.js';
import { sealvecScheme } from '../schemes/sealvec.js';
import type { ScaleConfig } from './config.js';
import type { BenchDataset } from './prepare.js';

export type CandidateSearch = 'exact' | 'hnsw';

export interface ScalePoint {
  readonly betaRel: number;
  readonly size: number;
  /** Re-rank depth as an oversample factor: k x depth candidates. */
  readonly depth: number;
  readonly search: CandidateSearch;
  readonly recall: number;
}

/** Recall at a fine grid of candidate counts (exact candidates): the input of the extrapolation. */
export interface RecallCurve {
  readonly betaRel: number;
  readonly size: number;
  readonly candidates: readonly number[];
  readonly recall: readonly number[];
}

/** Candidate counts of the fine grid (each one cheap: a prefix of one candidate list). */
export const CURVE_CANDIDATES = [1, 2, 5, 10, 20, 40, 70, 100, 200, 400, 700, 1000, 2000, 4000];

export interface PlainPoint {
  readonly size: number;
  readonly search: CandidateSearch;
  readonly recall: number;
}

export interface ScaleRun {
  readonly name: string;
  readonly family: string;
  readonly modality: string;
  readonly metric: string;
  readonly dim: number;
  readonly fullRows: number;
  readonly queries: number;
  readonly k: number;
  readonly sizes: readonly number[];
  readonly depths: readonly number[];
  readonly betas: readonly number[];
  readonly plain: readonly PlainPoint[];
  readonly points: readonly ScalePoint[];
  readonly curves?: readonly RecallCurve[];
  readonly hnsw: { readonly used: boolean; readonly reason?: string; readonly m: number; readonly efConstruct: number; readonly buildSeconds: number; readonly maxRows?: number };
  readonly seconds: number;
}

/** Sizes measured for a collection of n rows: the configured ones below n, and n itself. */
export function sizesFor(n: number, configured: readonly number[]): number[] {
  return [...new Set([...configured.filter((s) => s < n), n])].sort((a, b) => a - b);
}

/** Exact top-k of each query over `base` in the dataset's metric (base and queries in the cipher's view). */
export function exactTopK(base: VectorSet, queries: VectorSet, metric: string, k: number): IntRows {
  const kk = Math.min(k, base.rows);
  const ids = new Int32Array(queries.rows * kk);
  const scratch = new Float64Array(base.rows);
  for (let i = 0; i < queries.rows; i++) {
    if (metric === 'ip') negDotTo(row(queries, i), base, scratch);
    else squaredL2To(row(queries, i), base, scratch);
    ids.set(topK(scratch, kk), i * kk);
  }
  return { rows: queries.rows, dim: kk, data: ids };
}

/** Re-ranks variable-length candidate lists by exact distance and keeps the top k. */
export function rerankLists(lists: readonly Int32Array[], base: VectorSet, queries: VectorSet, metric: string, k: number): IntRows {
  const dist = exactDistance(metric as 'l2');
  const out = new Int32Array(queries.rows * k).fill(-1);
  for (let i = 0; i < queries.rows; i++) {
    const cand = lists[i]!;
    const d = new Float64Array(cand.length);
    for (let j = 0; j < cand.length; j++) d[j] = dist(row(queries, i), row(base, cand[j] as number));
    const top = topK(d, k);
    for (let j = 0; j < top.length; j++) out[i * k + j] = cand[top[j] as number] as number;
  }
  return { rows: queries.rows, dim: k, data: out };
}

function prefixes(cand: IntRows, m: number): Int32Array[] {
  const n = Math.min(m, cand.dim);
  return Array.from({ length: cand.rows }, (_, i) => cand.data.subarray(i * cand.dim, i * cand.dim + n));
}

export function runScale(ds: BenchDataset, sc: ScaleConfig, seed: number, hnsw: HnswAvailability, log: (s: string) => void): ScaleRun {
  const t0 = performance.now();
  const { data } = ds;
  const metric = data.metric;
  const n = data.base.rows;
  const queriesRaw = head(data.queries, sc.maxQueries);
  const queries = metric === 'angular' ? normalizeRows(queriesRaw) : queriesRaw;
  const sizes = sizesFor(n, sc.sizes);
  const order = permutation(createRng(seed ^ 0x5ca1e), n);
  const k = sc.k;
  const maxDepth = Math.max(...sc.depths);
  const useHnsw = sc.hnsw && hnsw.ok && metric !== 'ip';
  const hnswReason = !sc.hnsw ? 'turned off in the config' : !hnsw.ok ? hnsw.reason : metric === 'ip' ? 'inner-product data: the plaintext reference would need an ip index' : undefined;
  const params = { ...QDRANT_HNSW, seed: seed & 0x7fffffff };
  const hnswAt = (size: number) => useHnsw && (sc.hnswMaxRows === null || size <= sc.hnswMaxRows);
  let buildSeconds = 0;
  const build = (v: VectorSet): HnswIndex => {
    const t = performance.now();
    const idx = HnswIndex.build((hnsw as { lib: Parameters<typeof HnswIndex.build>[0] }).lib, v, params);
    buildSeconds += (performance.now() - t) / 1000;
    return idx;
  };
  const search = (idx: HnswIndex, q: VectorSet, limit: number): Int32Array[] => Array.from({ length: q.rows }, (_, i) => idx.search(row(q, i), limit).labels);

  // Per size: the rows, their plaintext view and the exact ground truth; plain HNSW recall.
  const subsets = sizes.map((size) => {
    const ids = order.subarray(0, size);
    const plain = pick(ds.plainBase, ids);
    const truth = exactTopK(plain, queries, metric, k);
    return { size, ids, plain, truth };
  });
  const plainPoints: PlainPoint[] = subsets.map((s) => ({ size: s.size, search: 'exact' as const, recall: 1 }));
  if (useHnsw) {
    for (const s of subsets.filter((x) => hnswAt(x.size))) {
      const idx = build(s.plain);
      const found = rerankLists(search(idx, queries, k), s.plain, queries, metric, k);
      plainPoints.push({ size: s.size, search: 'hnsw', recall: recallAtK(found, s.truth, Math.min(k, s.size)) });
    }
  }
  log(`  scale: ground truth${useHnsw ? ' and plaintext HNSW' : ''} at ${sizes.length} sizes [${((performance.now() - t0) / 1000).toFixed(1)} s]`);

  const points: ScalePoint[] = [];
  const curves: RecallCurve[] = [];
  for (const betaRel of sc.betas) {
    const tb = performance.now();
    const scheme = sealvecScheme({
      dimension: data.base.dim,
      metric: ds.cipherMetric,
      beta: betaRel * ds.betaUnit,
      seed,
      ...(ds.maxNorm !== undefined ? { maxNorm: ds.maxNorm } : {}),
    });
    const encBase = scheme.encryptRecords(data.base);
    const encQ = scheme.encryptQueries(queriesRaw);
    for (const s of subsets) {
      const enc = pick(encBase, s.ids);
      const kk = Math.min(k, s.size);
      const cand = encryptedCandidates(enc, encQ, Math.min(s.size, k * maxDepth));
      for (const depth of sc.depths) {
        const found = rerankLists(prefixes(cand, k * depth), s.plain, queries, metric, kk);
        points.push({ betaRel, size: s.size, depth, search: 'exact', recall: recallAtK(found, s.truth, kk) });
      }
      const grid = CURVE_CANDIDATES.filter((c) => c <= cand.dim);
      curves.push({
        betaRel,
        size: s.size,
        candidates: grid,
        recall: grid.map((c) => recallAtK(rerankLists(prefixes(cand, c), s.plain, queries, metric, kk), s.truth, kk)),
      });
      if (hnswAt(s.size)) {
        const idx = build(enc);
        for (const depth of sc.depths) {
          const found = rerankLists(search(idx, encQ, Math.min(s.size, k * depth)), s.plain, queries, metric, kk);
          points.push({ betaRel, size: s.size, depth, search: 'hnsw', recall: recallAtK(found, s.truth, kk) });
        }
      }
    }
    const at = (d: number, sr: CandidateSearch) => points.find((p) => p.betaRel === betaRel && p.size === n && p.depth === d && p.search === sr)?.recall;
    log(
      `  scale beta=${betaRel}: recall@${k} at ${n} rows ${sc.depths.map((d) => `x${d} ${at(d, 'exact')?.toFixed(3)}${hnswAt(n) ? `/${at(d, 'hnsw')?.toFixed(3)}` : ''}`).join(', ')} [${((performance.now() - tb) / 1000).toFixed(1)} s]`,
    );
  }
  return {
    name: data.name,
    family: '',
    modality: '',
    metric,
    dim: data.base.dim,
    fullRows: n,
    queries: queries.rows,
    k,
    sizes,
    depths: sc.depths,
    betas: sc.betas,
    plain: plainPoints,
    points,
    curves,
    hnsw: {
      used: useHnsw,
      ...(hnswReason !== undefined ? { reason: hnswReason } : {}),
      m: params.m,
      efConstruct: params.efConstruct,
      buildSeconds,
      ...(useHnsw && sc.hnswMaxRows !== null && sc.hnswMaxRows < n ? { maxRows: sc.hnswMaxRows } : {}),
    },
    seconds: (performance.now() - t0) / 1000,
  };
}
