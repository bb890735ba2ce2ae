/**
 * Opening a directory written in the older snapshot + change log format: everything the old
 * code served is imported, the old files are kept aside, and no failure loses or doubles data.
 * The store is fixtures/legacy-local-store, written by that format's own writer.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from './local.js';
import { BACKUP_DIR } from './local-migrate.js';
import { DB_FILE, SqliteStorage } from './local-sqlite.js';
import type { Backend } from './types.js';

const fixture = fileURLToPath(new URL('../../../../fixtures/legacy-local-store/', import.meta.url));
const expected = JSON.parse(await readFile(join(fixture, 'expected.json'), 'utf8')) as {
  collections: { name: string; dimension: number; distance: string; metadata: object; points: { id: string; vector: number[]; payload: object }[] }[];
};
const legacyFiles = (await readdir(join(fixture, 'store'))).sort();

let dir: string;
const opened: Backend[] = [];

async function openAt(): Promise<LocalBackend> {
  const b = await LocalBackend.open({ path: dir });
  opened.push(b);
  return b;
}

async function contents(b: Backend, name: string) {
  const points: { id: string; vector: number[]; payload: object }[] = [];
  let offset: string | undefined;
  for (;;) {
    const page = await b.scroll(name, { limit: 7, withVector: true, ...(offset !== undefined ? { offset } : {}) });
    points.push(...page.points.map((p) => ({ id: p.id, vector: Array.from(p.vector), payload: p.payload })));
    if (page.nextOffset === null) return { ...(await b.describe(name)), points };
    offset = page.nextOffset;
  }
}

async function expectAllImportedExcept(b: Backend, changed?: string): Promise<void> {
  expect(await b.listCollections!()).toEqual(expected.collections.map((c) => c.name).sort());
  for (const c of expected.collections) if (c.name !== changed) expect(await contents(b, c.name)).toEqual(c);
}
const expectAllImported = (b: Backend) => expectAllImportedExcept(b);

const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealvec-migrate-'));
  await cp(join(fixture, 'store'), dir, { recursive: true });
});

afterEach(async () => {
  for (const b of opened.splice(0)) await b.close();
  await rm(dir, { recursive: true, force: true });
});

describe('opening a store in the older format', () => {
  it('imports every collection exactly as the old code served it, and keeps the old files byte for byte', async () => {
    const b = await openAt();
    await expectAllImported(b);
    expect((await readdir(dir)).filter((f) => !f.startsWith(DB_FILE))).toEqual([BACKUP_DIR]);
    expect((await readdir(join(dir, BACKUP_DIR))).sort()).toEqual(legacyFiles);
    for (const f of legacyFiles) expect(await readFile(join(dir, BACKUP_DIR, f))).toEqual(await readFile(join(fixture, 'store', f)));
    // searchable, writable, and still there after reopening, without importing again
    const q = Float32Array.from(expected.collections[0]!.points[0]!.vector);
    expect((await b.query('docs', { vector: q, limit: 1 }))[0]!.id).toBe(expected.collections[0]!.points[0]!.id);
    await b.setPayload('docs', [{ id: expected.collections[0]!.points[0]!.id, payload: { after: true } }]);
    await b.close();
    const again = await openAt();
    expect((await again.retrieve('docs', [expected.collections[0]!.points[0]!.id]))[0]!.payload).toMatchObject({ after: true });
    expect(await again.count('docs')).toBe(expected.collections[0]!.points.length);
  });

  it('keeps the tenant and keyword fields of an imported collection', async () => {
    await (await openAt()).close();
    const storage = await SqliteStorage.open(dir);
    try {
      expect(storage.describe('docs')).toMatchObject({ tenantField: 't', keywordFields: ['tok'], integerFields: [] });
    } finally {
      storage.close();
    }
  });

  it('refuses while an older sealvec still holds the lock, and imports once it is gone', async () => {
    await writeFile(join(dir, 'LOCK'), `${process.pid}\n`);
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await expect(LocalBackend.open({ path: dir })).rejects.toThrow(join(dir, 'LOCK'));
    await writeFile(join(dir, 'LOCK'), 'garbled');
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    expect((await readdir(dir)).filter((f) => f.endsWith('.svcol') || f.endsWith('.svlog'))).toHaveLength(legacyFiles.length);
    // a writer that died: its lock is kept aside with the other files
    await writeFile(join(dir, 'LOCK'), `${deadPid()}\n`);
    await writeFile(join(dir, 'x.svcol.tmp-1-abc'), 'half a file');
    await expectAllImported(await openAt());
    expect((await readdir(join(dir, BACKUP_DIR))).sort()).toEqual([...legacyFiles, 'LOCK', 'x.svcol.tmp-1-abc'].sort());
  });

  it('a crash between import and moving the files: the next open only moves them, never imports twice', async () => {
    const b = await openAt();
    await b.upsert('torn', [{ id: '00000000-0000-4000-8000-000000000001', vector: Float32Array.of(1, 1), payload: { new: 1 } }]);
    await b.close();
    // as if the files had not been moved yet
    for (const f of legacyFiles) await cp(join(dir, BACKUP_DIR, f), join(dir, f));
    const again = await openAt();
    expect(await again.count('torn')).toBe(5); // the 4 imported and the new one, not reset
    await expectAllImportedExcept(again, 'torn');
    // moved again, next to the first copies and never over them
    expect((await readdir(join(dir, BACKUP_DIR))).sort()).toEqual(legacyFiles.flatMap((f) => [f, `${f}.1`]).sort());
    expect((await readdir(dir)).filter((f) => f.endsWith('.svcol') || f.endsWith('.svlog'))).toEqual([]);
  });

  it('two backends opening the same old store at once import it once', async () => {
    const [a, b] = await Promise.all([LocalBackend.open({ path: dir }), LocalBackend.open({ path: dir })]);
    opened.push(a, b);
    await expectAllImported(a);
    await expectAllImported(b);
  });

  it('a collection of the same name already in the database: Conflict naming the file, nothing changed', async () => {
    await rm(dir, { recursive: true });
    const b = await LocalBackend.open({ path: dir });
    await b.createCollection({ name: 'docs', dimension: 2, distance: 'Dot' });
    await b.close();
    await cp(join(fixture, 'store'), dir, { recursive: true });
    const err = await LocalBackend.open({ path: dir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_CONFLICT' });
    expect((err as Error).message).toMatch(/46b42b4229cd7a39c564e780bb665a8b\.svcol holds collection "docs"/);
    expect((await readdir(dir)).filter((f) => f.endsWith('.svcol'))).toHaveLength(3);
  });

  it('a damaged old file refuses to open (Malformed, naming it) and leaves every old file in place', async () => {
    const log = join(dir, '46b42b4229cd7a39c564e780bb665a8b.svlog');
    const bytes = await readFile(log);
    bytes[20] = (bytes[20] as number) ^ 0xff;
    await writeFile(log, bytes);
    await expect(LocalBackend.open({ path: dir })).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
    await expect(LocalBackend.open({ path: dir })).rejects.toThrow(log);
    expect((await readdir(dir)).filter((f) => f.endsWith('.svcol') || f.endsWith('.svlog')).sort()).toEqual(legacyFiles);
  });
});
