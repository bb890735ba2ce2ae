/**
 * LocalBackend: the embedded backend. Exact search in process memory with Qdrant's semantics
 * (see ./types.ts and ./filter.ts), optionally persisted to a directory.
 *
 * Persistence: `LocalBackend.open({ path })`, or `new LocalBackend({ path })` which opens
 * lazily and reports open errors on the first call. One writer per directory (a LOCK file; a
 * second one gets Conflict). Each collection is a snapshot plus an append-only change log
 * (./local-persist.ts, format in ./local-format.ts); every mutating call returns after its
 * change is fsynced. Snapshots are only replaced by rename, so they are never torn; a log record
 * cut short by a crash is recognised and dropped (its call never returned). A damaged file
 * refuses to open (Malformed) rather than silently losing data.
 */
import { Conflict, InvalidVector, NotFound } from '@sealvec/core';
import { checkFilter, compileFilter, type PointPredicate } from './filter.js';
import type { Change } from './local-format.js';
import { DirStore } from './local-persist.js';
import { LocalCollection, type StoredPoint } from './local-store.js';
import type {
  Backend,
  CollectionDescription,
  CollectionSpec,
  Filter,
  Payload,
  Point,
  QueryRequest,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  UpsertFailure,
  UpsertOptions,
  UpsertResult,
} from './types.js';
import {
  checkIds,
  checkName,
  checkPoints,
  checkQuery,
  checkRetrieveOptions,
  checkScroll,
  checkSelector,
  checkSpec,
  checkUpdates,
  checkUpsertOptions,
  dimensionError,
  firstNonFinite,
  lastWins,
  notFound,
  pointProblem,
  uniqueIds,
} from './validate.js';

export interface LocalBackendOptions {
  /** Directory holding the collections; created if missing. Memory only when absent. */
  path?: string;
  /** Log size (bytes) past which a collection is folded into a new snapshot (tests lower it). */
  compactMinBytes?: number;
}

function toPoint(p: StoredPoint): Point {
  return { id: p.id, vector: p.vector ?? new Float32Array(0), payload: p.payload };
}

export class LocalBackend implements Backend {
  private readonly collections = new Map<string, LocalCollection>();
  private readonly ready: Promise<void>;
  private store: DirStore | undefined;
  private closed = false;

  constructor(options: LocalBackendOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('"options" expected object');
    const { path, compactMinBytes } = options;
    if (path !== undefined && (typeof path !== 'string' || path.length === 0)) {
      throw new TypeError('"options.path" expected non-empty string');
    }
    if (compactMinBytes !== undefined && (!Number.isSafeInteger(compactMinBytes) || compactMinBytes < 0)) {
      throw new TypeError('"options.compactMinBytes" expected non-negative integer');
    }
    this.ready = path === undefined ? Promise.resolve() : this.load(path, compactMinBytes);
    // The same promise is awaited by every call; this only keeps an early failure from being
    // reported as unhandled before the first call.
    this.ready.catch(() => undefined);
  }

  /** Opens (and, with a path, loads and locks) a backend; failures surface here. */
  static async open(options: LocalBackendOptions = {}): Promise<LocalBackend> {
    const b = new LocalBackend(options);
    await b.ready;
    return b;
  }

  private async load(dir: string, compactMinBytes: number | undefined): Promise<void> {
    const { store, collections } = await DirStore.open(dir, (name) => this.collections.get(name), {
      ...(compactMinBytes !== undefined ? { compactMinBytes } : {}),
    });
    for (const [name, c] of collections) this.collections.set(name, c);
    this.store = store;
  }

  private async use(): Promise<void> {
    if (this.closed) throw new TypeError('LocalBackend is closed');
    await this.ready;
  }

  private get(name: string): LocalCollection {
    const c = this.collections.get(name);
    if (c === undefined) throw notFound(name);
    return c;
  }

  /** Makes a change already applied in memory durable (no-op in memory mode). */
  private persist(name: string, change: Change): Promise<void> {
    return this.store === undefined ? Promise.resolve() : this.store.append(name, change);
  }

  // ---- Backend ----------------------------------------------------------------------------

  async createCollection(spec: CollectionSpec): Promise<void> {
    const s = checkSpec(spec);
    await this.use();
    if (this.collections.has(s.name)) throw new Conflict(`collection ${JSON.stringify(s.name)} already exists`);
    const info: LocalCollection['info'] = {
      name: s.name,
      dimension: s.dimension,
      distance: s.distance,
      keywordFields: s.keywordFields,
      metadata: s.metadata,
    };
    if (s.tenantField !== undefined) info.tenantField = s.tenantField;
    const c = new LocalCollection(info);
    this.collections.set(s.name, c);
    try {
      await this.store?.create(c);
    } catch (e) {
      if (this.collections.get(s.name) === c) this.collections.delete(s.name);
      throw e;
    }
  }

