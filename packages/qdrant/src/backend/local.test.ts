/**
 * LocalBackend beyond the shared contract: persistence files, locking, crash leftovers,
 * corruption, coalesced writes. The Backend semantics themselves are in contract.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectionFileName, LocalBackend } from './local.js';
import { LOCK_NAME } from './file-lock.js';
import { points as makePoints, rng } from './__tests__/fixtures.js';

let dir: string;
const open: LocalBackend[] = [];

async function openAt(path = dir): Promise<LocalBackend> {
  const b = await LocalBackend.open({ path });
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
  it('keeps one file per collection, named by a hash of the name, plus the lock', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'Docs', dimension: 2, distance: 'Dot' });
    await b.createCollection({ name: 'docs', dimension: 3, distance: 'Euclid' });
    expect((await readdir(dir)).sort()).toEqual([LOCK_NAME, collectionFileName('Docs'), collectionFileName('docs')].sort());
    expect(collectionFileName('docs')).toMatch(/^[0-9a-f]{32}\.svcol$/);
    await b.deleteCollection('Docs');
    expect((await readdir(dir)).sort()).toEqual([LOCK_NAME, collectionFileName('docs')].sort());
  });

  it('every mutating call is on disk when it returns', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    const file = join(dir, collectionFileName('c'));
    const sizes: number[] = [(await readFile(file)).length];
    const pts = makePoints(rng(1), 10, 2);
    await b.upsert('c', pts);
    sizes.push((await readFile(file)).length);
    await b.setPayload('c', [{ id: pts[0]!.id, payload: { long: 'x'.repeat(100) } }]);
    sizes.push((await readFile(file)).length);
    await b.delete('c', { ids: [pts[1]!.id] });
    sizes.push((await readFile(file)).length);
    expect(sizes[1]).toBeGreaterThan(sizes[0]!);
    expect(sizes[2]).toBeGreaterThan(sizes[1]!);
    expect(sizes[3]).toBeLessThan(sizes[2]!);
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

  it('removes temp files left by a crash mid-write and ignores unrelated files', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.close();
    open.length = 0;
    const tmp = `${collectionFileName('c')}.tmp-999-abcdef`;
    await writeFile(join(dir, tmp), 'half a file');
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
