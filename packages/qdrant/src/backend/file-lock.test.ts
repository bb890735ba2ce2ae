import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDirLock, LOCK_NAME, pidAlive } from './file-lock.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealvec-lock-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.status).toBe(0);
  expect(pidAlive(r.pid as number)).toBe(false);
  return r.pid as number;
}

describe('directory lock', () => {
  it('writes our pid into LOCK and removes it on release', async () => {
    const lock = await acquireDirLock(dir);
    expect(lock.path).toBe(join(dir, LOCK_NAME));
    expect(await readFile(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a second writer with a coded Conflict naming the lock file and pid', async () => {
    const lock = await acquireDirLock(dir);
    const second = acquireDirLock(dir);
    await expect(second).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await expect(acquireDirLock(dir)).rejects.toThrow(join(dir, LOCK_NAME));
    await expect(acquireDirLock(dir)).rejects.toThrow(`pid ${process.pid}`);
    await lock.release();
    const again = await acquireDirLock(dir);
    await again.release();
  });

  it('takes over a stale lock left by a dead process', async () => {
    const pid = deadPid();
    await writeFile(join(dir, LOCK_NAME), `${pid}\n`);
    const lock = await acquireDirLock(dir);
    expect(await readFile(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    expect(await readdir(dir)).toEqual([LOCK_NAME]); // the stale file was moved aside and removed
    await lock.release();
  });

  it('treats an empty or garbled lock as held (its writer may be mid-write)', async () => {
    await writeFile(join(dir, LOCK_NAME), '');
    await expect(acquireDirLock(dir)).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await writeFile(join(dir, LOCK_NAME), 'pid=12\n');
    await expect(acquireDirLock(dir)).rejects.toThrow(/pid unknown/);
  });

  it('release leaves a lock that another writer took over', async () => {
    const lock = await acquireDirLock(dir);
    await writeFile(lock.path, `${deadPid()}\n`); // as if we had been presumed dead and replaced
    await lock.release();
    expect(await readdir(dir)).toEqual([LOCK_NAME]);
  });

  it('pidAlive: our own pid is alive, an exited child is not', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(deadPid())).toBe(false);
  });
});
