/**
 * The file side of a persisted LocalBackend: one directory, one writer.
 *
 *   <dir>/LOCK              pid of the writer (./file-lock.ts)
 *   <dir>/<hash>.svcol      snapshot of a collection (./local-format.ts), replaced by rename
 *   <dir>/<hash>.svlog      changes since that snapshot, appended and fsynced per call
 * <hash> is the first 32 hex digits of SHA-256(collection name): any valid name maps to a short,
 * case-safe file name; the real name is inside the snapshot.
 *
 * Why a log: rewriting a whole collection after every upsert makes an ingest of n points in
 * batches cost O(n^2) bytes written. Appending each change costs its own size; once the log
 * outgrows the snapshot (and 8 MiB) the two are folded into a new snapshot, so the bytes written
 * stay a small multiple of the data. Every mutating call returns after its record is fsynced.
 *
 * All file operations run one at a time, in call order, on one queue; consecutive appends are
 * written together with one fsync per file (group commit).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendError, isSealvecError } from '@sealvec/core';
import { TEMP_MARKER, fsyncDir, removeFileDurably, writeFileAtomic } from './atomic-write.js';
import { acquireDirLock, type DirLock } from './file-lock.js';
import {
  applyLogRecord,
  decodeCollection,
  decodeLog,
  encodeCollection,
  encodeLogHeader,
  encodeLogRecord,
  type Change,
} from './local-format.js';
import type { LocalCollection } from './local-store.js';

const SNAPSHOT_EXT = '.svcol';
const LOG_EXT = '.svlog';
/** Fold the log into a new snapshot once it is larger than both this and the snapshot. */
export const COMPACT_MIN_BYTES = 8 * 1024 * 1024;

export function collectionFileName(name: string): string {
  return `${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32)}${SNAPSHOT_EXT}`;
}

function logFileName(name: string): string {
  return collectionFileName(name).slice(0, -SNAPSHOT_EXT.length) + LOG_EXT;
}

type Step =
  | { kind: 'append'; name: string; state: FileState; bytes: Uint8Array; resolve: () => void; reject: (e: unknown) => void }
  | { kind: 'run'; run: () => Promise<void>; resolve: () => void; reject: (e: unknown) => void };

interface FileState {
  /** Last sequence number assigned (the in-memory state includes every record up to it). */
  seq: number;
  snapshotBytes: number;
  /** Current log size; 0 when there is no log file. */
  logBytes: number;
  /** The log's tail is unknown after a failed append: the next write folds it into a snapshot. */
  broken: boolean;
}

export class DirStore {
  private readonly files = new Map<string, FileState>();
  private readonly queue: Step[] = [];
  private running: Promise<void> | null = null;

  private constructor(
    readonly dir: string,
    private readonly lock: DirLock,
    /** The live collection (for snapshots), or undefined once it was deleted. */
    private readonly collectionOf: (name: string) => LocalCollection | undefined,
    /** Fold threshold; tests lower it. */
    private readonly compactMinBytes: number,
  ) {}

