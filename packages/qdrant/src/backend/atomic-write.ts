/**
 * Replace-by-rename file writes: a reader (or a crash) sees either the old file or the new one,
 * never a mix. The temporary file lives in the target's directory because rename is only atomic
 * within one file system; it is fsynced before the rename and the directory after it, so the
 * new name survives a power loss too.
 */
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Suffix marking our temporary files; LocalBackend removes leftovers of a crash on open. */
export const TEMP_MARKER = '.tmp-';

export async function fsyncDir(dir: string): Promise<void> {
  // Some platforms (Windows) cannot open a directory for fsync; the rename is still atomic there.
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

export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    try {
      for (const c of chunks) {
        let off = 0;
        while (off < c.length) {
          const { bytesWritten } = await fh.write(c, off, c.length - off);
          off += bytesWritten;
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

export async function removeFileDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await fsyncDir(dirname(path));
}
