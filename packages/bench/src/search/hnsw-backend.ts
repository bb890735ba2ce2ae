/**
 * A bench-only Backend that answers `query` the way a real Qdrant does once a collection is
 * indexed: through an HNSW graph (hnswlib at Qdrant's defaults), not by exact scan. Everything
 * else (storage, payloads, filters, retrieve, scroll) is delegated to an inner backend, normally
 * LocalBackend, so SealedCollection runs unchanged on top and its recall can be compared with
 * the exact backend's.
 *
 * Filters follow Qdrant's query planner in spirit: the matching points are counted first; when
 * their vectors are smaller than full_scan_threshold (10,000 KB by default) the planner scans
 * them exactly, otherwise it searches the graph with the filter applied during traversal (which
 * is what hnswlib's filter callback does). Only Euclid collections (what SealedCollection creates).
 */
import type { Backend, CollectionDescription, CollectionSpec, Filter, Point, QueryRequest, RetrieveOptions, ScoredPoint, ScrollPage, ScrollRequest, UpsertOptions, UpsertResult, Payload } from '@sealvec/qdrant';
import { type HnswLib, HnswIndex, QDRANT_HNSW } from './hnsw.js';

/** Qdrant's default full_scan_threshold, in bytes of vectors. */
export const FULL_SCAN_BYTES = 10_000 * 1024;

interface Indexed {
  readonly index: HnswIndex;
  readonly labelOf: Map<string, number>;
  readonly idOf: string[];
  readonly dim: number;
  /** Matching point ids per filter (JSON), dropped on every write. */
  readonly matches: Map<string, Set<string>>;
}

export interface HnswBackendOptions {
  readonly m?: number;
  readonly efConstruct?: number;
  /** Search beam; default ef_construct, and never below the request's limit (Qdrant's rule). */
  readonly ef?: number;
  readonly seed?: number;
  /** Below this many bytes of matching vectors a filtered query is answered by exact scan. */
  readonly fullScanBytes?: number;
}

export class HnswBackend implements Backend {
  readonly #inner: Backend;
  readonly #lib: HnswLib;
  readonly #opts: Required<HnswBackendOptions>;
  readonly #collections = new Map<string, Indexed>();
  /** Queries answered by the graph and by exact scan (for the report). */
  readonly stats = { graph: 0, exact: 0 };

  constructor(inner: Backend, lib: HnswLib, options: HnswBackendOptions = {}) {
    this.#inner = inner;
    this.#lib = lib;
    this.#opts = {
      m: options.m ?? QDRANT_HNSW.m,
      efConstruct: options.efConstruct ?? QDRANT_HNSW.efConstruct,
      ef: options.ef ?? options.efConstruct ?? QDRANT_HNSW.efConstruct,
      seed: options.seed ?? 100,
      fullScanBytes: options.fullScanBytes ?? FULL_SCAN_BYTES,
    };
  }

  async createCollection(spec: CollectionSpec): Promise<void> {
    if (spec.distance !== 'Euclid') throw new RangeError(`"spec.distance" expected Euclid for the HNSW bench backend, got ${spec.distance}`);
    await this.#inner.createCollection(spec);
    const { m, efConstruct, seed } = this.#opts;
    this.#collections.set(spec.name, {
      index: HnswIndex.create(this.#lib, spec.dimension, 1024, { m, efConstruct, seed }),
      labelOf: new Map(),
      idOf: [],
      dim: spec.dimension,
      matches: new Map(),
    });
  }

  describe(name: string): Promise<CollectionDescription | null> {
    return this.#inner.describe(name);
  }

  async deleteCollection(name: string): Promise<void> {
    await this.#inner.deleteCollection(name);
    this.#collections.delete(name);
  }

  async upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    const res = await this.#inner.upsert(name, points, options);
    const c = this.#get(name);
    c.matches.clear();
    const stored = new Set(res.stored);
    for (const p of points) {
      if (!stored.has(p.id)) continue;
      let label = c.labelOf.get(p.id);
      if (label === undefined) {
        label = c.idOf.length;
        c.labelOf.set(p.id, label);
        c.idOf.push(p.id);
      }
      c.index.set(label, p.vector);
    }
    return res;
  }

  async query(name: string, request: QueryRequest): Promise<ScoredPoint[]> {
    const c = this.#get(name);
    let allowed: Set<string> | undefined;
    if (request.filter) {
      allowed = await this.#matching(name, c, request.filter);
      if (allowed.size * c.dim * 4 <= this.#opts.fullScanBytes) {
        this.stats.exact++;
        return this.#inner.query(name, request);
      }
    }
    this.stats.graph++;
    const live = (label: number) => {
      const id = c.idOf[label];
      return id !== undefined && c.labelOf.get(id) === label && (allowed === undefined || allowed.has(id));
    };
    const found = c.index.search(request.vector, request.limit, { ef: this.#opts.ef, filter: live });
    const ids = Array.from(found.labels, (l) => c.idOf[l] as string);
    const points = await this.#inner.retrieve(name, ids, {
      ...(request.withVector !== undefined ? { withVector: request.withVector } : {}),
      ...(request.withPayload !== undefined ? { withPayload: request.withPayload } : {}),
    });
    const byId = new Map(points.map((p) => [p.id, p]));
    const out: ScoredPoint[] = [];
    ids.forEach((id, i) => {
      const p = byId.get(id);
      if (!p) return;
      out.push({ id, score: Math.sqrt(found.distances[i] as number), payload: p.payload, ...(request.withVector ? { vector: p.vector } : {}) });
    });
    return out;
  }

  retrieve(name: string, ids: string[], options?: RetrieveOptions): Promise<Point[]> {
    return this.#inner.retrieve(name, ids, options);
  }

  scroll(name: string, request: ScrollRequest): Promise<ScrollPage> {
    return this.#inner.scroll(name, request);
  }

  async delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void> {
    const c = this.#get(name);
    const ids = 'ids' in selector ? selector.ids : [...(await this.#matching(name, c, selector.filter))];
    await this.#inner.delete(name, selector);
    c.matches.clear();
    for (const id of ids) {
      const label = c.labelOf.get(id);
      if (label === undefined) continue;
      c.index.remove(label);
      c.labelOf.delete(id);
    }
  }

  count(name: string, filter?: Filter): Promise<number> {
    return this.#inner.count(name, filter);
  }

  async setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void> {
    await this.#inner.setPayload(name, updates);
    this.#get(name).matches.clear();
  }

  close(): Promise<void> {
    this.#collections.clear();
    return this.#inner.close();
  }

  #get(name: string): Indexed {
    const c = this.#collections.get(name);
    if (!c) throw new RangeError(`collection "${name}" was not created through this HnswBackend`);
    return c;
  }

  /** Ids matching a filter, by scrolling the inner backend once per distinct filter between writes. */
  async #matching(name: string, c: Indexed, filter: Filter): Promise<Set<string>> {
    const key = JSON.stringify(filter);
    const hit = c.matches.get(key);
    if (hit) return hit;
    const ids = new Set<string>();
    let offset: string | undefined;
    for (;;) {
      const page = await this.#inner.scroll(name, { filter, limit: 4096, withPayload: false, ...(offset !== undefined ? { offset } : {}) });
      for (const p of page.points) ids.add(p.id);
      if (page.nextOffset === null) break;
      offset = page.nextOffset;
    }
    c.matches.set(key, ids);
    return ids;
  }
}
