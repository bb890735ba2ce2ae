import { readFileSync } from 'node:fs';
import {
  createAttributes,
  createPolicy,
  createWriterKey,
  DimensionMismatch,
  evaluate,
  exportUserKey,
  exportWriterKey,
  generateAuthority,
  importUserKey,
  importWriterKey,
  InvalidKey,
  generateVectorKey,
  issueUserKey,
  NotFound,
  rotateEpoch,
  SchemeMismatch,
  VectorKeyset,
  type DimensionMap,
} from '@sealvec/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../backend/local.js';
import { QdrantBackend } from '../backend/qdrant.js';
import { QdrantStandin, STRICT_UNINDEXED } from '../__tests__/qdrant-standin/index.js';
import type { Backend } from '../backend/types.js';
import { SealedCollection } from './sealed-collection.js';

function readFvecs(path: string, maxRows: number): { d: number; rows: Float32Array[] } {
  const buf = readFileSync(new URL(path, import.meta.url));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const d = dv.getInt32(0, true);
  const rows: Float32Array[] = [];
  for (let off = 0; off < buf.length && rows.length < maxRows; off += 4 + 4 * d) {
    rows.push(Float32Array.from({ length: d }, (_, i) => dv.getFloat32(off + 4 + 4 * i, true)));
  }
  return { d, rows };
}

const glove = readFvecs('../../../../fixtures/datasets/glove100/base.fvecs', 600);
const gloveQueries = readFvecs('../../../../fixtures/datasets/glove100/query.fvecs', 20);

const authority = generateAuthority();
const writer = createWriterKey(authority);
const users: Record<string, DimensionMap> = {
  alice: { role: ['hr_manager'], group: ['team_hr'], department: ['human_resources'] },
  bob: { role: ['engineer'], group: ['team_search'], department: ['engineering'] },
  admin: { role: ['admin'], group: ['team_hr', 'team_search'], department: ['human_resources', 'engineering'] },
  rare: { role: ['auditor'], department: ['legal'] },
};
const policies: DimensionMap[] = [
  { role: ['hr_manager', 'admin'], group: ['team_hr'], department: ['human_resources'] },
  { role: ['engineer', 'admin'], department: ['engineering'] },
  { role: ['admin'] },
  {},
];
// 1% of the records are for the rare auditor.
const policyOf = (i: number): DimensionMap => (i % 100 === 7 ? { role: ['auditor', 'admin'], department: ['legal'] } : policies[i % policies.length]!);

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) ** 2;
    bb += (b[i] as number) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

let seq = 0;
let NAME = 'docs';

async function populated(backend: Backend, options: { prefilter?: boolean; exactVector?: boolean } = {}) {
  const keyset = VectorKeyset.create();
  const col = await SealedCollection.create(backend, {
    name: NAME,
    dimension: glove.d,
    metric: 'cosine',
    keyset,
    writer,
    blindIndexFields: ['lang'],
    ...(options.prefilter !== undefined ? { prefilter: options.prefilter } : {}),
    ...(options.exactVector !== undefined ? { exactVector: options.exactVector } : {}),
  });
  const records = glove.rows.map((v, i) => ({ id: `w${i}`, vector: v, payload: { i, lang: i % 2 ? 'en' : 'fr' }, policy: policyOf(i) }));
  const report = await col.upsert(records, { writer, batchSize: 128 });
  expect(report.failed).toEqual([]);
  expect(report.stored.length).toBe(records.length);
  return { col, keyset, records };
}

interface Target {
  open: () => Promise<Backend>;
  close?: () => Promise<void>;
}

const targets: [string, Target][] = [['local backend', { open: async () => new LocalBackend() }]];
{
  let standin: QdrantStandin | undefined;
  targets.push([
    'QdrantBackend -> in-process Qdrant stand-in (real HTTP, strict mode)',
    {
      open: async () => {
        standin = await QdrantStandin.start({ strictMode: STRICT_UNINDEXED });
        return new QdrantBackend({ url: standin.url, retry: { attempts: 3, baseMs: 1, maxMs: 5 } });
      },
      close: async () => standin?.close(),
    },
  ]);
}
const liveUrl = process.env['QDRANT_URL'];
if (liveUrl) {
  const apiKey = process.env['QDRANT_API_KEY'];
  targets.push(['QdrantBackend -> live Qdrant', { open: async () => new QdrantBackend({ url: liveUrl, exact: true, ...(apiKey ? { apiKey } : {}) }) }]);
} else {
  console.log('skipping SealedCollection on a live Qdrant: QDRANT_URL not set (the stand-in run covers the same suite)');
}

