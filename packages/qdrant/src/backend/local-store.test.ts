import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter } from './filter.js';
import { LocalCollection } from './local-store.js';
import type { Distance, Point } from './types.js';
import { points as makePoints, refTopK, rng, uuid, vector } from './__tests__/fixtures.js';

const runs = process.env['SLOW'] ? 500 : 60;

function collection(distance: Distance, dimension: number, options: { forceJs?: boolean; blockFloats?: number } = {}) {
  return new LocalCollection({ dimension, distance }, options);
}

function fillBoth(distance: Distance, pts: Point[], blockFloats: number) {
  const simd = collection(distance, pts[0]?.vector.length ?? 1, { blockFloats });
  const js = collection(distance, pts[0]?.vector.length ?? 1, { blockFloats, forceJs: true });
  for (const p of pts) {
    simd.upsert(p.id, p.vector, p.payload);
    js.upsert(p.id, p.vector, p.payload);
  }
  return { simd, js };
}

describe('LocalCollection search', () => {
  it('equals the plain float64 kernel and a brute-force reference, across blocks and deletes (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          n: fc.integer({ min: 1, max: 60 }),
          d: fc.integer({ min: 1, max: 19 }),
          k: fc.integer({ min: 1, max: 70 }),
          distance: fc.constantFrom<Distance>('Euclid', 'Dot'),
          blockFloats: fc.constantFrom(1, 16, 64, 1 << 20),
          deletes: fc.integer({ min: 0, max: 20 }),
          filtered: fc.boolean(),
          dupes: fc.boolean(),
        }),
        ({ seed, n, d, k, distance, blockFloats, deletes, filtered, dupes }) => {
          const r = rng(seed);
          const pts = makePoints(r, n, d, (i) => ({ even: i % 2 === 0 }));
          if (dupes && n > 2) pts[1] = { ...pts[1]!, vector: pts[0]!.vector }; // an exact tie, broken by id
          const { simd, js } = fillBoth(distance, pts, blockFloats);
          let live = pts;
          for (let i = 0; i < deletes && live.length > 0; i++) {
            const victim = live[Math.floor(r() * live.length)]!;
            expect(simd.delete(victim.id)).toBe(true);
            js.delete(victim.id);
            live = live.filter((p) => p.id !== victim.id);
          }
          const q = vector(r, d);
          const pred = filtered ? compileFilter({ must: [{ key: 'even', match: { value: true } }] }) : undefined;
          const got = simd.search(q, k, pred, false);
          expect(got).toEqual(js.search(q, k, pred, false));
          const pool = filtered ? live.filter((p) => p.payload['even'] === true) : live;
          const ref = refTopK(distance, pool, q, k);
          expect(got.map((g) => g.id)).toEqual(ref.map((x) => x.id));
          got.forEach((g, i) => expect(Math.abs(g.score - ref[i]!.score)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref[i]!.score))));
        },
      ),
      { numRuns: runs },
    );
  });

  it('stays exact when float32 screening cannot tell candidates apart (near-ties, large norms)', () => {
    for (const distance of ['Euclid', 'Dot'] as const) {
      const r = rng(distance === 'Euclid' ? 7 : 8);
      const d = 48;
      const base = vector(r, d).map((x) => x * 1000);
      // 300 points within a few float32 ulps of each other, plus far-away points with huge norms
      const pts: Point[] = [];
      for (let i = 0; i < 300; i++) {
        const v = Float32Array.from(base);
        const j = Math.floor(r() * d);
        v[j] = Math.fround((v[j] as number) * (1 + (r() - 0.5) * 4e-7));
        pts.push({ id: uuid(r), vector: v, payload: {} });
      }
      for (let i = 0; i < 50; i++) pts.push({ id: uuid(r), vector: vector(r, d).map((x) => x * 1e15), payload: {} });
      const { simd, js } = fillBoth(distance, pts, 1 << 12);
      for (const k of [1, 5, 40]) {
        const q = Float32Array.from(base, (x) => x + (r() - 0.5) * 1e-3);
        const got = simd.search(q, k, undefined, false);
        expect(got).toEqual(js.search(q, k, undefined, false));
        expect(got.map((g) => g.id)).toEqual(refTopK(distance, pts, q, k).map((x) => x.id));
      }
    }
  });

  it('scores Euclid as the distance and Dot as the product, and returns vectors on request', () => {
    const c = collection('Euclid', 2);
    const [a, b] = [uuid(rng(1)), uuid(rng(2))];
    c.upsert(a, Float32Array.of(0, 0), { n: 1 });
    c.upsert(b, Float32Array.of(3, 4), { n: 2 });
    expect(c.search(Float32Array.of(0, 0), 5, undefined, true)).toEqual([
      { id: a, score: 0, payload: { n: 1 }, vector: Float32Array.of(0, 0) },
      { id: b, score: 5, payload: { n: 2 }, vector: Float32Array.of(3, 4) },
    ]);
    expect(collection('Dot', 2).search(Float32Array.of(1, 1), 3, undefined, false)).toEqual([]);
  });

  it('copies vectors in and out; payloads are kept by reference (LocalBackend copies them)', () => {
    const c = collection('Dot', 2);
    const id = uuid(rng(3));
    const v = Float32Array.of(1, 2);
    const payload = { list: [1] };
    c.upsert(id, v, payload);
    v[0] = 99;
    const got = c.get(id, true)!;
    got.vector![1] = 77;
    expect(c.get(id, true)).toEqual({ id, vector: Float32Array.of(1, 2), payload: { list: [1] } });
    expect(c.get(id, false)!.payload).toBe(payload);
  });
});

