/**
 * The persisted LocalStorage: one SQLite database (better-sqlite3) per store directory,
 * `<dir>/sealvec.db`, in WAL mode with synchronous=FULL.
 *
 * Why this shape:
 * - Concurrency. WAL lets any number of processes read while one writes, and readers never wait.
 *   Every mutating call is one short IMMEDIATE transaction (one per upsert batch), so SQLite's
 *   database-wide write lock is held for milliseconds, never between calls: writers of different
 *   collections, in any processes, take turns batch by batch instead of locking each other out,
 *   and busy_timeout makes a writer wait its turn rather than fail. The lock is the operating
 *   system's file lock, released when a process dies, so nothing is guessed from pids.
 * - Durability. A call returns after its transaction commits; with synchronous=FULL the WAL is
 *   fsynced at every commit, so an acknowledged write survives a process kill and a power loss,
 *   and an unacknowledged one is either wholly there or wholly absent. (NORMAL would survive a
 *   kill but could lose the last commits on power loss.)
 * - Lazy loading. Opening reads nothing but the schema version. Writes, counts, retrieve and
 *   scroll are answered by SQL and never load a collection; only search needs the vectors in
 *   memory (./local-store.ts), and a collection is loaded the first time it is searched.
 * - Freshness across processes. Each collection has a change sequence number; every row written
 *   carries the number of its transaction, and deletions leave tombstones with theirs. Before a
 *   search, the loaded copy reads only rows changed since the number it last saw, so a process
 *   sees another's acknowledged writes on its next call. Tombstones are purged once they
 *   outnumber the live points; a copy older than the purge reloads the collection.
 *
 * Tables (STRICT): collections (the catalog), points (live points: JSON payload, float32
 * little-endian vector), tombstones (deleted ids), legacy_imports (./local-migrate.ts).
 */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { BackendError, Conflict, isSealvecError, Malformed, UnsupportedVersion } from '@sealvec/core';
import type { PointPredicate } from './filter.js';
import { LocalCollection, type StoredPoint } from './local-store.js';
import { missingPoints, type CatalogEntry, type DeleteSelector, type LocalStorage, type ScrollResult } from './local-storage.js';
import type { Distance, Payload, Point } from './types.js';
import { notFound, uniqueIds } from './validate.js';
import { mergePayload } from './payload-selector.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[], unknown>;

export const DB_FILE = 'sealvec.db';
const SCHEMA_VERSION = 1;
/** How long a writer waits for another process's transaction before giving up. */
export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;
/** Tombstones are purged once there are this many and at least as many as live points. */
const PURGE_MIN_TOMBSTONES = 4096;
/**
 * 64 KiB pages (SQLite's largest): a 1536-dimension row (6 KiB) fits in a page instead of
 * spilling into overflow pages, which made loading a collection several times slower with the
 * default 4 KiB; small rows lose nothing but some bytes per small commit.
 */
