/**
 * Imports a store written in the first on-disk format (./local-legacy.ts: `<hash>.svcol`
 * snapshots, `<hash>.svlog` change logs and a `LOCK` file) into the SQLite database, then moves
 * those files into `<dir>/legacy-backup/`, untouched, so nothing is lost if anything goes wrong.
 *
 * - An old writer still running (its LOCK names a live pid, or cannot be read) could append
 *   after the import: the import refuses with Conflict until it is closed.
 * - Each collection is imported in its own transaction together with a record of the files it
 *   came from (name and SHA-256 of their bytes). Whatever happens between that commit and the
 *   move (a crash, a second process importing at the same time), a later open finds the record
 *   and only moves the files; it never imports them twice.
 * - A collection that exists in the database already under the same name, from other files, is
 *   refused with Conflict naming both, rather than overwritten or silently skipped.
 * - A damaged file refuses to open (Malformed, naming it), as the old store did; a log record cut
 *   short by a crash is dropped, as the old store did (its call never returned).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendError, Conflict, isSealvecError } from '@sealvec/core';
import { decodeLog, decodeSnapshot, LOG_EXT, replay, SNAPSHOT_EXT, type LegacySnapshot } from './local-legacy.js';
import { guard, vectorBlob } from './local-sqlite.js';
import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;

export const BACKUP_DIR = 'legacy-backup';
const LOCK_FILE = 'LOCK';
/** Suffix of the old store's temporary files (an unfinished replace-by-rename). */
const TEMP_MARKER = '.tmp-';

const isLegacyFile = (f: string) => f.endsWith(SNAPSHOT_EXT) || f.endsWith(LOG_EXT) || f === LOCK_FILE || f.includes(TEMP_MARKER);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function checkNoOldWriter(dir: string): Promise<void> {
  const path = join(dir, LOCK_FILE);
  const text = await readIfExists(path);
  if (text === null) return;
  const m = /^(\d+)\s*$/.exec(text.toString('utf8'));
  const pid = m === null ? null : Number(m[1]);
  if (pid === null || pidAlive(pid)) {
    throw new Conflict(
      `${dir} is still locked by an older sealvec (pid ${pid ?? 'unknown'}, lock file ${path}); ` +
        'close that process so the store can be upgraded, or remove the lock file if it is gone',
    );
  }
}

/** True when `dir` holds files of the old format (checked on every open: one readdir). */
export async function hasLegacyFiles(dir: string): Promise<boolean> {
  return (await readdir(dir)).some((f) => f.endsWith(SNAPSHOT_EXT) || f.endsWith(LOG_EXT));
}

export async function migrateLegacy(dir: string, db: Database, file: string): Promise<void> {
  await checkNoOldWriter(dir);
  const entries = await readdir(dir);
  for (const snap of entries.filter((f) => f.endsWith(SNAPSHOT_EXT)).sort()) {
    const snapPath = join(dir, snap);
    const logName = snap.slice(0, -SNAPSHOT_EXT.length) + LOG_EXT;
    const bytes = await readIfExists(snapPath);
    if (bytes === null) continue; // moved away by a process that imported it meanwhile
    const log = await readIfExists(join(dir, logName));
    const digest = createHash('sha256').update(bytes).update(log ?? new Uint8Array(0)).digest('hex');
    const snapshot = decodeSnapshot(bytes, snapPath);
    if (log !== null) replay(snapshot, decodeLog(log, snapshot.info.dimension, join(dir, logName)));
    guard(file, 'import an older store', () => db.transaction(() => importOne(db, snap, digest, snapshot)).immediate());
  }
  await moveToBackup(dir, entries.filter(isLegacyFile));
}

function importOne(db: Database, snap: string, digest: string, s: LegacySnapshot): void {
  const done = db.prepare('SELECT digest FROM legacy_imports WHERE file = ?').pluck().get(snap) as string | undefined;
  if (done === digest) return;
  const { name, dimension, distance, metadata, tenantField, keywordFields } = s.info;
  if (db.prepare('SELECT 1 FROM collections WHERE name = ?').get(name) !== undefined) {
    throw new Conflict(
      `the older store file ${snap} holds collection ${JSON.stringify(name)}, which the database already has; ` +
        `move the file out of the store directory to keep the database's version, or delete the collection to import it`,
    );
  }
  const spec = { ...(tenantField !== undefined ? { tenantField } : {}), keywordFields, integerFields: [] };
  const gen = db
    .prepare('INSERT INTO collections (name, dimension, distance, spec, metadata, seq) VALUES (?, ?, ?, ?, ?, 1) RETURNING gen')
    .pluck()
    .get(name, dimension, distance, JSON.stringify(spec), JSON.stringify(metadata)) as number;
  const put = db.prepare('INSERT INTO points (gen, id, seq, payload, vector) VALUES (?, ?, 1, ?, ?)');
  for (const [id, p] of s.points) put.run(gen, id, JSON.stringify(p.payload), vectorBlob(p.vector));
  db.prepare('INSERT OR REPLACE INTO legacy_imports (file, digest, name) VALUES (?, ?, ?)').run(snap, digest, name);
}

/** Makes renames in `dir` durable; platforms that cannot fsync a directory (Windows) skip it. */
async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw e;
  } finally {
    await fh?.close();
  }
}

/** Moves the old files (snapshots, logs, the lock, temp files) into BACKUP_DIR, never overwriting. */
async function moveToBackup(dir: string, files: string[]): Promise<void> {
  if (files.length === 0) return;
  const backup = join(dir, BACKUP_DIR);
  try {
    await mkdir(backup, { recursive: true });
    const taken = new Set(await readdir(backup));
    for (const f of files) {
      let target = f;
      for (let i = 1; taken.has(target); i++) target = `${f}.${i}`;
      try {
        await rename(join(dir, f), join(backup, target));
        taken.add(target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // moved by another process
      }
    }
    await fsyncDir(backup);
    await fsyncDir(dir);
  } catch (cause) {
    if (isSealvecError(cause)) throw cause;
    throw new BackendError(`imported the older store in ${dir} but could not move its files into ${backup}: ${(cause as Error).message}`, { cause });
  }
}