describe('LocalCollection storage', () => {
  it('upsert, delete and setPayload keep every remaining point intact across blocks (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.constantFrom('add', 'del', 'set', 'replace'), { maxLength: 80 }), (seed, ops) => {
        const r = rng(seed);
        const d = 3;
        const c = collection('Euclid', d, { blockFloats: 8 });
        const model = new Map<string, Point>();
        for (const op of ops) {
          const ids = [...model.keys()];
          const pick = ids[Math.floor(r() * ids.length)];
          if (op === 'add' || pick === undefined) {
            const p = { id: uuid(r), vector: vector(r, d), payload: { v: r() } };
            c.upsert(p.id, p.vector, p.payload);
            model.set(p.id, p);
          } else if (op === 'del') {
            expect(c.delete(pick)).toBe(true);
            expect(c.delete(pick)).toBe(false);
            model.delete(pick);
          } else if (op === 'set') {
            expect(c.setPayload(pick, { extra: 1 })).toBe(true);
            const p = model.get(pick)!;
            model.set(pick, { ...p, payload: { ...p.payload, extra: 1 } });
          } else {
            const p = { id: pick, vector: vector(r, d), payload: { replaced: true } };
            c.upsert(p.id, p.vector, p.payload);
            model.set(pick, p);
          }
        }
        expect(c.size).toBe(model.size);
        for (const p of model.values()) expect(c.get(p.id, true)).toEqual(p);
        expect(c.count(undefined)).toBe(model.size);
        expect(c.setPayload(uuid(r), {})).toBe(false);
      }),
      { numRuns: runs },
    );
  });

  it('scroll walks ids in ascending order from any offset; next is the first id after the page (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 9 }), (seed, n, limit) => {
        const r = rng(seed);
        const c = collection('Dot', 2);
        const pts = makePoints(r, n, 2, (i) => ({ odd: i % 2 === 1 }));
        for (const p of pts) c.upsert(p.id, p.vector, p.payload);
        const sorted = pts.map((p) => p.id).sort();
        const offset = r() < 0.5 ? undefined : uuid(r);
        const start = offset === undefined ? 0 : sorted.findIndex((id) => id >= offset);
        const rest = start < 0 ? [] : sorted.slice(start);
        const page = c.scroll(limit, offset, undefined, false);
        expect(page.points.map((p) => p.id)).toEqual(rest.slice(0, limit));
        expect(page.next).toBe(rest[limit] ?? null);
        // filtered: the same over the matching subset
        const pred = compileFilter({ must: [{ key: 'odd', match: { value: true } }] });
        const odd = new Set(pts.filter((p) => p.payload['odd'] === true).map((p) => p.id));
        const restOdd = rest.filter((id) => odd.has(id));
        const fpage = c.scroll(limit, offset, pred, false);
        expect(fpage.points.map((p) => p.id)).toEqual(restOdd.slice(0, limit));
        expect(fpage.next).toBe(restOdd[limit] ?? null);
      }),
      { numRuns: runs },
    );
  });

  it('matching and count follow the predicate', () => {
    const c = collection('Dot', 1);
    const pts = makePoints(rng(5), 10, 1, (i) => ({ g: i % 3 }));
    for (const p of pts) c.upsert(p.id, p.vector, p.payload);
    const pred = compileFilter({ must: [{ key: 'g', match: { value: 0 } }] });
    expect(c.count(pred)).toBe(4);
    expect(new Set(c.matching(pred))).toEqual(new Set([0, 3, 6, 9].map((i) => pts[i]!.id)));
    expect(c.matching(undefined)).toHaveLength(10);
  });
});
