import { generateAuthority, createWriterKey, issueUserKey, VectorKeyset } from '@sealvec/core';
import { LocalBackend, SealedCollection, type Point } from '@sealvec/qdrant';
import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { loadHnsw } from './hnsw.js';
import { HnswBackend } from './hnsw-backend.js';

const hnsw = loadHnsw();
if (!hnsw.ok) console.warn(`skipping the HNSW backend tests: ${hnsw.reason} (the exact-search tests still run)`);
const maybe = hnsw.ok ? describe : describe.skip;

function uuid(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

function points(n: number, dim: number, seed: number): Point[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: uuid(i),
    vector: Float32Array.from({ length: dim }, () => rng.gaussian()),
    payload: { group: i % 10 === 0 ? 'rare' : 'common' },
  }));
}

maybe('HnswBackend', () => {
  const lib = hnsw.ok ? hnsw.lib : (undefined as never);

  it('answers queries through the graph like the exact backend on a small collection, Euclid scores ascending', async () => {
    const exact = new LocalBackend();
    const approx = new HnswBackend(new LocalBackend(), lib);
    const spec = { name: 'c', dimension: 8, distance: 'Euclid' as const, keywordFields: ['group'] };
    await exact.createCollection(spec);
    await approx.createCollection(spec);
    const pts = points(300, 8, 1);
    await exact.upsert('c', pts);
    await approx.upsert('c', pts);
    const q = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i));
    const a = await approx.query('c', { vector: q, limit: 10, withVector: true });
    const e = await exact.query('c', { vector: q, limit: 10 });
    expect(a.map((p) => p.id)).toEqual(e.map((p) => p.id));
    for (let i = 0; i < 10; i++) expect(a[i]!.score).toBeCloseTo(e[i]!.score, 4);
    expect(a[0]!.vector).toBeInstanceOf(Float32Array);
    expect(approx.stats.graph).toBe(1);
  });

  it('scans small filtered sets exactly and searches large ones through the graph, honouring the filter either way', async () => {
    const small = new HnswBackend(new LocalBackend(), lib);
    const graphOnly = new HnswBackend(new LocalBackend(), lib, { fullScanBytes: 0 });
    const pts = points(400, 8, 2);
    const filter = { must: [{ key: 'group', match: { value: 'rare' } }] };
    for (const b of [small, graphOnly]) {
      await b.createCollection({ name: 'c', dimension: 8, distance: 'Euclid', keywordFields: ['group'] });
      await b.upsert('c', pts);
      const res = await b.query('c', { vector: pts[5]!.vector, limit: 5, filter });
      expect(res).toHaveLength(5);
      for (const p of res) expect(p.payload.group).toBe('rare');
    }
    expect(small.stats).toEqual({ graph: 0, exact: 1 });
    expect(graphOnly.stats).toEqual({ graph: 1, exact: 0 });
  });

  it('forgets deleted points and rejects a Dot collection', async () => {
    const b = new HnswBackend(new LocalBackend(), lib);
    await b.createCollection({ name: 'c', dimension: 8, distance: 'Euclid' });
    const pts = points(50, 8, 3);
    await b.upsert('c', pts);
    await b.delete('c', { ids: [pts[7]!.id] });
    const res = await b.query('c', { vector: pts[7]!.vector, limit: 3 });
    expect(res.map((p) => p.id)).not.toContain(pts[7]!.id);
    await expect(b.createCollection({ name: 'd', dimension: 8, distance: 'Dot' })).rejects.toThrow(RangeError);
  });

  it('carries SealedCollection search end to end', async () => {
    const authority = generateAuthority();
    const writer = createWriterKey(authority);
    const backend = new HnswBackend(new LocalBackend(), lib);
    const col = await SealedCollection.create(backend, { name: 's', dimension: 8, metric: 'cosine', keyset: VectorKeyset.create(), writer });
    const rng = createRng(4);
    const recs = Array.from({ length: 200 }, (_, i) => ({ id: `r${i}`, vector: Float32Array.from({ length: 8 }, () => rng.gaussian()), policy: {} }));
    await col.upsert(recs, { writer });
    const user = issueUserKey(authority, { role: ['x'] });
    const res = await col.search(recs[3]!.vector, { userKey: user, k: 1, oversample: 10 });
    expect(res.hits[0]!.id).toBe('r3');
    expect(backend.stats.graph + backend.stats.exact).toBeGreaterThan(0);
  });
});

describe('loadHnsw', () => {
  it('can be turned off and then says why', () => {
    const off = loadHnsw({ SEALVEC_BENCH_HNSW: '0' });
    expect(off.ok).toBe(false);
    expect(off.ok ? '' : off.reason).toMatch(/SEALVEC_BENCH_HNSW=0/);
  });
});