  /** Locks `dir` (creating it), loads every collection: snapshot, then its log replayed. */
  static async open(
    dir: string,
    collectionOf: (name: string) => LocalCollection | undefined,
    options: { compactMinBytes?: number } = {},
  ): Promise<{ store: DirStore; collections: Map<string, LocalCollection> }> {
    let lock: DirLock;
    try {
      await mkdir(dir, { recursive: true });
      lock = await acquireDirLock(dir);
    } catch (cause) {
      if (isSealvecError(cause)) throw cause;
      throw new BackendError(`cannot open ${dir}: ${(cause as Error).message}`, { cause });
    }
    const store = new DirStore(dir, lock, collectionOf, options.compactMinBytes ?? COMPACT_MIN_BYTES);
    try {
      return { store, collections: await store.load() };
    } catch (e) {
      await lock.release();
      if (isSealvecError(e)) throw e;
      throw new BackendError(`cannot load ${dir}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async load(): Promise<Map<string, LocalCollection>> {
    const out = new Map<string, LocalCollection>();
    const entries = await readdir(this.dir);
    const snapshots = new Set(entries.filter((e) => e.endsWith(SNAPSHOT_EXT)));
    for (const entry of entries) {
      // Leftovers of a crash: temp files of an unfinished replace, logs of deleted collections.
      const orphanLog = entry.endsWith(LOG_EXT) && !snapshots.has(entry.slice(0, -LOG_EXT.length) + SNAPSHOT_EXT);
      if (entry.includes(TEMP_MARKER) || orphanLog) await rm(join(this.dir, entry), { force: true });
    }
    for (const entry of snapshots) {
      const file = join(this.dir, entry);
      const bytes = await readFile(file);
      const { collection: c, seq: snapSeq } = decodeCollection(bytes, file);
      if (collectionFileName(c.info.name) !== entry) {
        throw new BackendError(`${file} holds collection ${JSON.stringify(c.info.name)} under the wrong file name`);
      }
      let seq = snapSeq;
      let logBytes = 0;
      const logPath = join(this.dir, logFileName(c.info.name));
      const log = await readFile(logPath).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (log !== null) {
        const decoded = decodeLog(log, c.dimension, logPath);
        for (const r of decoded.records) {
          if (r.seq <= snapSeq) continue; // already in the snapshot
          applyLogRecord(c, r);
          seq = Math.max(seq, r.seq);
        }
        logBytes = decoded.validLength;
        if (decoded.torn) {
          // The last append was cut short by a crash: its caller never got an answer.
          if (logBytes === 0) await rm(logPath, { force: true });
          else await truncate(logPath, logBytes);
        }
      }
      this.files.set(c.info.name, { seq, snapshotBytes: bytes.length, logBytes, broken: false });
      out.set(c.info.name, c);
    }
    return out;
  }

  // ---- the queue ------------------------------------------------------------------------------

  private enqueue(step: Omit<Extract<Step, { kind: 'append' }>, 'resolve' | 'reject'> | Omit<Extract<Step, { kind: 'run' }>, 'resolve' | 'reject'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...step, resolve, reject } as Step);
      this.running ??= this.work().finally(() => {
        this.running = null;
      });
    });
  }

  private async work(): Promise<void> {
    while (this.queue.length > 0) {
      const first = this.queue.shift() as Step;
      if (first.kind === 'run') {
        try {
          await first.run();
          first.resolve();
        } catch (e) {
          first.reject(e);
        }
        continue;
      }
      const batch = [first];
      while (this.queue[0]?.kind === 'append') batch.push(this.queue.shift() as Extract<Step, { kind: 'append' }>);
      await this.writeAppends(batch);
    }
  }

  private async writeAppends(batch: Extract<Step, { kind: 'append' }>[]): Promise<void> {
    // Group by file state, not name: a collection deleted and re-created under the same name
    // has a new state, and changes queued for the old one must not reach the new one's log.
    const groups = new Map<FileState, Extract<Step, { kind: 'append' }>[]>();
    for (const s of batch) groups.set(s.state, [...(groups.get(s.state) ?? []), s]);
    for (const [state, steps] of groups) {
      const name = (steps[0] as Extract<Step, { kind: 'append' }>).name;
      try {
        if (this.files.get(name) !== state || this.collectionOf(name) === undefined) {
          throw new BackendError(`collection ${JSON.stringify(name)} was deleted before its change was written`);
        }
        const adding = steps.reduce((n, s) => n + s.bytes.length, 0);
        if (state.broken || state.logBytes + adding > Math.max(this.compactMinBytes, state.snapshotBytes)) {
          // The snapshot taken now includes these changes (they are applied in memory already).
          await this.compact(name, state);
        } else {
          await this.appendToLog(name, state, steps.map((s) => s.bytes));
        }
        for (const s of steps) s.resolve();
      } catch (e) {
        // Memory holds changes the files lack: the next write folds memory into a new snapshot.
        state.broken = true;
        const err = isSealvecError(e) ? e : new BackendError(`could not write the log of ${JSON.stringify(name)}: ${(e as Error).message}`, { cause: e });
        for (const s of steps) s.reject(err);
      }
    }
  }

  private async appendToLog(name: string, state: FileState, chunks: Uint8Array[]): Promise<void> {
    const path = join(this.dir, logFileName(name));
    const fresh = state.logBytes === 0;
    const fh = await open(path, fresh ? 'w' : 'a', 0o600);
    const before = state.logBytes;
    try {
      for (const c of fresh ? [encodeLogHeader(), ...chunks] : chunks) {
        let off = 0;
        while (off < c.length) off += (await fh.write(c, off, c.length - off)).bytesWritten;
        state.logBytes += c.length;
      }
      await fh.sync();
    } catch (e) {
      // Cut back to the last good record (the caller marks the state broken, so the next write
      // replaces log and snapshot anyway and a half record never sits in front of good ones).
      state.logBytes = before;
      await fh.truncate(before).catch(() => undefined);
      throw e;
    } finally {
      await fh.close();
    }
    if (fresh) await fsyncDir(this.dir);
  }

  /** Snapshot of the live collection (everything up to state.seq), then an empty log. */
  private async compact(name: string, state: FileState): Promise<void> {
    const c = this.collectionOf(name);
    if (c === undefined) return;
    const chunks = encodeCollection(c, state.seq);
    await writeFileAtomic(join(this.dir, collectionFileName(name)), chunks);
    state.snapshotBytes = chunks.reduce((n, ch) => n + ch.length, 0);
    // Records left in the old log all have seq <= the snapshot's and are skipped if it survives.
    await removeFileDurably(join(this.dir, logFileName(name)));
    state.logBytes = 0;
    state.broken = false;
  }

  // ---- operations ---------------------------------------------------------------------------

  /** Records a change already applied to the in-memory collection; resolves once durable. */
  append(name: string, change: Change): Promise<void> {
    const state = this.files.get(name);
    if (state === undefined) return Promise.reject(new BackendError(`collection ${JSON.stringify(name)} has no files`));
    const bytes = encodeLogRecord({ ...change, seq: ++state.seq });
    return this.enqueue({ kind: 'append', name, state, bytes });
  }

  /** Writes the first snapshot of a new collection. */
  create(c: LocalCollection): Promise<void> {
    const name = c.info.name;
    const state: FileState = { seq: 0, snapshotBytes: 0, logBytes: 0, broken: false };
    this.files.set(name, state);
    const chunks = encodeCollection(c, 0);
    return this.enqueue({
      kind: 'run',
      run: async () => {
        await rm(join(this.dir, logFileName(name)), { force: true });
        await writeFileAtomic(join(this.dir, collectionFileName(name)), chunks);
        state.snapshotBytes = chunks.reduce((n, ch) => n + ch.length, 0);
      },
    }).catch((e: unknown) => {
      if (this.files.get(name) === state) this.files.delete(name);
      throw isSealvecError(e) ? e : new BackendError(`could not create the files of ${JSON.stringify(name)}: ${(e as Error).message}`, { cause: e });
    });
  }

  /** Removes a collection's files (snapshot first: a log without one is ignored and removed). */
  remove(name: string): Promise<void> {
    this.files.delete(name);
    return this.enqueue({
      kind: 'run',
      run: async () => {
        await removeFileDurably(join(this.dir, collectionFileName(name)));
        await removeFileDurably(join(this.dir, logFileName(name)));
      },
    });
  }

  /** Bytes currently in a collection's log (for tests and diagnostics). */
  logSize(name: string): number {
    return this.files.get(name)?.logBytes ?? 0;
  }

  /** Waits for queued writes, then releases the lock. */
  async close(): Promise<void> {
    try {
      while (this.running !== null) await this.running;
    } finally {
      await this.lock.release();
    }
  }
}
