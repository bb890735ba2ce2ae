/**
 * LocalBackend beyond the shared contract: persistence files (snapshot + change log), locking,
 * crash leftovers, corruption, group commit, compaction. Backend semantics are in
 * contract.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from './local.js';
import { collectionFileName } from './local-persist.js';
import { LOCK_NAME } from './file-lock.js';
import { points as makePoints, rng } from './__tests__/fixtures.js';

let dir: string;
const open: LocalBackend[] = [];

const logOf = (name: string) => collectionFileName(name).replace(/\.svcol$/, '.svlog');

async function openAt(path = dir, compactMinBytes?: number): Promise<LocalBackend> {
  const b = await LocalBackend.open({ path, ...(compactMinBytes !== undefined ? { compactMinBytes } : {}) });
  open.push(b);
  return b;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealvec-local-'));
});

afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LocalBackend persistence', () => {
  it('keeps a snapshot per collection, named by a hash of the name, a change log, and the lock', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'Docs', dimension: 2, distance: 'Dot' });
    await b.createCollection({ name: 'docs', dimension: 3, distance: 'Euclid' });
    expect((await readdir(dir)).sort()).toEqual([LOCK_NAME, collectionFileName('Docs'), collectionFileName('docs')].sort());
    expect(collectionFileName('docs')).toMatch(/^[0-9a-f]{32}\.svcol$/);
    await b.upsert('docs', makePoints(rng(9), 2, 3));
    expect((await readdir(dir)).sort()).toEqual([LOCK_NAME, collectionFileName('Docs'), collectionFileName('docs'), logOf('docs')].sort());
    await b.deleteCollection('docs');
    expect((await readdir(dir)).sort()).toEqual([LOCK_NAME, collectionFileName('Docs')].sort());
  });

  it('every mutating call is in the log when it returns; the snapshot is not rewritten', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    const snap = await readFile(join(dir, collectionFileName('c')));
    const log = join(dir, logOf('c'));
    const sizes: number[] = [];
    const pts = makePoints(rng(1), 10, 2);
    await b.upsert('c', pts);
    sizes.push((await readFile(log)).length);
    await b.setPayload('c', [{ id: pts[0]!.id, payload: { long: 'x'.repeat(100) } }]);
    sizes.push((await readFile(log)).length);
    await b.delete('c', { ids: [pts[1]!.id, pts[1]!.id] });
    sizes.push((await readFile(log)).length);
    await b.delete('c', { ids: [pts[1]!.id] }); // nothing deleted: nothing logged
    sizes.push((await readFile(log)).length);
    expect(sizes[0]).toBeGreaterThan(10 * 2 * 4);
    expect(sizes[1]).toBeGreaterThan(sizes[0]! + 100);
    expect(sizes[2]).toBeGreaterThan(sizes[1]!);
    expect(sizes[3]).toBe(sizes[2]);
    expect(await readFile(join(dir, collectionFileName('c')))).toEqual(snap);
  });

  it('folds the log into a new snapshot once it outgrows it, and replays correctly either way', async () => {
    const b = await openAt(dir, 4096);
    await b.createCollection({ name: 'c', dimension: 8, distance: 'Euclid' });
    const all = makePoints(rng(2), 300, 8, (i) => ({ i }));
    const logPath = join(dir, logOf('c'));
    let compactions = 0;
    let previous = 0;
    for (let i = 0; i < all.length; i += 10) {
      await b.upsert('c', all.slice(i, i + 10));
      const size = await readFile(logPath).then((x) => x.length, () => 0);
      if (size < previous) compactions++;
      previous = size;
    }
    await b.delete('c', { filter: { must: [{ key: 'i', match: { any: [0, 1, 2] } }] } });
    await b.setPayload('c', [{ id: all[5]!.id, payload: { i: 'five' } }]);
    expect(compactions).toBeGreaterThan(1);
    await b.close();
    open.length = 0;
    const again = await openAt();
    expect(await again.count('c')).toBe(297);
    expect((await again.retrieve('c', [all[5]!.id]))[0]!.payload).toEqual({ i: 'five' });
    const got = await again.retrieve('c', all.map((p) => p.id), { withVector: true });
    expect(got).toEqual(all.slice(3).map((p) => (p.id === all[5]!.id ? { ...p, payload: { i: 'five' } } : p)));
  });

  it('drops a log record torn by a crash, keeps the rest, and appends after it', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    const pts = makePoints(rng(3), 6, 2);
    await b.upsert('c', pts.slice(0, 3));
    await b.upsert('c', pts.slice(3));
    await b.close();
    open.length = 0;
    const logPath = join(dir, logOf('c'));
    const log = await readFile(logPath);
    await writeFile(logPath, log.subarray(0, log.length - 7)); // the second upsert, cut short
    const again = await openAt();
    expect(await again.count('c')).toBe(3);
    expect((await readFile(logPath)).length).toBeLessThan(log.length - 7); // cut back to the good record
    await again.upsert('c', pts.slice(3));
    await again.close();
    open.length = 0;
    expect(await (await openAt()).count('c')).toBe(6);
  });

  it('refuses a log damaged in the middle (Malformed) and releases the lock', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.upsert('c', makePoints(rng(4), 3, 2));
    await b.upsert('c', makePoints(rng(5), 3, 2));
    await b.close();
    open.length = 0;
    const logPath = join(dir, logOf('c'));
    const log = await readFile(logPath);
    log[20] = (log[20] as number) ^ 0xff;
    await writeFile(logPath, log);
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
    expect(await readdir(dir)).not.toContain(LOCK_NAME);
  });

  it('ignores log records already folded into the snapshot (crash between snapshot and log reset)', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    const pts = makePoints(rng(6), 4, 2);
    await b.upsert('c', pts);
    await b.delete('c', { ids: [pts[0]!.id] });
    await b.close();
    open.length = 0;
    const logPath = join(dir, logOf('c'));
    const oldLog = await readFile(logPath);
    // compact: a tiny threshold folds the next change into a new snapshot and removes the log
    const c2 = await openAt(dir, 0);
    await c2.setPayload('c', [{ id: pts[1]!.id, payload: { s: 1 } }]);
    await c2.close();
    open.length = 0;
    await expect(readFile(logPath)).rejects.toThrow(); // folded: no log
    await writeFile(logPath, oldLog); // as if a crash had left the old log behind
    const again = await openAt();
    expect(await again.count('c')).toBe(3);
    expect((await again.retrieve('c', [pts[1]!.id]))[0]!.payload).toEqual({ ...pts[1]!.payload, s: 1 });
    // and new changes after it are kept on top
    await again.upsert('c', [pts[0]!]);
    await again.close();
    open.length = 0;
    expect(await (await openAt()).count('c')).toBe(4);
  });

  it('concurrent writes are coalesced and all land', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 3, distance: 'Euclid' });
    const batches = Array.from({ length: 20 }, (_, i) => makePoints(rng(100 + i), 5, 3));
    const results = await Promise.all(batches.map((pts) => b.upsert('c', pts)));
    expect(results.every((r) => r.failed.length === 0)).toBe(true);
    await b.close();
    const again = await openAt();
    expect(await again.count('c')).toBe(100);
  });

  it('a second writer on the same directory gets Conflict naming the lock file', async () => {
    await openAt();
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await expect(LocalBackend.open({ path: dir })).rejects.toThrow(join(dir, LOCK_NAME));
    // the constructor form reports the same error on first use
    const lazy = new LocalBackend({ path: dir });
    await expect(lazy.count('x')).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await lazy.close();
  });

  it('takes over the lock of a writer that died, and keeps its data', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.upsert('c', makePoints(rng(2), 3, 2));
    await b.close();
    open.length = 0;
    const child = spawnSync(process.execPath, ['-e', '']);
    await writeFile(join(dir, LOCK_NAME), `${child.pid}\n`);
    const after = await openAt();
    expect(await after.count('c')).toBe(3);
    expect(await readFile(join(dir, LOCK_NAME), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('removes temp files and orphan logs left by a crash and ignores unrelated files', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.close();
    open.length = 0;
    const tmp = `${collectionFileName('c')}.tmp-999-abcdef`;
    await writeFile(join(dir, tmp), 'half a file');
    await writeFile(join(dir, logOf('deleted')), 'log of a deleted collection');
    await writeFile(join(dir, 'README.txt'), 'not ours');
    const after = await openAt();
    expect(await after.describe('c')).not.toBeNull();
    expect((await readdir(dir)).sort()).toEqual([LOCK_NAME, 'README.txt', collectionFileName('c')].sort());
  });

  it('refuses to open a damaged collection file (Malformed, naming it) and releases the lock', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.upsert('c', makePoints(rng(3), 4, 2));
    await b.close();
    open.length = 0;
    const file = join(dir, collectionFileName('c'));
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    await writeFile(file, bytes);
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
    await expect(LocalBackend.open({ path: dir })).rejects.toThrow(file);
    expect(await readdir(dir)).not.toContain(LOCK_NAME);
  });

  it('refuses a file stored under another collection name', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.close();
    open.length = 0;
    await writeFile(join(dir, collectionFileName('other')), await readFile(join(dir, collectionFileName('c'))));
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_BACKEND' });
  });

  it('a path that is a file is a coded error; bad options are TypeErrors', async () => {
    const file = join(dir, 'plain');
    await writeFile(file, 'x');
    await expect(LocalBackend.open({ path: file })).rejects.toMatchObject({ code: 'ERR_BACKEND' });
    expect(() => new LocalBackend({ path: '' })).toThrow(TypeError);
    expect(() => new LocalBackend({ path: 1 as unknown as string })).toThrow(TypeError);
    expect(() => new LocalBackend(null as unknown as object)).toThrow(TypeError);
  });
});

describe('LocalBackend lifecycle', () => {
  it('refuses calls after close; close is idempotent', async () => {
    const b = new LocalBackend();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.close();
    await b.close();
    await expect(b.count('c')).rejects.toThrow(TypeError);
  });

  it('memory backends are independent of each other', async () => {
    const a = new LocalBackend();
    const b = new LocalBackend();
    await a.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    expect(await b.describe('c')).toBeNull();
    await a.close();
    await b.close();
  });
});
