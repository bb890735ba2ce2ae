/**
 * LocalBackend: the embedded backend. Exact search in process memory with Qdrant's semantics
 * (see ./types.ts and ./filter.ts), optionally persisted to a directory.
 *
 * `new LocalBackend()` keeps everything in memory (./local-storage.ts). `LocalBackend.open({
 * path })`, or `new LocalBackend({ path })` which opens lazily and reports open errors on the
 * first call, persists to an SQLite database in that directory (./local-sqlite.ts): every
 * mutating call returns once its change is committed and fsynced; any number of processes may
 * open the same directory, read while others write, and write to it in turn, and each sees the
 * others' acknowledged writes on its next call. Opening reads no collection; a collection's
 * vectors are loaded the first time it is searched. A directory in the older snapshot + change
 * log format is imported on open, its files kept in `legacy-backup/` (./local-migrate.ts).
 */
import { InvalidVector } from '@sealvec/core';
import { checkFilter, compileFilter, type PointPredicate } from './filter.js';
import { hasLegacyFiles, migrateLegacy } from './local-migrate.js';
import { SqliteStorage } from './local-sqlite.js';
import { MemoryStorage, type LocalStorage } from './local-storage.js';
import type { StoredPoint } from './local-store.js';
import { checkPayloadSelector, selectPayload, type CheckedSelector } from './payload-selector.js';
import type {
  Backend,
  CollectionDescription,
  CollectionSpec,
  Filter,
  Payload,
  Point,
  QueryRequest,
  RetrieveOptions,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  UpsertFailure,
  UpsertOptions,
  UpsertResult,
} from './types.js';
import {
  checkIds,
  checkMetadata,
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
} from './validate.js';

export interface LocalBackendOptions {
  /** Directory holding the store; created if missing. Memory only when absent. */
  path?: string;
  /**
   * How long a write waits while other processes write to the same directory before failing
   * with a (retry-safe) BackendError, in milliseconds. Default 30 000. Reads never wait.
   */
  busyTimeoutMs?: number;
}

/** Points per transaction when the caller names no batch size. */
const DEFAULT_BATCH = 256;

export class LocalBackend implements Backend {
  private readonly ready: Promise<LocalStorage>;
  private storage: LocalStorage | undefined;
  private closed = false;

  constructor(options: LocalBackendOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('"options" expected object');
    const { path, busyTimeoutMs } = options;
    if (path !== undefined && (typeof path !== 'string' || path.length === 0)) {
      throw new TypeError('"options.path" expected non-empty string');
    }
    if (busyTimeoutMs !== undefined && (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0)) {
      throw new TypeError('"options.busyTimeoutMs" expected non-negative integer');
    }
    this.ready = path === undefined ? Promise.resolve(new MemoryStorage()) : openStore(path, busyTimeoutMs);
    this.ready.then(
      (s) => {
        this.storage = s;
      },
      // The same promise is awaited by every call; this only keeps an early failure from being
      // reported as unhandled before the first call.
      () => undefined,
    );
  }

  /** Opens (and, with a path, creates or upgrades) a backend; failures surface here. */
  static async open(options: LocalBackendOptions = {}): Promise<LocalBackend> {
    const b = new LocalBackend(options);
    await b.ready;
    return b;
  }

  private async use(): Promise<LocalStorage> {
    if (this.closed) throw new TypeError('LocalBackend is closed');
    return this.storage ?? (await this.ready);
  }

  // ---- Backend ----------------------------------------------------------------------------

  async createCollection(spec: CollectionSpec): Promise<void> {
    const s = checkSpec(spec);
    const storage = await this.use();
    storage.create(s);
  }

  async describe(name: string): Promise<CollectionDescription | null> {
    checkName(name);
    const e = (await this.use()).describe(name);
    if (e === null) return null;
    return { name, dimension: e.dimension, distance: e.distance, metadata: structuredClone(e.metadata) };
  }

  async deleteCollection(name: string): Promise<void> {
    checkName(name);
    (await this.use()).drop(name);
  }

  async listCollections(): Promise<string[]> {
    return (await this.use()).names().sort();
  }

  async setMetadata(name: string, metadata: Record<string, unknown>): Promise<void> {
    checkName(name);
    const m = checkMetadata(metadata, 'metadata');
    (await this.use()).setMetadata(name, m);
  }