const PAGE_SIZE = 65_536;
/** Page cache per connection. */
const CACHE_KIB = 16_384;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const SCHEMA = `
CREATE TABLE collections (
  gen INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  dimension INTEGER NOT NULL,
  distance TEXT NOT NULL,
  spec TEXT NOT NULL,
  metadata TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  purged INTEGER NOT NULL DEFAULT 0,
  dead INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE points (
  gen INTEGER NOT NULL,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  payload TEXT NOT NULL,
  vector BLOB NOT NULL,
  UNIQUE (gen, id)
) STRICT;
CREATE INDEX points_by_seq ON points (gen, seq);
CREATE TABLE tombstones (
  gen INTEGER NOT NULL,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (gen, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX tombstones_by_seq ON tombstones (gen, seq);
CREATE TABLE legacy_imports (
  file TEXT PRIMARY KEY,
  digest TEXT NOT NULL,
  name TEXT NOT NULL
) STRICT;
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/** The catalog row of a collection, as read at the start of every call. */
interface Head {
  gen: number;
  dimension: number;
  distance: Distance;
  seq: number;
  purged: number;
  dead: number;
}

/** A collection loaded for search, and the change number it reflects. */
interface Loaded {
  gen: number;
  seen: number;
  points: LocalCollection;
}

/** Every statement the storage runs, prepared once per connection. */
function statements(db: Database) {
  const prepare = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
  return {
    head: prepare('SELECT gen, dimension, distance, seq, purged, dead FROM collections WHERE name = ?'),
    entry: prepare('SELECT name, dimension, distance, spec, metadata FROM collections WHERE name = ?'),
    names: prepare('SELECT name FROM collections').pluck(),
    insertCollection: prepare('INSERT INTO collections (name, dimension, distance, spec, metadata) VALUES (?, ?, ?, ?, ?)'),
    dropCollection: prepare('DELETE FROM collections WHERE gen = ?'),
    dropPoints: prepare('DELETE FROM points WHERE gen = ?'),
    dropTombstones: prepare('DELETE FROM tombstones WHERE gen = ?'),
    setMetadata: prepare('UPDATE collections SET metadata = ? WHERE gen = ?'),
    setSeq: prepare('UPDATE collections SET seq = ?, dead = ? WHERE gen = ?'),
    purged: prepare('UPDATE collections SET purged = ?, dead = 0 WHERE gen = ?'),
    put: prepare(
      'INSERT INTO points (gen, id, seq, payload, vector) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (gen, id) DO UPDATE SET seq = excluded.seq, payload = excluded.payload, vector = excluded.vector',
    ),
    unTombstone: prepare('DELETE FROM tombstones WHERE gen = ? AND id = ?'),
    remove: prepare('DELETE FROM points WHERE gen = ? AND id = ?'),
    tombstone: prepare('INSERT OR REPLACE INTO tombstones (gen, id, seq) VALUES (?, ?, ?)'),
    setPayload: prepare('UPDATE points SET payload = ?, seq = ? WHERE gen = ? AND id = ?'),
    payloadOf: prepare('SELECT payload FROM points WHERE gen = ? AND id = ?').pluck(),
    pointOf: prepare('SELECT payload, vector FROM points WHERE gen = ? AND id = ?').raw(),
    vectorOf: prepare('SELECT vector FROM points WHERE gen = ? AND id = ?').pluck(),
    count: prepare('SELECT count(*) FROM points WHERE gen = ?').pluck(),
    payloads: prepare('SELECT id, payload FROM points WHERE gen = ? AND id >= ? ORDER BY id').raw(),
    all: prepare('SELECT id, payload, vector FROM points WHERE gen = ?').raw(),
    changed: prepare('SELECT id, payload, vector FROM points WHERE gen = ? AND seq > ?').raw(),
    deleted: prepare('SELECT id FROM tombstones WHERE gen = ? AND seq > ?').pluck(),
  };
}

/** Float32 values as little-endian bytes (a view when the platform is little-endian). */
export function vectorBlob(v: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(v.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(i * 4, v[i] as number, true);
  return out;
}

export class SqliteStorage implements LocalStorage {
  private readonly loaded = new Map<string, Loaded>();
  private readonly st: ReturnType<typeof statements>;

  private constructor(
    private readonly db: Database,
    readonly file: string,
  ) {
    this.st = statements(db);
  }

  /**
   * Opens (creating when missing) the database in `dir`. Reads only the schema version unless the
   * database is new, so opening never waits for another process's writes.
   */
  static async open(dir: string, options: { busyTimeoutMs?: number } = {}): Promise<SqliteStorage> {
    const file = join(dir, DB_FILE);
    let Driver: typeof BetterSqlite3;
    try {
      // A CommonJS module: Node puts its exports on `default`.
      const mod = (await import('better-sqlite3')) as unknown as { default: typeof BetterSqlite3 };
      Driver = mod.default;
    } catch (cause) {
      throw new BackendError(`the embedded store needs the native module better-sqlite3, which did not load: ${(cause as Error).message}`, { cause });
    }
    let db: Database;
    try {
      await mkdir(dir, { recursive: true });
      // Created here first so the database (and SQLite's -wal and -shm files, which copy its
      // mode) is readable by its owner only: it holds ciphertexts and sealed payloads.
      await (await open(file, 'a', 0o600)).close();
      db = new Driver(file, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    } catch (cause) {
      throw new BackendError(`cannot open the embedded store ${file}: ${(cause as Error).message}`, { cause });
    }
    try {
      return guard(file, 'open', () => {
        db.pragma('synchronous = FULL');
        db.pragma(`cache_size = -${CACHE_KIB}`);
        if (db.pragma('journal_mode', { simple: true }) !== 'wal') {
          db.pragma(`page_size = ${PAGE_SIZE}`); // takes effect only on a new, empty database
          db.pragma('journal_mode = WAL');
        }
        const version = () => db.pragma('user_version', { simple: true }) as number;
        if (version() === 0) {
          db.transaction(() => {
            if (version() === 0) db.exec(SCHEMA); // another process may have made it meanwhile
          }).immediate();
        }
        const v = version();
        if (v !== SCHEMA_VERSION) {
          throw new UnsupportedVersion(`${file} has schema version ${v}; this sealvec reads version ${SCHEMA_VERSION}`);
        }
        return new SqliteStorage(db, file);
      });
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** The underlying connection, for ./local-migrate.ts. */
  get connection(): Database {
    return this.db;
  }

  /** Names of the collections loaded in this process (for tests and diagnostics). */
  loadedNames(): string[] {
    return [...this.loaded.keys()];
  }

  private head(name: string): Head {
    const h = this.st.head.get(name) as Head | undefined;
    if (h === undefined) {
      this.loaded.delete(name);
      throw notFound(name);
    }
    return h;
  }

  /** Runs `fn` as one IMMEDIATE transaction (holding the write lock) with coded errors. */
  private write<T>(what: string, fn: () => T): T {
    return guard(this.file, what, () => this.db.transaction(fn).immediate());
  }

  /** Runs `fn` on one consistent snapshot of the database, with coded errors. */
  private read<T>(what: string, fn: () => T): T {
    return guard(this.file, what, () => this.db.transaction(fn).deferred());
  }

  // ---- catalog ----------------------------------------------------------------------------------

  create(entry: CatalogEntry): void {
    const { name, dimension, distance, metadata, ...rest } = entry;
    this.write('create a collection', () => {
      if (this.st.head.get(name) !== undefined) throw new Conflict(`collection ${JSON.stringify(name)} already exists`);
      this.st.insertCollection.run(name, dimension, distance, JSON.stringify(rest), JSON.stringify(metadata));
    });
  }

  describe(name: string): CatalogEntry | null {
    return this.read('describe a collection', () => {
      const row = this.st.entry.get(name) as { name: string; dimension: number; distance: Distance; spec: string; metadata: string } | undefined;
      if (row === undefined) return null;
      const spec = parseObject(row.spec, `${this.file}: spec of collection ${JSON.stringify(name)}`);
      return { name: row.name, dimension: row.dimension, distance: row.distance, ...spec, metadata: parseObject(row.metadata, `${this.file}: metadata of collection ${JSON.stringify(name)}`) } as CatalogEntry;
    });
  }

  drop(name: string): void {
    this.write('delete a collection', () => {
      const h = this.st.head.get(name) as Head | undefined;
      if (h === undefined) return;
      this.st.dropPoints.run(h.gen);
      this.st.dropTombstones.run(h.gen);
      this.st.dropCollection.run(h.gen);
    });
    this.loaded.delete(name);
  }

  names(): string[] {
    return this.read('list collections', () => this.st.names.all() as string[]);
  }

  setMetadata(name: string, metadata: Record<string, unknown>): void {
    this.write('set collection metadata', () => {
      this.st.setMetadata.run(JSON.stringify(metadata), this.head(name).gen);
    });
  }

  // ---- writes -----------------------------------------------------------------------------------

  upsert(name: string, points: readonly Point[]): void {
    this.write('store points', () => {
      const h = this.head(name);
      const seq = h.seq + 1;
      for (const p of points) {
        if (p.vector.length !== h.dimension) throw new Conflict(`collection ${JSON.stringify(name)} was re-created with dimension ${h.dimension} meanwhile`);
        this.st.put.run(h.gen, p.id, seq, JSON.stringify(p.payload), vectorBlob(p.vector));
        // No tombstone can exist while none was written since the last purge.
        if (h.dead > 0) this.st.unTombstone.run(h.gen, p.id);
      }
      this.st.setSeq.run(seq, h.dead, h.gen);
    });
  }

  delete(name: string, selector: DeleteSelector): void {
    this.write('delete points', () => {
      const h = this.head(name);
      const ids = 'ids' in selector ? uniqueIds(selector.ids) : this.scan(h.gen, undefined, selector.where, Infinity).map((p) => p.id);
      const seq = h.seq + 1;
      let dead = h.dead;
      for (const id of ids) {
        if (this.st.remove.run(h.gen, id).changes === 0) continue;
        this.st.tombstone.run(h.gen, id, seq);
        dead++;
      }
      if (dead === h.dead) return;
      this.st.setSeq.run(seq, dead, h.gen);
      if (dead >= PURGE_MIN_TOMBSTONES && dead >= (this.st.count.get(h.gen) as number)) {
        // Copies loaded elsewhere that saw less than `seq` reload in full instead of replaying.
        this.st.dropTombstones.run(h.gen);
        this.st.purged.run(seq, h.gen);
      }
    });
  }

  setPayload(name: string, updates: readonly { id: string; payload: Payload }[]): void {
    if (updates.length === 0) return this.read('update payloads', () => void this.head(name));
    this.write('update payloads', () => {
      const h = this.head(name);
      const merged = new Map<string, Payload>();
      const missing: string[] = [];
      for (const u of updates) {
        let current = merged.get(u.id);
        if (current === undefined) {
          const text = this.st.payloadOf.get(h.gen, u.id) as string | undefined;
          if (text === undefined) {
            missing.push(u.id);
            continue;
          }
          current = parseObject(text, this.where(name, u.id));
        }
        merged.set(u.id, mergePayload(current, u.payload));
      }
      if (missing.length > 0) throw missingPoints(name, uniqueIds(missing));
      const seq = h.seq + 1;
      for (const [id, payload] of merged) this.st.setPayload.run(JSON.stringify(payload), seq, h.gen, id);
      this.st.setSeq.run(seq, h.dead, h.gen);
    });
  }

  // ---- reads answered by SQL --------------------------------------------------------------------

  count(name: string, where: PointPredicate | undefined): number {
    return this.read('count points', () => {
      const h = this.head(name);
      return where === undefined ? (this.st.count.get(h.gen) as number) : this.scan(h.gen, undefined, where, Infinity).length;
    });
  }

  retrieve(name: string, ids: readonly string[], withVector: boolean): StoredPoint[] {
    return this.read('retrieve points', () => {
      const h = this.head(name);
      const out: StoredPoint[] = [];
      for (const id of uniqueIds([...ids])) {
        const row = this.st.pointOf.get(h.gen, id) as [string, Uint8Array] | undefined;
        if (row === undefined) continue;
        const p: StoredPoint = { id, payload: parseObject(row[0], this.where(name, id)) };
        if (withVector) p.vector = this.vector(row[1], h.dimension, name, id).slice();
        out.push(p);
      }
      return out;
    });
  }

  scroll(name: string, limit: number, offset: string | undefined, where: PointPredicate | undefined, withVector: boolean): ScrollResult {
    return this.read('scroll points', () => {
      const h = this.head(name);
      const found = this.scan(h.gen, offset, where, limit + 1);
      const next = found.length > limit ? (found.pop() as StoredPoint).id : null;
      if (withVector) {
        // Vectors only for the page: a filtered scan may pass over many rows.
        for (const p of found) p.vector = this.vector(this.st.vectorOf.get(h.gen, p.id) as Uint8Array, h.dimension, name, p.id).slice();
      }
      return { points: found, next };
    });
  }

  /** Up to `max` points (id and payload) in id order from `from`, matching `where`. */
  private scan(gen: number, from: string | undefined, where: PointPredicate | undefined, max: number): StoredPoint[] {
    const out: StoredPoint[] = [];
    if (max <= 0) return out;
    for (const [id, text] of this.st.payloads.iterate(gen, from ?? '') as IterableIterator<[string, string]>) {
      const payload = parseObject(text, `${this.file}: payload of point ${id}`);
      if (where !== undefined && !where(id, payload)) continue;
      out.push({ id, payload });
      if (out.length >= max) break;
    }
    return out;
  }

  // ---- search: the loaded copy --------------------------------------------------------------------

  searchable(name: string): LocalCollection {
    return this.read('load a collection', () => {
      const h = this.head(name);
      let l = this.loaded.get(name);
      if (l === undefined || l.gen !== h.gen || l.seen < h.purged) {
        l = { gen: h.gen, seen: h.seq, points: this.load(name, h) };
        this.loaded.set(name, l);
      } else if (l.seen < h.seq) {
        this.catchUp(name, h, l);
      }
      return l.points;
    });
  }

  private load(name: string, h: Head): LocalCollection {
    const c = new LocalCollection(h);
    for (const [id, text, blob] of this.st.all.iterate(h.gen) as IterableIterator<[string, string, Uint8Array]>) {
      c.upsert(id, this.vector(blob, h.dimension, name, id), text);
    }
    return c;
  }

  /** Applies the rows changed since `l.seen`: each holds the latest state of its point. */
  private catchUp(name: string, h: Head, l: Loaded): void {
    for (const [id, text, blob] of this.st.changed.iterate(h.gen, l.seen) as IterableIterator<[string, string, Uint8Array]>) {
      l.points.upsert(id, this.vector(blob, h.dimension, name, id), text);
    }
    for (const id of this.st.deleted.iterate(h.gen, l.seen) as IterableIterator<string>) l.points.delete(id);
    l.seen = h.seq;
  }

  private where(name: string, id: string): string {
    return `${this.file}: point ${id} of collection ${JSON.stringify(name)}`;
  }

  /** The stored vector, possibly a view on `blob`. */
  private vector(blob: Uint8Array, dimension: number, name: string, id: string): Float32Array {
    if (blob.length !== dimension * 4) throw new Malformed(`${this.where(name, id)}: vector is ${blob.length} bytes, expected ${dimension} float32`);
    if (LITTLE_ENDIAN && blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, dimension);
    const out = new Float32Array(dimension);
    const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    for (let i = 0; i < dimension; i++) out[i] = dv.getFloat32(i * 4, true);
    return out;
  }

  close(): void {
    this.loaded.clear();
    if (this.db.open) this.db.close();
  }
}

function parseObject(text: string, what: string): Payload {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Malformed(`${what}: not valid JSON`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Malformed(`${what}: not a JSON object`);
  return v as Payload;
}

/**
 * Runs `fn`, turning SQLite's errors into coded ones: a database that stays locked longer than
 * busy_timeout is BackendError (retrying is safe), a damaged file Malformed, anything else
 * BackendError with SQLite's own message.
 */
export function guard<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isSealvecError(e)) throw e;
    const code = (e as { code?: unknown }).code;
    const message = (e as Error).message;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new BackendError(`could not ${what}: ${file} stayed locked by another process's write (${message}); retrying is safe`, { cause: e, detail: String(code) });
    }
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      throw new Malformed(`${file} is damaged or not a Sealvec store (${message})`);
    }
    throw new BackendError(`could not ${what} in ${file}: ${message}`, { cause: e, ...(typeof code === 'string' ? { detail: code } : {}) });
  }
}
