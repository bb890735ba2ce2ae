/**
 * Format v1 collections written by the last v1 code (fixtures/v1): today's code reads them only
 * behind `acceptUnauthenticatedV1`, then exactly as the old code did; it refuses to write to them;
 * and `rotateKey` migrates them to v2 (every record of every epoch re-sealed, the scheme signed),
 * also when the migration is interrupted and run again. On the embedded store and on QdrantBackend
 * over HTTP to the Qdrant stand-in in strict mode (a v1 collection has no index on the epoch).
 */
import {
  BackendError,
  createWriterKey,
  generateVectorKey,
  issueUserKey,
  parseScheme,
  relativeBeta,
  rotateEpoch,
  type OpenedRecord,
  type UserKey,
  type VectorKeyset,
} from '@sealvec/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../backend/local.js';
import { QdrantBackend } from '../backend/qdrant.js';
import type { Backend } from '../backend/types.js';
import { QdrantStandin, STRICT_UNINDEXED } from '../__tests__/qdrant-standin/index.js';
import { datasetRows, loadV1, v1, v1Keys, vectorSha256, type V1Collection, type V1Hit } from './__tests__/v1-fixture.js';
import { SealedCollection } from './sealed-collection.js';

const keys = v1Keys();
/** Today's writer key of the current epoch (v2: certified by the authority, so it can sign a scheme). */
const writer = createWriterKey(keys.authority);
const { k1, k2 } = v1.keys.kids;

interface Target {
  open: () => Promise<Backend>;
  close?: () => Promise<void>;
}
const targets: [string, Target][] = [['local backend', { open: async () => new LocalBackend() }]];
{
  let standin: QdrantStandin | undefined;
  targets.push([
    'QdrantBackend -> Qdrant stand-in (strict mode)',
    {
      open: async () => {
        standin = await QdrantStandin.start({ strictMode: STRICT_UNINDEXED });
        return new QdrantBackend({ url: standin.url, retry: { attempts: 2, baseMs: 1, maxMs: 5 } });
      },
      close: async () => standin?.close(),
    },
  ]);
}

