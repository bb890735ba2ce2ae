import { LocalBackend } from '@sealvec/qdrant';
import { describe, expect, it } from 'vitest';
import { CannedBackend, wireBytes } from './search/canned-backend.js';
import { costAt, fitCosts, measureSearch, parseSearchArgs, percentile, type SearchRow } from './search-bench.js';

function uuid(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

describe('CannedBackend', () => {
  it('returns the first `limit` points instantly, honours selectors and prices exactly what it returns', async () => {
    const b = new CannedBackend(new LocalBackend());
    await b.createCollection({ name: 'c', dimension: 4, distance: 'Euclid' });
    const pts = Array.from({ length: 5 }, (_, i) => ({ id: uuid(i), vector: Float32Array.of(i, 0, 0, 0), payload: { a: 'x'.repeat(i), b: { n: i, s: 'é' } } }));
    await b.upsert('c', pts);
    b.take();
    const res = await b.query('c', { vector: new Float32Array(4), limit: 3, withVector: true, withPayload: ['b'] });
    expect(res.map((p) => p.id)).toEqual(pts.slice(0, 3).map((p) => p.id));
    expect(res[0]!.payload).toEqual({ b: { n: 0, s: 'é' } });
    const t = b.take();
    expect(t.calls).toBe(1);
    expect(t.points).toBe(3);
    expect(t.bytes).toBe(res.reduce((s, p) => s + wireBytes(p.payload, p.vector), 0));
    const got = await b.retrieve('c', [pts[4]!.id, pts[4]!.id, uuid(99)], { withPayload: true });
    expect(got).toHaveLength(1);
    expect(b.take().bytes).toBe(wireBytes(pts[4]!.payload, undefined));
    await b.retrieve('c', [pts[1]!.id], { withPayload: false });
    expect(b.take().bytes).toBe(2);
    await expect(b.query('nope', { vector: new Float32Array(4), limit: 1 })).rejects.toThrow(RangeError);
  });
});

describe('search bench', () => {
  it('measures SealedCollection.search on the canned backend at every (d, candidates)', async () => {
    const rows = await measureSearch({ dims: [16], candidates: [20, 40], queries: 4, warmup: 1, seed: 1 });
    expect(rows.map((r) => [r.dimension, r.candidates, r.oversample, r.queries])).toEqual([
      [16, 20, 2, 4],
      [16, 40, 4, 4],
    ]);
    for (const r of rows) {
      expect(r.p50ms).toBeGreaterThan(0);
      expect(r.p99ms).toBeGreaterThanOrEqual(r.p50ms);
      expect(r.opened).toBe(r.candidates);
      // Every candidate carries at least its 1 KB payload or its vector.
      expect(r.bytesPerCandidate).toBeGreaterThan(16 * 4);
    }
  });

  it('fits cost per candidate and prices a depth from the fit', () => {
    const row = (candidates: number, p50ms: number): SearchRow => ({ dimension: 1536, candidates, oversample: candidates / 10, queries: 1, p50ms, p99ms: p50ms, meanMs: p50ms, backendP50ms: 0, bytesPerCandidate: 1, backendCallsPerQuery: 1, opened: candidates });
    const fits = fitCosts([row(100, 12), row(1000, 102)]);
    expect(fits[0]!.msPerCandidate).toBeCloseTo(0.1, 12);
    expect(fits[0]!.interceptMs).toBeCloseTo(2, 12);
    expect(costAt(fits, 1536, 400)).toBeCloseTo(42, 10);
    expect(costAt(fits, 768, 400)).toBeUndefined();
    // A negative fixed cost (noise) is refitted through the origin.
    const noisy = fitCosts([row(100, 5), row(1000, 200)]);
    expect(noisy[0]!.interceptMs).toBe(0);
    expect(noisy[0]!.msPerCandidate).toBeCloseTo((100 * 5 + 1000 * 200) / (100 * 100 + 1000 * 1000), 12);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });

  it('parses its options and rejects bad ones', () => {
    expect(parseSearchArgs(['--quick']).quick).toBe(true);
    expect(parseSearchArgs(['--dims', '384,1536', '--candidates', '40', '--queries', '9', '--out', 'x']).options).toMatchObject({ dims: [384, 1536], candidates: [40], queries: 9 });
    expect(() => parseSearchArgs(['--dims', 'a'])).toThrow(RangeError);
    expect(() => parseSearchArgs(['--dims'])).toThrow(/needs a value/);
    expect(() => parseSearchArgs(['--bogus'])).toThrow(/unknown option/);
  });
});
