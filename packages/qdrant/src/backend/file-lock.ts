/**
 * A single-writer lock on a directory: the file `LOCK` created with O_EXCL holding the owner's
 * pid. A second writer (another process, or a second LocalBackend in this one) gets a coded
 * Conflict naming the lock file. A lock whose pid is no longer running (the writer crashed) is
 * taken over.
 *
 * Taking over is "rename the stale file aside, check that what we moved is still the stale lock,
 * then create ours with O_EXCL": if two processes race for the same stale lock, at most one
 * O_EXCL create succeeds, and a fresh lock moved aside by mistake is linked back.
 * A pid reused by an unrelated process makes a stale lock look alive; the Conflict message says
 * which pid and file, so a user can remove it.
 */
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Conflict } from '@sealvec/core';

export const LOCK_NAME = 'LOCK';

export interface DirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parsePid(text: string): number | null {
  const m = /^(\d+)\s*$/.exec(text);
  if (m === null) return null;
  const pid = Number(m[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

async function createExclusive(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx', 0o644);
    try {
      await fh.writeFile(`${process.pid}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

async function readPid(path: string): Promise<number | null | 'gone'> {
  try {
    return parsePid(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
}

export async function acquireDirLock(dir: string): Promise<DirLock> {
  const path = join(dir, LOCK_NAME);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path)) return makeLock(path);
    const pid = await readPid(path);
    if (pid === 'gone') continue;
    // An empty or garbled lock may be a writer caught between create and write: treat it as held.
    if (pid === null || pidAlive(pid)) {
      throw new Conflict(
        `${dir} is in use by another writer (pid ${pid ?? 'unknown'}); lock file ${path}. ` +
          'Close the other process, or remove the lock file if that process is gone.',
      );
    }
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = await readPid(aside);
    if (moved !== pid) {
      // Someone else took the stale lock over between our read and our rename: put theirs back.
      await link(aside, path).catch(() => undefined);
    }
    await rm(aside, { force: true });
  }
  throw new Conflict(`could not acquire lock file ${path}: it keeps changing hands`);
}

function makeLock(path: string): DirLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      // Remove only our own lock: if it was taken over (we were presumed dead), leave it.
      if ((await readPid(path)) === process.pid) await rm(path, { force: true });
    },
  };
}
