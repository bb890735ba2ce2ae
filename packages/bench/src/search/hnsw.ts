/**
 * Approximate candidate search through a real HNSW implementation: hnswlib (the reference
 * implementation by the algorithm's authors) via the `hnswlib-node` binding, at Qdrant's
 * defaults (m = 16, ef_construct = 100; search ef = max(limit, ef_construct), as Qdrant does
 * when the request sets no hnsw_ef).
 *
 * hnswlib-node is a native addon built from source at install time, so it is an optional
 * dependency of the bench: where it did not build (no compiler), `loadHnsw` says why and every
 * HNSW measurement is reported as skipped with that reason, while the exact ones still run.
 */
import { createRequire } from 'node:module';
import type { VectorSet } from '../datasets/vectors.js';

/** Qdrant's default HNSW parameters (collection config hnsw_config: m, ef_construct). */
export const QDRANT_HNSW = { m: 16, efConstruct: 100 } as const;

/** The part of hnswlib-node's HierarchicalNSW we use. */
interface NativeIndex {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number, allowReplaceDeleted?: boolean): void;
  addPoint(point: number[], label: number, replaceDeleted?: boolean): void;
  markDelete(label: number): void;
  resizeIndex(newMaxElements: number): void;
  getMaxElements(): number;
  getCurrentCount(): number;
  setEf(ef: number): void;
  searchKnn(query: number[], k: number, filter?: (label: number) => boolean): { distances: number[]; neighbors: number[] };
}

export interface HnswLib {
  readonly HierarchicalNSW: new (space: 'l2' | 'ip' | 'cosine', dim: number) => NativeIndex;
}

export type HnswAvailability = { readonly ok: true; readonly lib: HnswLib } | { readonly ok: false; readonly reason: string };

let cached: HnswAvailability | undefined;

/** hnswlib-node if it is installed and built; otherwise the reason. SEALVEC_BENCH_HNSW=0 turns it off. */
export function loadHnsw(env: NodeJS.ProcessEnv = process.env): HnswAvailability {
  if (env.SEALVEC_BENCH_HNSW === '0') return { ok: false, reason: 'turned off by SEALVEC_BENCH_HNSW=0' };
  if (cached) return cached;
  try {
    const lib = createRequire(import.meta.url)('hnswlib-node') as HnswLib;
    if (typeof lib?.HierarchicalNSW !== 'function') throw new Error('hnswlib-node has no HierarchicalNSW export');
    cached = { ok: true, lib };
  } catch (e) {
    cached = {
      ok: false,
      reason: `hnswlib-node is not available (${(e as Error).message.split('\n')[0]}); it is an optional dependency of @sealvec/bench built from source with node-gyp (needs python3, make, g++)`,
    };
  }
  return cached;
}

export interface HnswParams {
  readonly m: number;
  readonly efConstruct: number;
  readonly seed: number;
}

/** An L2 HNSW index over the rows of a vector set; labels are row numbers. */
export class HnswIndex {
  readonly #index: NativeIndex;
  readonly dim: number;
  readonly efConstruct: number;
  #rows: number;

  private constructor(index: NativeIndex, dim: number, efConstruct: number, rows: number) {
    this.#index = index;
    this.dim = dim;
    this.efConstruct = efConstruct;
    this.#rows = rows;
  }

  static create(lib: HnswLib, dim: number, capacity: number, params: HnswParams = { ...QDRANT_HNSW, seed: 100 }): HnswIndex {
    if (!Number.isSafeInteger(dim) || dim < 1) throw new RangeError(`"dim" expected integer >= 1, got ${dim}`);
    const index = new lib.HierarchicalNSW('l2', dim);
    index.initIndex(Math.max(1, capacity), params.m, params.efConstruct, params.seed, true);
    return new HnswIndex(index, dim, params.efConstruct, 0);
  }

  static build(lib: HnswLib, vectors: VectorSet, params: HnswParams = { ...QDRANT_HNSW, seed: 100 }): HnswIndex {
    const idx = HnswIndex.create(lib, vectors.dim, vectors.rows, params);
    for (let i = 0; i < vectors.rows; i++) idx.set(i, vectors.data.subarray(i * vectors.dim, (i + 1) * vectors.dim));
    return idx;
  }

  get size(): number {
    return this.#rows;
  }

  /** Adds or replaces the vector under `label`, growing the index as needed. */
  set(label: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) throw new RangeError(`"vector" expected length ${this.dim}, got ${vector.length}`);
    if (label >= this.#index.getMaxElements()) this.#index.resizeIndex(Math.max(label + 1, 2 * this.#index.getMaxElements()));
    this.#index.addPoint(Array.from(vector), label, false);
    this.#rows = this.#index.getCurrentCount();
  }

  remove(label: number): void {
    this.#index.markDelete(label);
  }

  /**
   * Up to `limit` labels nearest first, with squared L2 distances. The beam is
   * max(limit, ef), ef defaulting to ef_construct (Qdrant's rule without hnsw_ef).
   */
  search(query: ArrayLike<number>, limit: number, options: { ef?: number; filter?: (label: number) => boolean } = {}): { labels: Int32Array; distances: Float64Array } {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`"limit" expected integer >= 1, got ${limit}`);
    const k = Math.min(limit, this.#index.getMaxElements());
    this.#index.setEf(Math.max(k, options.ef ?? this.efConstruct));
    const r = options.filter ? this.#index.searchKnn(Array.from(query), k, options.filter) : this.#index.searchKnn(Array.from(query), k);
    return { labels: Int32Array.from(r.neighbors), distances: Float64Array.from(r.distances) };
  }
}
