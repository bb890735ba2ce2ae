/**
 * LocalBackend beyond the shared contract: the SQLite store (files, lazy loading, several
 * backends on one directory, busy writers, damage) and its lifecycle. Backend semantics are in
 * contract.test.ts; processes killed mid-write in local-crash.test.ts; other processes in
 * local-processes.test.ts; upgrades from the older format in local-migrate.test.ts.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from './local.js';
import { DB_FILE, SqliteStorage } from './local-sqlite.js';
import { points as makePoints, rng, vector } from './__tests__/fixtures.js';

let dir: string;
const opened: { close(): unknown }[] = [];

async function openAt(path = dir, busyTimeoutMs?: number): Promise<LocalBackend> {
  const b = await LocalBackend.open({ path, ...(busyTimeoutMs !== undefined ? { busyTimeoutMs } : {}) });
  opened.push(b);
  return b;
}

async function storageAt(path = dir): Promise<SqliteStorage> {
  const s = await SqliteStorage.open(path);
  opened.push(s);
  return s;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealvec-local-'));
});

afterEach(async () => {
  for (const b of opened.splice(0)) await b.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LocalBackend on SQLite: files', () => {
  it('keeps one database (and its write-ahead log) in the directory, readable by its owner only', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'docs', dimension: 2, distance: 'Dot' });
    await b.upsert('docs', makePoints(rng(1), 3, 2));
    const files = await readdir(dir);
    expect(files).toContain(DB_FILE);
    expect(files.every((f) => f.startsWith(DB_FILE))).toBe(true);
    for (const f of files) expect((await stat(join(dir, f))).mode & 0o077, f).toBe(0);
    await b.close();
    // closing the last connection folds the log back into the database
    expect(await readdir(dir)).toEqual([DB_FILE]);
  });

  it('a path that is a file, or a file that is not a database, is a coded error; bad options are TypeErrors', async () => {
    const file = join(dir, 'plain');
    await writeFile(file, 'x');
    await expect(LocalBackend.open({ path: file })).rejects.toMatchObject({ code: 'ERR_BACKEND' });
    await writeFile(join(dir, DB_FILE), 'not a database, but long enough to have a header of its own'.repeat(100));
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
    expect(() => new LocalBackend({ path: '' })).toThrow(TypeError);
    expect(() => new LocalBackend({ path: 1 as unknown as string })).toThrow(TypeError);
    expect(() => new LocalBackend({ busyTimeoutMs: -1 })).toThrow(TypeError);
    expect(() => new LocalBackend(null as unknown as object)).toThrow(TypeError);
    // the constructor form reports the same error on first use
    const lazy = new LocalBackend({ path: file });
    await expect(lazy.count('x')).rejects.toMatchObject({ code: 'ERR_BACKEND' });
    await lazy.close();
  });

  it('refuses a database from a newer sealvec (UnsupportedVersion) instead of guessing', async () => {
    await (await openAt()).close();
    const raw = new Database(join(dir, DB_FILE));
    raw.pragma('user_version = 99');
    raw.close();
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_VERSION' });
  });

  it('a stored row that was tampered with is Malformed, naming the point', async () => {
    const b = await openAt();
    await b.createCollection({ name: 'c', dimension: 3, distance: 'Euclid' });
    const pts = makePoints(rng(2), 2, 3);
    await b.upsert('c', pts);
    const raw = new Database(join(dir, DB_FILE));
    raw.prepare('UPDATE points SET vector = x\'0000\' WHERE id = ?').run(pts[0]!.id);
    raw.prepare('UPDATE points SET payload = \'[1]\' WHERE id = ?').run(pts[1]!.id);
    raw.close();
    await expect(b.retrieve('c', [pts[0]!.id], { withVector: true })).rejects.toThrow(pts[0]!.id);
    await expect(b.query('c', { vector: vector(rng(3), 3), limit: 1 })).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
    await expect(b.retrieve('c', [pts[1]!.id])).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
  });
});

describe('LocalBackend on SQLite: lazy loading', () => {
  it('opening, writing, counting, retrieving and scrolling load no collection; a search loads only its own', async () => {
    const s = await storageAt();
    for (const name of ['big', 'small']) s.create({ name, dimension: 4, distance: 'Euclid', keywordFields: [], integerFields: [], metadata: {} });
    const pts = makePoints(rng(4), 50, 4, (i) => ({ i }));
    s.upsert('big', pts);
    s.upsert('small', pts.slice(0, 1));
    s.close();

    const again = await storageAt();
    expect(again.loadedNames()).toEqual([]);
    again.upsert('small', pts.slice(1, 2));
    again.setPayload('big', [{ id: pts[0]!.id, payload: { touched: true } }]);
    again.delete('big', { ids: [pts[1]!.id] });
    expect(again.count('big', undefined)).toBe(49);
    expect(again.count('big', (_, p) => p['touched'] === true)).toBe(1);
    expect(again.retrieve('big', [pts[0]!.id], true)[0]!.vector).toEqual(pts[0]!.vector);
    expect(again.scroll('big', 10, undefined, undefined, true).points).toHaveLength(10);
    expect(again.names().sort()).toEqual(['big', 'small']);
    expect(again.loadedNames()).toEqual([]);
    expect(again.searchable('small').size).toBe(2);
    expect(again.loadedNames()).toEqual(['small']);
  });

  it('a loaded collection replays only what changed, and reloads after tombstones were purged', async () => {
    const writer = await storageAt();
    const reader = await storageAt();
    writer.create({ name: 'c', dimension: 2, distance: 'Dot', keywordFields: [], integerFields: [], metadata: {} });
    const pts = makePoints(rng(5), 5000, 2, (i) => ({ i }));
    writer.upsert('c', pts);
    const before = reader.searchable('c');
    expect(before.size).toBe(5000);
    writer.delete('c', { ids: pts.slice(0, 10).map((p) => p.id) });
    writer.setPayload('c', [{ id: pts[20]!.id, payload: { i: 'twenty' } }]);
    // same copy, caught up
    expect(reader.searchable('c')).toBe(before);
    expect(before.size).toBe(4990);
    expect(before.get(pts[20]!.id, false)!.payload).toEqual({ i: 'twenty' });
    // deleting more than half purges the tombstones: the reader cannot replay, so it reloads
    writer.delete('c', { where: (_, p) => typeof p['i'] === 'number' && p['i'] < 4200 });
    const after = reader.searchable('c');
    expect(after).not.toBe(before);
    expect(after.size).toBe(801);
    expect(after.get(pts[4500]!.id, true)!.vector).toEqual(pts[4500]!.vector);
  });
});

describe('LocalBackend on SQLite: several backends on one directory', () => {
  it('each sees the others\' acknowledged writes on its next call, including a collection re-created', async () => {
    const a = await openAt();
    const b = await openAt();
    await a.createCollection({ name: 'c', dimension: 3, distance: 'Euclid' });
    const pts = makePoints(rng(6), 20, 3, (i) => ({ i }));
    await a.upsert('c', pts.slice(0, 10));
    const q = pts[15]!.vector;
    expect((await b.query('c', { vector: q, limit: 100 })).length).toBe(10);
    await a.upsert('c', pts.slice(10));
    expect((await b.query('c', { vector: q, limit: 1 }))[0]!.id).toBe(pts[15]!.id);
    await b.delete('c', { ids: [pts[15]!.id] });
    await b.setPayload('c', [{ id: pts[16]!.id, payload: { by: 'b' } }]);
    const top = await a.query('c', { vector: q, limit: 20 });
    expect(top.map((p) => p.id)).not.toContain(pts[15]!.id);
    expect(top.find((p) => p.id === pts[16]!.id)!.payload).toEqual({ i: 16, by: 'b' });
    await b.setMetadata('c', { v: 2 });
    expect((await a.describe('c'))!.metadata).toEqual({ v: 2 });
    // deleted and made again with another shape under the same name
    await b.deleteCollection('c');
    await expect(a.query('c', { vector: q, limit: 1 })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.upsert('c', makePoints(rng(7), 4, 2));
    expect(await a.query('c', { vector: Float32Array.of(1, 0), limit: 10 })).toHaveLength(4);
    expect(await a.listCollections()).toEqual(['c']);
  });

  it('while another connection holds the write lock, reads go on and writes wait, then fail retry-safe', async () => {
    const b = await openAt(dir, 100);
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    const pts = makePoints(rng(8), 6, 2);
    await b.upsert('c', pts.slice(0, 3));
    const other = new Database(join(dir, DB_FILE));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(await b.count('c')).toBe(3);
      expect(await b.query('c', { vector: Float32Array.of(1, 1), limit: 5 })).toHaveLength(3);
      const res = await b.upsert('c', pts.slice(3), { batchSize: 2 });
      expect(res.stored).toEqual([]);
      expect(res.failed.map((f) => f.id)).toEqual(pts.slice(3).map((p) => p.id));
      expect(res.failed[0]!.error).toMatchObject({ code: 'ERR_BACKEND' });
      expect(res.failed[0]!.error.message).toMatch(/retrying is safe/);
      await expect(b.setPayload('c', [{ id: pts[0]!.id, payload: { x: 1 } }])).rejects.toMatchObject({ code: 'ERR_BACKEND' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await b.upsert('c', pts.slice(3))).stored).toHaveLength(3);
    expect(await b.count('c')).toBe(6);
  });
});

describe('LocalBackend lifecycle and copies', () => {
  for (const persisted of [false, true]) {
    it(`${persisted ? 'persisted' : 'memory'}: results are copies, and inputs are copied in`, async () => {
      const b = persisted ? await openAt() : new LocalBackend();
      if (!persisted) opened.push(b);
      await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot', metadata: { m: [1] } });
      const p = { id: makePoints(rng(9), 1, 2)[0]!.id, vector: Float32Array.of(1, 2), payload: { list: [1] } };
      await b.upsert('c', [p]);
      p.payload.list.push(99);
      p.vector[0] = 99;
      const [got] = await b.retrieve('c', [p.id], { withVector: true });
      (got!.payload['list'] as number[]).push(2);
      got!.vector[1] = 77;
      const [hit] = await b.query('c', { vector: Float32Array.of(1, 1), limit: 1, withVector: true });
      (hit!.payload['list'] as number[]).push(3);
      ((await b.describe('c'))!.metadata['m'] as number[]).push(2);
      expect(await b.retrieve('c', [p.id], { withVector: true })).toEqual([{ id: p.id, vector: Float32Array.of(1, 2), payload: { list: [1] } }]);
      expect((await b.describe('c'))!.metadata).toEqual({ m: [1] });
    });
  }

  it('refuses calls after close; close is idempotent', async () => {
    const b = new LocalBackend();
    await b.createCollection({ name: 'c', dimension: 2, distance: 'Dot' });
    await b.close();
    await b.close();
    await expect(b.count('c')).rejects.toThrow(TypeError);
    const p = await LocalBackend.open({ path: dir });
    await p.close();
    await expect(p.listCollections()).rejects.toThrow(TypeError);
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