describe.each(targets)('SealedCollection over %s', (_, target) => {
  let backend: Backend;
  beforeEach(async () => {
    NAME = `docs-${process.pid}-${++seq}`;
    backend = await target.open();
  });
  afterEach(async () => {
    await backend.deleteCollection(NAME).catch(() => undefined);
    await backend.deleteCollection(`${NAME}-c`).catch(() => undefined);
    await backend.close();
    await target.close?.();
  });

  it('each user gets exactly the records their key allows, never more', async () => {
    const { col, records } = await populated(backend);
    for (const [name, attrs] of Object.entries(users)) {
      const key = issueUserKey(authority, attrs);
      const allowed = new Set(records.filter((r) => evaluate(createAttributes(authority.schema, attrs), createPolicy(authority.schema, r.policy))).map((r) => r.id));
      for (const q of gloveQueries.rows.slice(0, 5)) {
        const { hits } = await col.search(q, { userKey: key, k: 10 });
        for (const h of hits) expect(allowed.has(h.id), `${name} got ${h.id}`).toBe(true);
        expect(hits.length).toBe(Math.min(10, allowed.size));
      }
      // Export returns exactly the allowed set.
      const exported = new Set<string>();
      for await (const r of col.export(key)) exported.add(r.id);
      expect(exported).toEqual(allowed);
    }
  });

  // Recall itself is measured by the benchmarks (benchmarks/results/collection.md); this checks
  // that re-rank works: exact scores, best first, and far better recall than the noisy order.
  it('re-rank returns exact scores, best first, and recovers the plaintext top-10', async () => {
    const { col, records } = await populated(backend);
    const admin = issueUserKey(authority, users.admin!);
    let found = 0;
    let foundNoisy = 0;
    for (const q of gloveQueries.rows) {
      const exact = records
        .map((r) => [cosine(q, r.vector), r.id] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, 10)
        .map((x) => x[1]);
      const { hits } = await col.search(q, { userKey: admin, k: 10 }); // the preset's depth
      found += hits.filter((h) => exact.includes(h.id)).length;
      for (const h of hits) expect(h.score).toBeCloseTo(cosine(q, records[Number(h.id.slice(1))]!.vector), 5);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      const noisy = await col.search(q, { userKey: admin, k: 10, rerank: false });
      foundNoisy += noisy.hits.filter((h) => exact.includes(h.id)).length;
    }
    const recall = found / (10 * gloveQueries.rows.length);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThan(foundNoisy / (10 * gloveQueries.rows.length));
  });

  // Without exact vectors, a cosine record keeps only its norm in x: re-rank decrypts the
  // ciphertext vector instead (the lean path, which fetches x alone, cannot serve it).
  for (const prefilter of [true, false]) {
    it(`exactVector: false still re-ranks with exact scores (pre-filter ${prefilter ? 'on' : 'off'})`, async () => {
      const { col, records } = await populated(backend, { exactVector: false, prefilter });
      const admin = issueUserKey(authority, users.admin!);
      const allowed = records.filter((r) => evaluate(createAttributes(authority.schema, users.admin!), createPolicy(authority.schema, r.policy)));
      for (const q of gloveQueries.rows.slice(0, 3)) {
        const { hits } = await col.search(q, { userKey: admin, k: 10, oversample: 10 });
        expect(hits).toHaveLength(Math.min(10, allowed.length));
        for (const h of hits) expect(h.score).toBeCloseTo(cosine(q, records[Number(h.id.slice(1))]!.vector), 5);
      }
    });
  }

  it('with pre-filter, a user who may read 1% of the collection still gets k results', async () => {
    const { col } = await populated(backend);
    const rare = issueUserKey(authority, users.rare!);
    const { hits } = await col.search(gloveQueries.rows[0]!, { userKey: rare, k: 5 });
    expect(hits.length).toBe(5);
  });

  it('post-filter mode stores no tokens, asks once per key, and fills k when the candidates reach the user\'s records', async () => {
    const { col } = await populated(backend, { prefilter: false });
    const page = await backend.scroll(NAME, { limit: 1 });
    expect(page.points[0]!.payload.pf).toBeUndefined();
    const rare = issueUserKey(authority, users.rare!);
    // One request, a fixed candidate count: whatever opens, the store sees the same traffic.
    const few = await col.search(gloveQueries.rows[0]!, { userKey: rare, k: 5, oversample: 2 });
    expect(few.requests).toBe(1);
    expect(few.candidates).toBe(10);
    // A selective user needs a deeper candidate set in this mode (the documented cost of not
    // revealing tokens): here the whole collection.
    const deep = await col.search(gloveQueries.rows[0]!, { userKey: rare, k: 5, candidates: glove.rows.length });
    expect(deep.requests).toBe(1);
    expect(deep.hits.length).toBe(5);
  });

  it('blind-index equality filters select on encrypted payload fields', async () => {
    const { col } = await populated(backend);
    const admin = issueUserKey(authority, users.admin!, { blindIndexFields: ['lang'] });
    const { hits } = await col.search(gloveQueries.rows[1]!, { userKey: admin, k: 10, where: { lang: 'fr' } });
    expect(hits.length).toBe(10);
    for (const h of hits) expect((h.payload as { lang: string }).lang).toBe('fr');
    await expect(col.search(gloveQueries.rows[1]!, { userKey: admin, where: { other: 'x' } })).rejects.toThrow(RangeError);
  });

  it('get, count, delete', async () => {
    const { col } = await populated(backend);
    const alice = issueUserKey(authority, users.alice!);
    const [a, b, missing] = await col.get(['w0', 'w1', 'nope'], alice);
    expect(a?.payload).toEqual({ i: 0, lang: 'fr' });
    expect(Array.from(a!.vector!)).toEqual(Array.from(glove.rows[0]!));
    expect(b).toBeNull(); // w1 is an engineering record
    expect(missing).toBeNull();
    expect(await col.count()).toBe(glove.rows.length);
    await col.delete(['w0']);
    expect(await col.count()).toBe(glove.rows.length - 1);
    expect((await col.get(['w0'], alice))[0]).toBeNull();
  });

  it('re-running the same upsert is idempotent (same point ids, same count)', async () => {
    const { col, records } = await populated(backend);
    await col.upsert(records.slice(0, 50), { writer });
    expect(await col.count()).toBe(records.length);
  });

  it('a bad record writes nothing; duplicate ids are refused', async () => {
    const keyset = VectorKeyset.create();
    const col = await SealedCollection.create(backend, { name: `${NAME}-c`, dimension: 4, metric: 'euclid', beta: 0.5, scale: 1, keyset, writer });
    const ok = { id: 'a', vector: [1, 2, 3, 4], policy: {} };
    await expect(col.upsert([ok, { id: 'b', vector: [1, NaN, 3, 4], policy: {} }], { writer })).rejects.toMatchObject({ code: 'ERR_INVALID_VECTOR' });
    await expect(col.upsert([ok, { id: 'c', vector: [1, 2, 3], policy: {} }], { writer })).rejects.toBeInstanceOf(DimensionMismatch);
    await expect(col.upsert([ok, ok], { writer })).rejects.toMatchObject({ code: 'ERR_MALFORMED' });
    expect(await col.count()).toBe(0);
  });

  it('clear coded errors: unknown collection, wrong key, wrong authority, wrong query dimension', async () => {
    const { col, keyset } = await populated(backend);
    await expect(SealedCollection.open(backend, { name: `${NAME}-nope`, keyset, authority: writer })).rejects.toBeInstanceOf(NotFound);
    await expect(SealedCollection.open(backend, { name: NAME, keyset: VectorKeyset.create(), authority: writer })).rejects.toBeInstanceOf(SchemeMismatch);
    const reopened = await SealedCollection.open(backend, { name: NAME, keyset, authority: writer });
    expect(reopened.scheme.metric).toBe('cosine');
    const stranger = issueUserKey(generateAuthority(), users.admin!);
    await expect(col.search(glove.rows[0]!, { userKey: stranger })).rejects.toBeInstanceOf(SchemeMismatch);
    const admin = issueUserKey(authority, users.admin!);
    await expect(col.search([1, 2, 3], { userKey: admin })).rejects.toBeInstanceOf(DimensionMismatch);
  });

  it('a key from before writer signatures (key format v1) is InvalidKey on open and search, never a TypeError', async () => {
    const { col, keyset } = await populated(backend);
    const v1 = (text: string, drop: string[]) => {
      const o = JSON.parse(text) as Record<string, unknown>;
      o.version = 1;
      for (const k of drop) delete o[k];
      return JSON.stringify(o);
    };
    const oldUser = importUserKey(v1(exportUserKey(issueUserKey(authority, users.admin!)), ['authorityKey', 'writerKey', 'certificate']));
    const oldWriter = importWriterKey(v1(exportWriterKey(writer), ['authorityKey', 'certificate']));
    for (const key of [oldUser, oldWriter]) {
      const opening = SealedCollection.open(backend, { name: NAME, keyset, authority: key });
      await expect(opening).rejects.toBeInstanceOf(InvalidKey);
      await expect(opening).rejects.toThrow(/predates writer signatures \(key format v1\).*issue it again/);
    }
    await expect(col.search(glove.rows[0]!, { userKey: oldUser })).rejects.toBeInstanceOf(InvalidKey);
    // Anything that is not a key at all stays a programmer error.
    await expect(SealedCollection.open(backend, { name: NAME, keyset, authority: {} as never })).rejects.toBeInstanceOf(TypeError);
  });

  it('an edited stored payload is skipped with a coded error; the other results still come back', async () => {
    const { col } = await populated(backend);
    const admin = issueUserKey(authority, users.admin!);
    const q = glove.rows[3]!;
    const before = await col.search(q, { userKey: admin, k: 5 });
    expect(before.hits[0]!.id).toBe('w3');
    const { pointIdOf } = await import('./point-id.js');
    await backend.setPayload(NAME, [{ id: pointIdOf('', 'w3'), payload: { h: '!!not base64!!' } }]);
    const after = await col.search(q, { userKey: admin, k: 5 });
    expect(after.hits.map((h) => h.id)).not.toContain('w3');
    expect(after.hits.length).toBe(5);
    expect(after.skipped).toEqual([expect.objectContaining({ id: 'w3', code: 'ERR_MALFORMED' })]);
    // A subtler edit (a valid but different payload ciphertext) is simply not openable: no oracle.
    const other = (await backend.retrieve(NAME, [pointIdOf('', 'w5')]))[0]!;
    await backend.setPayload(NAME, [{ id: pointIdOf('', 'w4'), payload: { p: other.payload.p } }]);
    const again = await col.search(glove.rows[4]!, { userKey: admin, k: 5 });
    expect(again.hits.map((h) => h.id)).not.toContain('w4');
  });

  it('rewrap moves records to a new epoch: old keys lose access, new keys gain it, payloads untouched', async () => {
    const { col } = await populated(backend);
    const oldAlice = issueUserKey(authority, users.alice!);
    const next = rotateEpoch(authority);
    const newWriter = createWriterKey(next);
    const before = await backend.retrieve(NAME, [(await import('./point-id.js')).pointIdOf('', 'w0')], { withVector: true });
    const report = await col.rewrap(writer, newWriter);
    expect(report).toEqual({ rewrapped: glove.rows.length, failed: [] });
    const after = await backend.retrieve(NAME, [before[0]!.id], { withVector: true });
    expect(after[0]!.payload.p).toBe(before[0]!.payload.p);
    expect(Array.from(after[0]!.vector)).toEqual(Array.from(before[0]!.vector));
    expect(after[0]!.payload.h).not.toBe(before[0]!.payload.h);
    const newAlice = issueUserKey(next, users.alice!);
    expect((await col.get(['w0'], newAlice))[0]?.payload).toEqual({ i: 0, lang: 'fr' });
    expect((await col.get(['w0'], oldAlice))[0]).toBeNull();
    expect((await col.search(glove.rows[0]!, { userKey: newAlice, k: 3 })).hits[0]!.id).toBe('w0');
    // Resumable / idempotent: nothing left at the old epoch.
    expect(await col.rewrap(writer, newWriter)).toEqual({ rewrapped: 0, failed: [] });
  });

  it('rotateKey re-encrypts every record under the new primary; search covers both keys meanwhile', async () => {
    const { col, keyset } = await populated(backend);
    const admin = issueUserKey(authority, users.admin!);
    const q = glove.rows[9]!;
    const next = keyset.add(generateVectorKey());
    const newKid = next.keys[1]!.kid;
    // Mid-rotation: new records under the new key, old ones under the old; search sees both.
    const promoted = next.promote(newKid);
    col.useKeyset(promoted);
    await col.upsert([{ id: 'fresh', vector: q, payload: { fresh: true }, policy: {} }], { writer });
    const mid = await col.search(q, { userKey: admin, k: 2 });
    expect(mid.hits.map((h) => h.id).sort()).toEqual(['fresh', 'w9']);
    const report = await col.rotateKey(promoted, writer);
    expect(report).toEqual({ reencrypted: glove.rows.length, failed: [] });
    const retired = promoted.retire(keyset.primary.kid);
    const reopened = await SealedCollection.open(backend, { name: NAME, keyset: retired, authority: authority.publicKey });
    const after = await reopened.search(q, { userKey: admin, k: 2 });
    expect(after.hits.map((h) => h.id).sort()).toEqual(['fresh', 'w9']);
    const [w9] = await reopened.get(['w9'], admin);
    expect(Array.from(w9!.vector!)).toEqual(Array.from(glove.rows[9]!));
    expect(w9!.payload).toEqual({ i: 9, lang: 'en' });
    // The old keyset alone can no longer read the collection.
    await expect(SealedCollection.open(backend, { name: NAME, keyset, authority: writer })).rejects.toBeInstanceOf(SchemeMismatch);
  });
});
