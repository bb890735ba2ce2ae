/**
 * Issue #11 at the collection level: a collection made before the epoch index existed is
 * upgraded by one call (strict-mode Qdrant refuses rewrap's epoch filter until then), and search
 * parameters reach the database. Runs on the in-process stand-in in strict mode.
 */
import { createWriterKey, generateAuthority, issueUserKey, rotateEpoch, VectorKeyset } from '@sealvec/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QdrantStandin, STRICT_UNINDEXED } from '../__tests__/qdrant-standin/index.js';
import { LocalBackend } from '../backend/local.js';
import { QdrantBackend } from '../backend/qdrant.js';
import { SealedCollection } from './sealed-collection.js';

const authority = generateAuthority();
const writer = createWriterKey(authority);
const D = 8;
const vec = (i: number) => Float32Array.from({ length: D }, (_, j) => Math.cos(i * 3 + j) + (j === i % D ? 1 : 0));

describe('SealedCollection over Qdrant in strict mode (stand-in)', () => {
  let standin: QdrantStandin;
  let backend: QdrantBackend;
  beforeEach(async () => {
    standin = await QdrantStandin.start({ strictMode: STRICT_UNINDEXED });
    backend = new QdrantBackend({ url: standin.url, retry: { attempts: 2, baseMs: 1, maxMs: 2 } });
  });
  afterEach(async () => {
    await backend.close();
    await standin.close();
  });

  async function seeded() {
    const col = await SealedCollection.create(backend, { name: 'old', dimension: D, metric: 'cosine', keyset: VectorKeyset.create(), writer, blindIndexFields: ['lang'] });
    const report = await col.upsert(Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, vector: vec(i), payload: { lang: i % 2 ? 'en' : 'fr' }, policy: { role: ['admin'] } })), { writer });
    expect(report.failed).toEqual([]);
    return col;
  }

  it('a collection without the epoch index cannot be rewrapped until ensureIndexes adds it; then rewrap works', async () => {
    const col = await seeded();
    expect(await col.ensureIndexes()).toEqual([]); // made by this version: nothing missing
    // What a collection made before the epoch index existed looks like.
    const res = await fetch(`${standin.url}/collections/old/index/ep`, { method: 'DELETE' });
    expect(res.ok).toBe(true);
    const next = createWriterKey(rotateEpoch(authority));
    await expect(col.rewrap(writer, next)).rejects.toMatchObject({ code: 'ERR_BACKEND' });
    expect(await col.ensureIndexes()).toEqual(['ep']);
    expect(await col.rewrap(writer, next)).toEqual({ rewrapped: 12, failed: [] });
    const { hits } = await col.search(vec(3), { userKey: issueUserKey(rotateEpoch(authority), { role: ['admin'] }), k: 3 });
    expect(hits[0]?.id).toBe('r3');
  });

  it('search parameters reach the database, with hnsw_ef never below the candidate count', async () => {
    const col = await seeded();
    const admin = issueUserKey(authority, { role: ['admin'] });
    standin.requests.length = 0;
    await col.search(vec(1), { userKey: admin, k: 2, candidates: 20, searchParams: { hnswEf: 8, quantization: { rescore: true } } });
    const queries = standin.requests.filter((r) => r.path.endsWith('/points/query'));
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect((q.body as { params?: unknown }).params).toEqual({ hnsw_ef: 20, quantization: { rescore: true } });
    standin.requests.length = 0;
    await col.search(vec(1), { userKey: admin, k: 2, searchParams: { exact: true } });
    for (const q of standin.requests.filter((r) => r.path.endsWith('/points/query'))) expect((q.body as { params?: unknown }).params).toEqual({ exact: true });
  });
});

describe('on the embedded store', () => {
  it('ensureIndexes is a no-op and search parameters are accepted and ignored (it always searches exactly)', async () => {
    const col = await SealedCollection.create(new LocalBackend(), { name: 'c', dimension: D, metric: 'cosine', keyset: VectorKeyset.create(), writer });
    await col.upsert([{ id: 'a', vector: vec(1), policy: { role: ['admin'] } }], { writer });
    expect(await col.ensureIndexes()).toEqual([]);
    const { hits } = await col.search(vec(1), { userKey: issueUserKey(authority, { role: ['admin'] }), k: 1, searchParams: { hnswEf: 1 } });
    expect(hits.map((h) => h.id)).toEqual(['a']);
  });
});