  /**
   * One transaction per batch of `batchSize` points (default 256): a batch lands whole or not at
   * all, and when one fails, it and every later batch are reported failed with its error.
   */
  async upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    checkName(name);
    const checked = checkPoints(points);
    const opts = checkUpsertOptions(options);
    const storage = await this.use();
    const entry = storage.describe(name);
    if (entry === null) throw notFound(name);
    const unique = lastWins(checked);
    const failed: UpsertFailure[] = [];
    const good: Point[] = [];
    for (const p of unique) {
      const problem = pointProblem(p, entry.dimension, `point ${p.id}`);
      if (problem !== null) failed.push({ id: p.id, error: problem });
      else good.push(p);
    }
    const stored: string[] = [];
    const size = opts.batchSize ?? DEFAULT_BATCH;
    for (let i = 0; i < good.length; i += size) {
      const batch = good.slice(i, i + size);
      try {
        storage.upsert(name, batch);
      } catch (error) {
        for (const p of good.slice(i)) failed.push({ id: p.id, error: error as Error });
        break;
      }
      stored.push(...batch.map((p) => p.id));
      opts.onProgress?.(stored.length, unique.length);
    }
    if (good.length === 0) opts.onProgress?.(0, unique.length);
    return { stored, failed };
  }

  async query(name: string, request: QueryRequest): Promise<ScoredPoint[]> {
    checkName(name);
    const q = checkQuery(request);
    const sel = checkPayloadSelector(request.withPayload, 'request.withPayload');
    const storage = await this.use();
    const c = storage.searchable(name);
    if (q.vector.length !== c.dimension) throw dimensionError(c.dimension, q.vector.length, 'query vector');
    const bad = firstNonFinite(q.vector);
    if (bad >= 0) throw new InvalidVector(`query vector has a non-finite value at index ${bad}`);
    return c.search(q.vector, q.limit, predicate(q.filter), q.withVector).map((p) => {
      const out: ScoredPoint = { id: p.id, score: p.score, payload: selectPayload(p.payload, sel) };
      if (p.vector !== undefined) out.vector = p.vector;
      return out;
    });
  }

  async retrieve(name: string, ids: string[], options?: RetrieveOptions): Promise<Point[]> {
    checkName(name);
    checkIds(ids, 'ids');
    const withVector = checkRetrieveOptions(options);
    const sel = checkPayloadSelector(options?.withPayload, 'options.withPayload');
    return (await this.use()).retrieve(name, ids, withVector).map((p) => toPoint(p, sel));
  }

  async scroll(name: string, request: ScrollRequest): Promise<ScrollPage> {
    checkName(name);
    const r = checkScroll(request);
    const sel = checkPayloadSelector(request.withPayload, 'request.withPayload');
    const page = (await this.use()).scroll(name, r.limit, r.offset, predicate(r.filter), r.withVector);
    return { points: page.points.map((p) => toPoint(p, sel)), nextOffset: page.next };
  }

  async delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void> {
    checkName(name);
    const sel = checkSelector(selector);
    (await this.use()).delete(name, 'ids' in sel ? sel : { where: compileFilter(sel.filter) });
  }

  async count(name: string, filter?: Filter): Promise<number> {
    checkName(name);
    const f = filter === undefined ? undefined : checkFilter(filter);
    return (await this.use()).count(name, predicate(f));
  }

  /**
   * All or nothing: when an id does not exist, nothing is changed and NotFound lists the
   * missing ids (Qdrant answers 404 for a missing point too).
   */
  async setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void> {
    checkName(name);
    const ups = checkUpdates(updates);
    (await this.use()).setPayload(name, ups);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      (await this.ready).close();
    } catch {
      // never opened: nothing to release
    }
    this.storage = undefined;
  }
}

async function openStore(dir: string, busyTimeoutMs: number | undefined): Promise<LocalStorage> {
  const storage = await SqliteStorage.open(dir, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
  try {
    if (await hasLegacyFiles(dir)) await migrateLegacy(dir, storage.connection, storage.file);
  } catch (e) {
    storage.close();
    throw e;
  }
  return storage;
}

function toPoint(p: StoredPoint, sel: CheckedSelector): Point {
  return { id: p.id, vector: p.vector ?? new Float32Array(0), payload: selectPayload(p.payload, sel) };
}

function predicate(filter: Filter | undefined): PointPredicate | undefined {
  return filter === undefined ? undefined : compileFilter(filter);
}