/** A backend that records every metadata write and can fail the n-th upsert, as a dropped connection would. */
function instrumented(inner: Backend, failUpsert?: number): Backend & { metadata: Record<string, unknown>[] } {
  let upserts = 0;
  const metadata: Record<string, unknown>[] = [];
  return new Proxy(inner, {
    get(t, p) {
      if (p === 'metadata') return metadata;
      if (p === 'setMetadata') {
        return async (name: string, m: Record<string, unknown>) => {
          metadata.push(structuredClone(m));
          return t.setMetadata!(name, m);
        };
      }
      if (p === 'upsert') {
        return async (...args: Parameters<Backend['upsert']>) => {
          if (++upserts === failUpsert) throw new BackendError('connection reset (injected by the test)');
          return t.upsert(...args);
        };
      }
      const v = Reflect.get(t, p) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  }) as Backend & { metadata: Record<string, unknown>[] };
}

const sortedUnion = (...lists: string[][]) => [...new Set(lists.flat())].sort();
const better = (c: V1Collection) => (a: V1Hit, b: V1Hit) => (c.metric === 'cosine' ? b.score - a.score : a.score - b.score);

async function exported(col: SealedCollection, key: UserKey): Promise<OpenedRecord[]> {
  const out: OpenedRecord[] = [];
  for await (const r of col.export(key)) out.push(r);
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Today's v2 user keys of the fixture's users, issued by the (imported v1) authority at its current epoch. */
function v2UserKeys(): [string, UserKey][] {
  return Object.entries(v1.users).map(([u, attrs]) => [u, issueUserKey(keys.authority, attrs, { blindIndexFields: ['lang'] })]);
}

/** Everything a user may read, whatever epoch it was written at: what each user finds after the migration. */
const allowed = (c: V1Collection, user: string) => sortedUnion(c.answers.opens[`${user}@1`]!, c.answers.opens[`${user}@2`]!);

describe.each(targets)('format v1 collections (fixtures/v1) over %s', (_, target) => {
  let backend: Backend;
  beforeEach(async () => {
    backend = await target.open();
  });
  afterEach(async () => {
    await backend.close();
    await target.close?.();
  });

  describe.each(['cosine', 'euclid'] as const)('%s', (which) => {
    const c = v1.collections[which];
    // A v1 euclid scheme never recorded the data's scale, so no client can check its relative
    // beta: reading it takes an explicit floor of 0 as well (migration records the scale).
    const floor = c.metric === 'euclid' ? { betaFloor: 0 } : {};
    const openV1 = (b: Backend = backend) => SealedCollection.open(b, { name: c.name, keyset: keys.keyset, authority: keys.authority.publicKey, acceptUnauthenticatedV1: true, ...floor });
    const queries = datasetRows(c.dataset, 'query', c.answers.search.map((s) => s.query));
    const ids = c.records.map((r) => r.id);
    const record = (id: string) => c.records.find((r) => r.id === id)!;

    /** After a migration: v2 records only, under the new key, at the current epoch; every user finds what they may read. */
    async function checkMigrated(keyset: VectorKeyset): Promise<void> {
      const newKid = keyset.primary.kid;
      const scheme = parseScheme(c.name, (await backend.describe(c.name))!.metadata);
      expect(scheme.version).toBe(2);
      expect(scheme.legacyKids).toEqual([]);
      const points = await backend.scroll(c.name, { limit: 1000, withVector: true });
      expect(points.points).toHaveLength(c.points.length);
      for (const p of points.points) expect(p.payload).toMatchObject({ sv: 2, kid: newKid, ep: writer.epoch, s: expect.any(String) });
      expect(await backend.count(c.name, { must: [{ key: 'kid', match: { any: [k1, k2] } }] })).toBe(0);

      // A plain v2 open (no v1 opt-in, the default beta floor) with the old keys retired.
      const col = await SealedCollection.open(backend, { name: c.name, keyset: keyset.retire(k1).retire(k2), authority: keys.authority.publicKey });
      if (c.metric === 'euclid') {
        // The scale the migration measured (median norm of the first page) is close to the one the old preset used.
        expect(relativeBeta(col.scheme)).toBeGreaterThan(0.8);
        expect(relativeBeta(col.scheme)).toBeLessThan(1.25);
      }
      for (const [user, key] of v2UserKeys()) {
        const opened = await exported(col, key);
        expect(opened.map((r) => r.id)).toEqual(allowed(c, user));
        const rows = datasetRows(c.dataset, 'base', opened.map((r) => record(r.id).row));
        opened.forEach((r, i) => {
          expect(r.payload).toEqual(record(r.id).payload);
          if (c.metric === 'cosine') expect(vectorSha256(r.vector!)).toBe(record(r.id).vectorSha256);
          else expectNear(r.vector!, rows[i]!);
        });
        for (const [qi, s] of c.answers.search.entries()) {
          const want = [...s.hits[`${user}@1`]!, ...s.hits[`${user}@2`]!].sort(better(c)).slice(0, s.k);
          const { hits, skipped } = await col.search(queries[qi]!, { userKey: key, k: s.k });
          expect(skipped).toEqual([]);
          expect(hits.map((h) => h.id)).toEqual(want.map((h) => h.id));
          hits.forEach((h, j) => expect(h.score).toBeCloseTo(want[j]!.score, c.metric === 'cosine' ? 9 : 1));
        }
      }
      // A full v2 collection: rewrap filters on the epoch, which Qdrant in strict mode allows only
      // on an indexed field (v1 never indexed it).
      const next = rotateEpoch(keys.authority);
      expect(await col.rewrap(writer, createWriterKey(next))).toEqual({ rewrapped: c.records.length, failed: [] });
      const later = issueUserKey(next, v1.users.alice!);
      expect((await exported(col, later)).map((r) => r.id)).toEqual(allowed(c, 'alice'));
      // A v1 user key cannot check writer signatures, nor the scheme's: refused up front, by the key alone.
      await expect(col.search(queries[0]!, { userKey: keys.users['alice@2']! })).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' });
      await expect(SealedCollection.open(backend, { name: c.name, keyset, authority: keys.users['alice@2']! })).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' });
    }

    it('is refused without acceptUnauthenticatedV1 (ERR_SCHEME_UNAUTHENTICATED)', async () => {
      await loadV1(backend, c);
      for (const authority of [keys.authority.publicKey, writer, issueUserKey(keys.authority, v1.users.alice!)]) {
        await expect(SealedCollection.open(backend, { name: c.name, keyset: keys.keyset, authority, ...floor })).rejects.toMatchObject({
          code: 'ERR_SCHEME_UNAUTHENTICATED',
          message: expect.stringContaining('acceptUnauthenticatedV1'),
        });
      }
      if (c.metric === 'euclid') {
        await expect(SealedCollection.open(backend, { name: c.name, keyset: keys.keyset, authority: writer, acceptUnauthenticatedV1: true })).rejects.toMatchObject({
          code: 'ERR_WEAK_SCHEME',
        });
      }
    });

    it('with acceptUnauthenticatedV1, each (re-imported v1) user key searches, gets and exports exactly what it opened with the old code', async () => {
      await loadV1(backend, c);
      const col = await openV1();
      expect(col.scheme.version).toBe(1);
      // A v1 scheme is not signed, so any key of the authority names it, v1 key files included.
      for (const authority of [keys.users['alice@1']!, keys.writers[2]!]) {
        const other = await SealedCollection.open(backend, { name: c.name, keyset: keys.keyset, authority, acceptUnauthenticatedV1: true, ...floor });
        expect(other.scheme).toEqual(col.scheme);
      }
      for (const [keyName, key] of Object.entries(keys.users)) {
        const opened = await exported(col, key);
        expect(opened.map((r) => r.id), keyName).toEqual(c.answers.opens[keyName]);
        for (const r of opened) {
          expect(r.payload).toEqual(record(r.id).payload);
          // The v1 cipher and sealing of today's code give back the old code's vectors bit for bit.
          expect(vectorSha256(r.vector!), `${keyName} ${r.id}`).toBe(record(r.id).vectorSha256);
        }
        const got = await col.get(ids, key);
        expect(got.flatMap((r, i) => (r === null ? [] : [ids[i]!])).sort()).toEqual(c.answers.opens[keyName]);
        for (const [qi, s] of c.answers.search.entries()) {
          // Default (post-filter: a v1 scheme's token setting is the store's word) and pre-filter on request.
          for (const prefilter of [undefined, true]) {
            const { hits, skipped } = await col.search(queries[qi]!, { userKey: key, k: s.k, ...(prefilter ? { prefilter } : {}) });
            expect(skipped).toEqual([]);
            expect(hits.map((h) => h.id), `${keyName} query ${qi}`).toEqual(s.hits[keyName]!.map((h) => h.id));
            hits.forEach((h, j) => expect(h.score).toBeCloseTo(s.hits[keyName]![j]!.score, 9));
          }
        }
      }
      if (c.answers.where !== null) {
        const w = c.answers.where;
        const { hits } = await col.search(queries[0]!, { userKey: keys.users[w.key]!, k: w.k, where: w.where });
        expect(hits.map((h) => h.id)).toEqual(w.hits.map((h) => h.id));
      }
      // Keys re-issued today (format v2 key files) open the same v1 records: the tuple keys did not change.
      for (const [user, attrs] of Object.entries(v1.users)) {
        for (const epoch of [1, 2]) {
          const key = issueUserKey(keys.authority, attrs, { epoch });
          expect((await exported(col, key)).map((r) => r.id)).toEqual(c.answers.opens[`${user}@${epoch}`]);
        }
      }
    });

    it('refuses writes and rewrap on a v1 handle, and writes nothing', async () => {
      await loadV1(backend, c);
      const col = await openV1();
      const before = await backend.scroll(c.name, { limit: 1000, withVector: true });
      const vector = datasetRows(c.dataset, 'base', [400])[0]!;
      const refused = { code: 'ERR_SCHEME_MISMATCH', message: expect.stringMatching(/format v1/) };
      await expect(col.upsert([{ id: 'new', vector, policy: {} }], { writer })).rejects.toMatchObject(refused);
      await expect(col.upsertAll([{ id: 'new', vector, policy: {} }], { writer })).rejects.toMatchObject(refused);
      await expect(col.storeSealed([])).rejects.toMatchObject(refused);
      await expect(col.rewrap(keys.writers[1]!, writer)).rejects.toMatchObject(refused);
      const after = await backend.scroll(c.name, { limit: 1000, withVector: true });
      expect(after.points).toEqual(before.points);
      expect(parseScheme(c.name, (await backend.describe(c.name))!.metadata).version).toBe(1);
    });

    it('rotateKey migrates every record of both epochs, signing a v2 scheme with legacy keys first and without them when done', async () => {
      await loadV1(backend, c);
      const b = instrumented(backend);
      const col = await openV1(b);
      const k3 = generateVectorKey();
      const next = keys.keyset.add(k3).promote(k3.kid);
      // Refused before anything is written: a primary key that holds v1 records, a v1 writer key (it cannot sign a scheme).
      await expect(col.rotateKey(keys.keyset, writer, { openWith: [keys.writers[1]!] })).rejects.toMatchObject({ code: 'ERR_SCHEME_MISMATCH' });
      await expect(col.rotateKey(next, keys.writers[2]!, { openWith: [keys.writers[1]!] })).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' });
      expect(b.metadata).toEqual([]);

      // Without the epoch-1 writer, the epoch-1 records cannot be opened: each is named, none is lost.
      const epoch1 = c.records.filter((r) => r.epoch === 1).map((r) => r.id);
      const partial = await col.rotateKey(next, writer, { pageSize: 4 });
      expect(partial.reencrypted).toBe(c.records.length - epoch1.length);
      expect(partial.failed.map((f) => f.id).sort()).toEqual([...epoch1].sort());
      for (const f of partial.failed) expect(f.error).toMatchObject({ code: 'ERR_KEY_NOT_FOUND', message: expect.stringContaining('epoch 1') });
      // Still migrating: the scheme names the v1 keys (the old v1 epoch-1 writer key file opens the rest).
      expect(b.metadata).toHaveLength(1);
      expect(b.metadata[0]).toMatchObject({ sealvec: 2, collection: c.name });
      expect([...(b.metadata[0]!.legacyKids as string[])].sort()).toEqual([k1, k2].sort());

      const report = await col.rotateKey(next, writer, { openWith: [keys.writers[1]!], pageSize: 4 });
      expect(report).toEqual({ reencrypted: epoch1.length, failed: [] });
      expect(b.metadata).toHaveLength(2);
      expect(b.metadata[1]).toMatchObject({ sealvec: 2, legacyKids: [] });
      expect(col.scheme).toMatchObject({ version: 2, legacyKids: [] });
      await checkMigrated(next);
    });

    it('an interrupted migration (the second page fails to store) resumes on a re-run', async () => {
      await loadV1(backend, c);
      const k3 = generateVectorKey();
      const next = keys.keyset.add(k3).promote(k3.kid);
      // Opened with the new key already in the keyset, as the CLI does after `keys rotate`.
      const col = await SealedCollection.open(instrumented(backend, 2), { name: c.name, keyset: next, authority: keys.authority.publicKey, acceptUnauthenticatedV1: true, ...floor });
      await expect(col.rotateKey(next, writer, { openWith: [keys.writers[1]!], pageSize: 4 })).rejects.toThrow(/connection reset/);

      // Half-way: the signed scheme lists the v1 keys; one page is v2, the rest still v1.
      const mid = parseScheme(c.name, (await backend.describe(c.name))!.metadata);
      expect(mid.version).toBe(2);
      expect([...mid.legacyKids].sort()).toEqual([k1, k2].sort());
      const migrated = new Set(
        (await backend.scroll(c.name, { limit: 1000, filter: { must: [{ key: 'kid', match: { value: k3.kid } }] } })).points.map((p) => p.payload.id as string),
      );
      expect(migrated.size).toBe(4);
      // A plain v2 open reads the mixed collection (v1 records through the legacy keys).
      const reopened = await SealedCollection.open(backend, { name: c.name, keyset: next, authority: keys.authority.publicKey });
      for (const [user, key] of v2UserKeys()) {
        const want = allowed(c, user).filter((id) => migrated.has(id) || record(id).epoch === writer.epoch);
        expect((await exported(reopened, key)).map((r) => r.id)).toEqual(want);
      }

      const report = await reopened.rotateKey(next, writer, { openWith: [keys.writers[1]!], pageSize: 4 });
      expect(report).toEqual({ reencrypted: c.records.length - 4, failed: [] });
      await checkMigrated(next);
    });
  });
});

/** Vectors equal up to the float32 rounding of an encrypt-decrypt round trip (records without a sealed exact vector). */
function expectNear(got: Float32Array, want: Float32Array): void {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    norm += want[i]! * want[i]!;
  }
  expect(err / Math.sqrt(norm)).toBeLessThan(1e-4);
}