  async describe(name: string): Promise<CollectionDescription | null> {
    checkName(name);
    await this.use();
    const c = this.collections.get(name);
    if (c === undefined) return null;
    const { dimension, distance, metadata } = c.info;
    return { name, dimension, distance, metadata: structuredClone(metadata) };
  }

  async deleteCollection(name: string): Promise<void> {
    checkName(name);
    await this.use();
    if (!this.collections.delete(name)) return;
    await this.store?.remove(name);
  }

  async upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    checkName(name);
    const checked = checkPoints(points);
    const opts = checkUpsertOptions(options);
    await this.use();
    const c = this.get(name);
    const unique = lastWins(checked);
    const failed: UpsertFailure[] = [];
    const good: Point[] = [];
    for (const p of unique) {
      const problem = pointProblem(p, c.dimension, `point ${p.id}`);
      if (problem !== null) failed.push({ id: p.id, error: problem });
      else good.push(p);
    }
    const stored = good.map((p) => p.id);
    if (good.length > 0) {
      const vectors = new Float32Array(good.length * c.dimension);
      good.forEach((p, i) => {
        c.upsert(p.id, p.vector, p.payload);
        vectors.set(p.vector, i * c.dimension);
      });
      try {
        await this.persist(name, { op: 'upsert', ids: stored, payloads: good.map((p) => p.payload), vectors });
      } catch (error) {
        // In memory the points are there, but they are not durable: report them as not landed,
        // so that a re-run (which is safe) writes them again.
        return { stored: [], failed: [...failed, ...stored.map((id) => ({ id, error: error as Error }))] };
      }
    }
    opts.onProgress?.(stored.length, unique.length);
    return { stored, failed };
  }

  async query(name: string, request: QueryRequest): Promise<ScoredPoint[]> {
    checkName(name);
    const q = checkQuery(request);
    await this.use();
    const c = this.get(name);
    if (q.vector.length !== c.dimension) throw dimensionError(c.dimension, q.vector.length, 'query vector');
    const bad = firstNonFinite(q.vector);
    if (bad >= 0) throw new InvalidVector(`query vector has a non-finite value at index ${bad}`);
    return c.search(q.vector, q.limit, predicate(q.filter), q.withVector).map((p) => {
      const out: ScoredPoint = { id: p.id, score: p.score, payload: p.payload };
      if (p.vector !== undefined) out.vector = p.vector;
      return out;
    });
  }

  async retrieve(name: string, ids: string[], options?: { withVector?: boolean }): Promise<Point[]> {
    checkName(name);
    checkIds(ids, 'ids');
    const withVector = checkRetrieveOptions(options);
    await this.use();
    const c = this.get(name);
    const out: Point[] = [];
    for (const id of uniqueIds(ids)) {
      const p = c.get(id, withVector);
      if (p !== undefined) out.push(toPoint(p));
    }
    return out;
  }

  async scroll(name: string, request: ScrollRequest): Promise<ScrollPage> {
    checkName(name);
    const r = checkScroll(request);
    await this.use();
    const page = this.get(name).scroll(r.limit, r.offset, predicate(r.filter), r.withVector);
    return { points: page.points.map(toPoint), nextOffset: page.next };
  }

  async delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void> {
    checkName(name);
    const sel = checkSelector(selector);
    await this.use();
    const c = this.get(name);
    const ids = 'ids' in sel ? sel.ids : c.matching(compileFilter(sel.filter));
    const deleted = uniqueIds(ids).filter((id) => c.delete(id));
    if (deleted.length > 0) await this.persist(name, { op: 'delete', ids: deleted });
  }

  async count(name: string, filter?: Filter): Promise<number> {
    checkName(name);
    const f = filter === undefined ? undefined : checkFilter(filter);
    await this.use();
    return this.get(name).count(predicate(f));
  }

  /**
   * All or nothing: when an id does not exist, nothing is changed and NotFound lists the
   * missing ids (Qdrant answers 404 for a missing point too).
   */
  async setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void> {
    checkName(name);
    const ups = checkUpdates(updates);
    await this.use();
    const c = this.get(name);
    const missing = uniqueIds(ups.map((u) => u.id).filter((id) => !c.has(id)));
    if (missing.length > 0) {
      throw new NotFound(`no point with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in collection ${JSON.stringify(name)}`);
    }
    for (const u of ups) c.setPayload(u.id, u.payload);
    if (ups.length > 0) await this.persist(name, { op: 'set', updates: ups });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.ready;
    } catch {
      return; // never opened: nothing to release
    }
    await this.store?.close();
    this.store = undefined;
  }
}

function predicate(filter: Filter | undefined): PointPredicate | undefined {
  return filter === undefined ? undefined : compileFilter(filter);
}
