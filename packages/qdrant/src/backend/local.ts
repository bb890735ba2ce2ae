/**
 * LocalBackend: the embedded backend. Exact search in process memory with Qdrant's semantics
 * (see ./types.ts and ./filter.ts), optionally persisted to a directory.
 *
 * Persistence (`LocalBackend.open({ path })`, or `new LocalBackend({ path })` which opens lazily
 * on the first call):
 *   <path>/LOCK                 pid of the single writer (./file-lock.ts)
 *   <path>/<hash>.svcol         one file per collection (./local-format.ts); <hash> is the first
 *                               32 hex digits of SHA-256(collection name), so any valid name maps
 *                               to a short, case-safe file name; the real name is in the header
 * Every mutating call returns after the affected collection files were rewritten by
 * replace-by-rename (./atomic-write.ts): a crash leaves the previous or the new state, never a
 * torn file. Calls made while a write is in flight are coalesced into the next write. A file
 * that fails its checksum refuses to open (Malformed) rather than silently losing data.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendError, Conflict, InvalidVector, isSealvecError, NotFound } from '@sealvec/core';
import { TEMP_MARKER, removeFileDurably, writeFileAtomic } from './atomic-write.js';
import { acquireDirLock, type DirLock } from './file-lock.js';
import { checkFilter, compileFilter, type PointPredicate } from './filter.js';
import { decodeCollection, encodeCollection } from './local-format.js';
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
}

const FILE_EXT = '.svcol';

export function collectionFileName(name: string): string {
  return `${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32)}${FILE_EXT}`;
}

function toPoint(p: StoredPoint): Point {
  return { id: p.id, vector: p.vector ?? new Float32Array(0), payload: p.payload };
}

export class LocalBackend implements Backend {
  private readonly collections = new Map<string, LocalCollection>();
  private readonly path: string | undefined;
  private readonly ready: Promise<void>;
  private lock: DirLock | undefined;
  private closed = false;
  /** Collections whose files must be rewritten (or removed) by the next flush. */
  private readonly dirty = new Set<string>();
  private pendingFlush: Promise<void> | null = null;
  private flushChain: Promise<void> = Promise.resolve();

  constructor(options: LocalBackendOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('"options" expected object');
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path.length === 0)) {
      throw new TypeError('"options.path" expected non-empty string');
    }
    this.path = options.path;
    this.ready = this.path === undefined ? Promise.resolve() : this.load(this.path);
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

  private async load(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
      this.lock = await acquireDirLock(dir);
    } catch (cause) {
      if (isSealvecError(cause)) throw cause;
      throw new BackendError(`cannot open ${dir}: ${(cause as Error).message}`, { cause });
    }
    try {
      for (const entry of await readdir(dir)) {
        if (entry.includes(TEMP_MARKER)) {
          await rm(join(dir, entry), { force: true }); // left by a crash mid-write
          continue;
        }
        if (!entry.endsWith(FILE_EXT)) continue;
        const file = join(dir, entry);
        const c = decodeCollection(await readFile(file), file);
        if (collectionFileName(c.info.name) !== entry) {
          throw new BackendError(`${file} holds collection ${JSON.stringify(c.info.name)} under the wrong file name`);
        }
        this.collections.set(c.info.name, c);
      }
    } catch (e) {
      await this.lock.release();
      this.lock = undefined;
      if (isSealvecError(e)) throw e;
      throw new BackendError(`cannot load ${dir}: ${(e as Error).message}`, { cause: e });
    }
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

  // ---- persistence ------------------------------------------------------------------------

  /** Resolves once every change made before the call is on disk. */
  private flush(names: string[]): Promise<void> {
    if (this.path === undefined) return Promise.resolve();
    for (const n of names) this.dirty.add(n);
    if (this.pendingFlush !== null) return this.pendingFlush;
    const dir = this.path;
    const run = this.flushChain.then(async () => {
      this.pendingFlush = null;
      const todo = [...this.dirty];
      this.dirty.clear();
      for (let i = 0; i < todo.length; i++) {
        const name = todo[i] as string;
        const file = join(dir, collectionFileName(name));
        const c = this.collections.get(name);
        try {
          if (c === undefined) await removeFileDurably(file);
          else await writeFileAtomic(file, encodeCollection(c));
        } catch (cause) {
          for (const n of todo.slice(i)) this.dirty.add(n);
          throw new BackendError(`could not write ${file}: ${(cause as Error).message}`, { cause });
        }
      }
    });
    this.pendingFlush = run;
    this.flushChain = run.catch(() => undefined);
    return run;
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
    this.collections.set(s.name, new LocalCollection(info));
    try {
      await this.flush([s.name]);
    } catch (e) {
      this.collections.delete(s.name);
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
    await this.flush([name]);
  }

  async upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    checkName(name);
    const checked = checkPoints(points);
    const opts = checkUpsertOptions(options);
    await this.use();
    const c = this.get(name);
    const unique = lastWins(checked);
    const failed: UpsertFailure[] = [];
    const stored: string[] = [];
    unique.forEach((p) => {
      const problem = pointProblem(p, c.dimension, `point ${p.id}`);
      if (problem !== null) failed.push({ id: p.id, error: problem });
      else {
        c.upsert(p.id, p.vector, p.payload);
        stored.push(p.id);
      }
    });
    if (stored.length > 0) {
      try {
        await this.flush([name]);
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
    let changed = false;
    for (const id of ids) changed = c.delete(id) || changed;
    if (changed) await this.flush([name]);
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
    if (ups.length > 0) await this.flush([name]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.ready;
    } catch {
      return; // never opened: nothing to release
    }
    try {
      await this.flushChain;
      if (this.dirty.size > 0) await this.flush([]);
    } finally {
      await this.lock?.release();
      this.lock = undefined;
    }
  }
}

function predicate(filter: Filter | undefined): PointPredicate | undefined {
  return filter === undefined ? undefined : compileFilter(filter);
}
