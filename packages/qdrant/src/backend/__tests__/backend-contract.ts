/**
 * The one contract every Backend must meet. `contract.test.ts` runs it against LocalBackend (in
 * memory and persisted), QdrantBackend over the in-process stand-in (in strict mode, with both
 * supported client versions), and a real Qdrant when QDRANT_URL is set. Every expectation here
 * is Qdrant's documented behaviour; a backend that passes behaves like Qdrant for everything
 * SealedCollection uses.
 *
 * Every field a test filters on is declared as a keyword or integer field, as SealedCollection
 * must do: a strict-mode Qdrant (`unindexed_filtering_retrieve: false`, the default of Qdrant
 * Cloud) refuses filters on unindexed fields, and the strict targets check exactly that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, CollectionSpec, Distance, Filter, Point, ScoredPoint } from '../types.js';
import { points as makePoints, refScore, rng, sortedIds, uuid, vector } from './fixtures.js';

/** Behaviour a backend does not have yet; its tests are skipped for it with the printed reason. */
export type Feature = 'payload-selectors' | 'null-removes-key';

export interface ContractTarget {
  /** Opens the backend; called again after `close` when `persistent` (same storage). */
  open(): Promise<Backend>;
  /** The store refuses filters on unindexed fields (Qdrant strict mode), with a coded 400. */
  strict?: boolean;
  /** Features not implemented yet, each with why (printed when their tests are skipped). */
  lacks?: Partial<Record<Feature, string>>;
  /** Data must survive close + open. */
  persistent?: boolean;
  /** Allowed score error, relative to max(1, |score|): ~0 for exact float64 backends. */
  scoreTolerance: number;
  /** Called once after the suite (stop servers, remove temp dirs). */
  cleanup?(): Promise<void>;
}

const RUN = Math.floor(Math.random() * 0xffffffff).toString(16);

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

/**
 * Exactness with a tolerance: every returned score equals the reference score of that point,
 * results are ordered best first, and every point clearly better than the worst returned one
 * was returned.
 */
function expectExactTopK(
  got: ScoredPoint[],
  all: readonly Point[],
  q: Float32Array,
  distance: Distance,
  k: number,
  tol: number,
  candidates: (p: Point) => boolean = () => true,
): void {
  const pool = all.filter(candidates);
  expect(got.length).toBe(Math.min(k, pool.length));
  const byId = new Map(pool.map((p) => [p.id, p]));
  const better = (a: number, b: number) => (distance === 'Euclid' ? a < b : a > b);
  const slack = (s: number) => tol * Math.max(1, Math.abs(s));
  got.forEach((g, i) => {
    const p = byId.get(g.id);
    expect(p, `result ${g.id} is a candidate`).toBeDefined();
    const ref = refScore(distance, (p as Point).vector, q);
    expect(Math.abs(g.score - ref)).toBeLessThanOrEqual(slack(ref));
    if (i > 0) expect(better(g.score, (got[i - 1] as ScoredPoint).score) && Math.abs(g.score - (got[i - 1] as ScoredPoint).score) > slack(g.score)).toBe(false);
  });
  if (got.length === 0) return;
  const worst = (got[got.length - 1] as ScoredPoint).score;
  const returned = new Set(got.map((g) => g.id));
  for (const p of pool) {
    const s = refScore(distance, p.vector, q);
    if (better(s, worst) && Math.abs(s - worst) > slack(worst)) expect(returned.has(p.id), `${p.id} (score ${s}) missing`).toBe(true);
  }
}

export function backendContract(label: string, target: ContractTarget): void {
  describe(`Backend contract: ${label}`, () => {
    let b: Backend;
    const created = new Set<string>();
    let n = 0;
    const tol = target.scoreTolerance;

    const fresh = async (dimension: number, distance: Distance, extra: Omit<CollectionSpec, 'name' | 'dimension' | 'distance'> = {}) => {
      const name = `sv_contract_${RUN}_${++n}`;
      await b.createCollection({ name, dimension, distance, ...extra });
      created.add(name);
      return name;
    };

    /** `it`, or `it.skip` with the reason printed when the target lacks `feature`. */
    const itHas = (feature: Feature) => {
      const why = target.lacks?.[feature];
      if (why === undefined) return it;
      console.log(`skipping ${feature} contract tests for ${label}: ${why}`);
      return it.skip;
    };

    /** Skips (saying why) a test of an optional Backend method the target does not implement. */
    const optional = <F>(ctx: { skip(): never }, method: F | undefined, what: string): F => {
      if (method !== undefined) return method;
      console.log(`skipping the ${what} contract test for ${label}: optional in the Backend interface and not implemented`);
      return ctx.skip();
    };

    beforeAll(async () => {
      b = await target.open();
    });

    afterAll(async () => {
      try {
        for (const name of created) await b.deleteCollection(name).catch(() => undefined);
        await b.close();
      } finally {
        await target.cleanup?.();
      }
    });

    describe('collections', () => {
      it('creates a collection and describes its shape and metadata', async () => {
        const metadata = { scheme: 'sealvec', version: 1, nested: { beta: 0.5, list: [1, 'two'] } };
        const name = await fresh(12, 'Dot', { metadata, tenantField: 'tenant', keywordFields: ['tok', 'tenant'] });
        expect(await b.describe(name)).toEqual({ name, dimension: 12, distance: 'Dot', metadata });
      });

      it('describes a collection without metadata with an empty object', async () => {
        const name = await fresh(3, 'Euclid');
        expect(await b.describe(name)).toEqual({ name, dimension: 3, distance: 'Euclid', metadata: {} });
      });

      it('describe of an unknown collection is null', async () => {
        expect(await b.describe(`sv_contract_${RUN}_missing`)).toBeNull();
      });

      it('refuses to create a collection twice with a coded Conflict', async () => {
        const name = await fresh(4, 'Euclid');
        await expectCode(b.createCollection({ name, dimension: 4, distance: 'Euclid' }), 'ERR_CONFLICT');
        await expectCode(b.createCollection({ name, dimension: 8, distance: 'Dot' }), 'ERR_CONFLICT');
      });

      it('deletes a collection; deleting an unknown one is a no-op', async () => {
        const name = await fresh(4, 'Euclid');
        await b.deleteCollection(name);
        expect(await b.describe(name)).toBeNull();
        await b.deleteCollection(name);
        // the name is free again
        await b.createCollection({ name, dimension: 2, distance: 'Dot' });
        expect((await b.describe(name))?.dimension).toBe(2);
      });

      it('collection metadata never shows up as a point', async () => {
        const name = await fresh(4, 'Euclid', { metadata: { scheme: 'x' } });
        expect(await b.count(name)).toBe(0);
        expect((await b.scroll(name, { limit: 10 })).points).toEqual([]);
        expect(await b.query(name, { vector: new Float32Array(4), limit: 10 })).toEqual([]);
      });

      it('rejects bad specs before touching storage', async () => {
        const name = `sv_contract_${RUN}_bad`;
        await expect(b.createCollection({ name, dimension: 0, distance: 'Dot' })).rejects.toThrow(RangeError);
        await expect(b.createCollection({ name, dimension: 1.5, distance: 'Dot' })).rejects.toThrow(TypeError);
        await expect(b.createCollection({ name, dimension: 4, distance: 'Cosine' as Distance })).rejects.toThrow(TypeError);
        await expect(b.createCollection({ name: 'a/b', dimension: 4, distance: 'Dot' })).rejects.toThrow(RangeError);
        await expect(b.createCollection({ name: '', dimension: 4, distance: 'Dot' })).rejects.toThrow(RangeError);
        await expect(b.createCollection({ name, dimension: 4, distance: 'Dot', metadata: [] as unknown as Record<string, unknown> })).rejects.toThrow(TypeError);
        await expectCode(
          b.createCollection({ name, dimension: 4, distance: 'Dot', metadata: { big: 'x'.repeat(70_000) } }),
          'ERR_INPUT_TOO_LARGE',
        );
        expect(await b.describe(name)).toBeNull();
      });
    });

    describe('points', () => {
      it('upserts, counts and retrieves points with float32 vectors and JSON payloads', async () => {
        const name = await fresh(5, 'Euclid');
        const r = rng(1);
        const pts = makePoints(r, 20, 5, (i) => ({ i, tag: `t${i % 3}`, list: [i, 'x'], obj: { deep: i % 2 === 0 } }));
        const res = await b.upsert(name, pts);
        expect(res.failed).toEqual([]);
        expect(res.stored).toEqual(pts.map((p) => p.id));
        expect(await b.count(name)).toBe(20);
        const want = [pts[7], pts[2], pts[15]] as Point[];
        const got = await b.retrieve(name, [want[0]!.id, uuid(r), want[1]!.id, want[0]!.id, want[2]!.id], { withVector: true });
        expect(got.map((p) => p.id)).toEqual(want.map((p) => p.id));
        got.forEach((p, i) => {
          expect(p.vector).toEqual(want[i]!.vector);
          expect(p.payload).toEqual(want[i]!.payload);
        });
        const noVec = await b.retrieve(name, [want[0]!.id]);
        expect(noVec[0]?.payload).toEqual(want[0]!.payload);
        expect(await b.retrieve(name, [])).toEqual([]);
      });

      it('stores exactly the float32 value of every coordinate', async () => {
        const name = await fresh(6, 'Dot');
        const v = Float32Array.of(0.1, -1 / 3, 1e-30, 3.4e38, -0, 2 ** -149);
        const id = uuid(rng(2));
        await b.upsert(name, [{ id, vector: v, payload: {} }]);
        const [p] = await b.retrieve(name, [id], { withVector: true });
        expect(Array.from(p!.vector).map((x) => x + 0)).toEqual(Array.from(v).map((x) => x + 0));
      });

      it('upsert replaces by id and re-running it is idempotent', async () => {
        const name = await fresh(3, 'Euclid');
        const r = rng(3);
        const pts = makePoints(r, 10, 3);
        await b.upsert(name, pts);
        await b.upsert(name, pts);
        expect(await b.count(name)).toBe(10);
        const changed = { ...pts[4]!, vector: Float32Array.of(9, 9, 9), payload: { replaced: true } };
        const res = await b.upsert(name, [changed]);
        expect(res).toEqual({ stored: [changed.id], failed: [] });
        const [got] = await b.retrieve(name, [changed.id], { withVector: true });
        expect(got).toEqual({ id: changed.id, vector: Float32Array.of(9, 9, 9), payload: { replaced: true } });
        expect(await b.count(name)).toBe(10);
      });

      it('a repeated id in one upsert: the last occurrence wins and is reported once', async () => {
        const name = await fresh(2, 'Euclid');
        const id = uuid(rng(4));
        const res = await b.upsert(name, [
          { id, vector: Float32Array.of(1, 1), payload: { v: 1 } },
          { id, vector: Float32Array.of(2, 2), payload: { v: 2 } },
        ]);
        expect(res).toEqual({ stored: [id], failed: [] });
        expect((await b.retrieve(name, [id]))[0]?.payload).toEqual({ v: 2 });
      });

      it('reports points of the wrong dimension or with NaN as coded failures and stores the rest', async () => {
        const name = await fresh(4, 'Euclid');
        const r = rng(5);
        const good = makePoints(r, 5, 4);
        const short = { id: uuid(r), vector: vector(r, 3), payload: {} };
        const nan = { id: uuid(r), vector: Float32Array.of(1, NaN, 0, 0), payload: {} };
        const inf = { id: uuid(r), vector: Float32Array.of(1, 0, Infinity, 0), payload: {} };
        const progress: [number, number][] = [];
        const res = await b.upsert(name, [good[0]!, short, good[1]!, nan, ...good.slice(2), inf], {
          onProgress: (s, t) => progress.push([s, t]),
        });
        expect(res.stored).toEqual(good.map((p) => p.id));
        expect(res.failed.map((f) => [f.id, (f.error as { code?: string }).code])).toEqual([
          [short.id, 'ERR_DIMENSION_MISMATCH'],
          [nan.id, 'ERR_INVALID_VECTOR'],
          [inf.id, 'ERR_INVALID_VECTOR'],
        ]);
        expect(await b.count(name)).toBe(5);
        expect(progress.at(-1)).toEqual([5, 8]);
      });

      it('rejects malformed points as programmer errors before storing anything', async () => {
        const name = await fresh(2, 'Euclid');
        const id = uuid(rng(6));
        const v = Float32Array.of(1, 2);
        await expect(b.upsert(name, [{ id: 'not-a-uuid', vector: v, payload: {} }])).rejects.toThrow(TypeError);
        await expect(b.upsert(name, [{ id: id.toUpperCase(), vector: v, payload: {} }])).rejects.toThrow(TypeError);
        await expect(b.upsert(name, [{ id, vector: [1, 2] as unknown as Float32Array, payload: {} }])).rejects.toThrow(TypeError);
        await expect(b.upsert(name, [{ id, vector: v, payload: null as unknown as Record<string, unknown> }])).rejects.toThrow(TypeError);
        await expect(b.upsert(name, [{ id, vector: v, payload: { n: 1n } }])).rejects.toThrow(TypeError);
        await expect(b.upsert(name, {} as unknown as Point[])).rejects.toThrow(TypeError);
        await expect(b.upsert(name, [{ id, vector: v, payload: {} }], { batchSize: 0 })).rejects.toThrow(RangeError);
        expect(await b.count(name)).toBe(0);
      });

      it('an empty upsert stores nothing and fails nothing', async () => {
        const name = await fresh(2, 'Euclid');
        expect(await b.upsert(name, [])).toEqual({ stored: [], failed: [] });
      });
    });

    describe('query', () => {
      for (const distance of ['Euclid', 'Dot'] as const) {
        it(`${distance}: exact top-k, best first, with float64 scores (d=37, n=400)`, async () => {
          const name = await fresh(37, distance);
          const r = rng(distance === 'Euclid' ? 10 : 11);
          const pts = makePoints(r, 400, 37);
          await b.upsert(name, pts, { batchSize: 64 });
          for (let t = 0; t < 5; t++) {
            const q = vector(r, 37);
            const got = await b.query(name, { vector: q, limit: 10 });
            expectExactTopK(got, pts, q, distance, 10, tol);
            if (distance === 'Euclid') expect(got.every((g, i) => i === 0 || g.score >= got[i - 1]!.score)).toBe(true);
            else expect(got.every((g, i) => i === 0 || g.score <= got[i - 1]!.score)).toBe(true);
          }
        });
      }

      it('Euclid score is the distance itself (0 for the stored vector)', async () => {
        const name = await fresh(2, 'Euclid');
        const r = rng(12);
        const [a, c] = [uuid(r), uuid(r)];
        await b.upsert(name, [
          { id: a, vector: Float32Array.of(0, 0), payload: {} },
          { id: c, vector: Float32Array.of(3, 4), payload: {} },
        ]);
        const got = await b.query(name, { vector: Float32Array.of(0, 0), limit: 2 });
        expect(got.map((g) => g.id)).toEqual([a, c]);
        expect(got[0]!.score).toBeCloseTo(0, 6);
        expect(got[1]!.score).toBeCloseTo(5, 5);
      });

      it('Dot score is the inner product, highest first (negative scores too)', async () => {
        const name = await fresh(2, 'Dot');
        const r = rng(13);
        const [a, c, e] = [uuid(r), uuid(r), uuid(r)];
        await b.upsert(name, [
          { id: a, vector: Float32Array.of(1, 2), payload: {} },
          { id: c, vector: Float32Array.of(-3, 0), payload: {} },
          { id: e, vector: Float32Array.of(2, 2), payload: {} },
        ]);
        const got = await b.query(name, { vector: Float32Array.of(1, 1), limit: 3 });
        expect(got.map((g) => [g.id, Math.round(g.score * 1e5) / 1e5])).toEqual([
          [e, 4],
          [a, 3],
          [c, -3],
        ]);
      });

      it('returns payloads, vectors on request, and everything when limit exceeds the count', async () => {
        const name = await fresh(3, 'Euclid');
        const pts = makePoints(rng(14), 4, 3, (i) => ({ i }));
        await b.upsert(name, pts);
        const got = await b.query(name, { vector: pts[0]!.vector, limit: 100, withVector: true });
        expect(got).toHaveLength(4);
        expect(got[0]!.id).toBe(pts[0]!.id);
        for (const g of got) {
          const p = pts.find((x) => x.id === g.id)!;
          expect(g.payload).toEqual(p.payload);
          expect(g.vector).toEqual(p.vector);
        }
        const plain = await b.query(name, { vector: pts[0]!.vector, limit: 1 });
        expect(plain[0]!.vector).toBeUndefined();
      });

      it('wrong query dimension or NaN is a coded error; bad requests are programmer errors', async () => {
        const name = await fresh(4, 'Dot');
        await b.upsert(name, makePoints(rng(15), 3, 4));
        await expectCode(b.query(name, { vector: new Float32Array(5), limit: 1 }), 'ERR_DIMENSION_MISMATCH');
        await expectCode(b.query(name, { vector: Float32Array.of(0, NaN, 0, 0), limit: 1 }), 'ERR_INVALID_VECTOR');
        await expect(b.query(name, { vector: new Float32Array(4), limit: 0 })).rejects.toThrow(RangeError);
        await expect(b.query(name, { vector: [0, 0, 0, 0] as unknown as Float32Array, limit: 1 })).rejects.toThrow(TypeError);
        await expect(
          b.query(name, { vector: new Float32Array(4), limit: 1, filter: { must: [{ key: 'x', match: { value: 1.5 } }] } }),
        ).rejects.toThrow(TypeError);
      });
    });

    describe('filters', () => {
      let name: string;
      let pts: Point[];
      const r = rng(20);
      const payloads = [
        { tenant: 'a', tags: ['red', 'blue'], n: 1, flag: true, meta: { kind: 'doc' } },
        { tenant: 'a', tags: ['green'], n: 2, flag: false, meta: { kind: 'img' } },
        { tenant: 'b', tags: ['red'], n: 3, flag: true, meta: { kind: 'doc' } },
        { tenant: 'b', tags: [], n: 4 },
        { tenant: 'c', tags: 'red', n: 5.5, flag: true },
        { tenant: 'c', n: '6', meta: { kind: ['doc', 'img'] } },
        { other: true, n: null },
      ];
      const ids = (f: Filter) => b.scroll(name, { limit: 100, filter: f }).then((p) => sortedIds(p.points.map((x) => x.id)));
      const expectIds = async (f: Filter, which: number[]) => {
        const want = sortedIds(which.map((i) => pts[i]!.id));
        expect(await ids(f)).toEqual(want);
        expect(await b.count(name, f)).toBe(which.length);
        const q = await b.query(name, { vector: new Float32Array(4), limit: 100, filter: f });
        expect(sortedIds(q.map((x) => x.id))).toEqual(want);
      };

      beforeAll(async () => {
        name = await fresh(4, 'Euclid', { tenantField: 'tenant', keywordFields: ['tags', 'meta.kind'], integerFields: ['n'] });
        pts = payloads.map((payload) => ({ id: uuid(r), vector: vector(r, 4), payload }));
        await b.upsert(name, pts);
      });

      /**
       * `flag` is a boolean and has no index (CollectionSpec has no boolean fields): a strict
       * store refuses it with Qdrant's message (lib/collection/src/operations/verification/mod.rs).
       */
      const expectIdsUnindexed = async (f: Filter, which: number[]) => {
        if (!target.strict) return expectIds(f, which);
        const refused = { code: 'ERR_BACKEND', status: 400, detail: expect.stringMatching(/Index required but not found for "flag" of one of the following types: \[bool\]/) };
        await expect(b.count(name, f)).rejects.toMatchObject(refused);
        await expect(b.scroll(name, { limit: 100, filter: f })).rejects.toMatchObject(refused);
        await expect(b.query(name, { vector: new Float32Array(4), limit: 100, filter: f })).rejects.toMatchObject(refused);
      };

      it('match.value on a string, an integer and a boolean; never across types', async () => {
        await expectIds({ must: [{ key: 'tenant', match: { value: 'a' } }] }, [0, 1]);
        await expectIds({ must: [{ key: 'n', match: { value: 3 } }] }, [2]);
        await expectIds({ must: [{ key: 'n', match: { value: 6 } }] }, []); // "6" is a string
        await expectIdsUnindexed({ must: [{ key: 'flag', match: { value: true } }] }, [0, 2, 4]);
        await expectIdsUnindexed({ must: [{ key: 'flag', match: { value: false } }] }, [1]);
      });

      it('a condition on an array field matches if any element matches', async () => {
        await expectIds({ must: [{ key: 'tags', match: { value: 'red' } }] }, [0, 2, 4]);
        await expectIds({ must: [{ key: 'tags', match: { value: 'blue' } }] }, [0]);
        await expectIds({ must: [{ key: 'meta.kind', match: { value: 'img' } }] }, [1, 5]);
      });

      it('match.any and match.except', async () => {
        await expectIds({ must: [{ key: 'tags', match: { any: ['blue', 'green'] } }] }, [0, 1]);
        await expectIds({ must: [{ key: 'n', match: { any: [1, 4, 6] } }] }, [0, 3]);
        await expectIds({ must: [{ key: 'tags', match: { any: [] } }] }, []);
        // except: a point passes when some value is outside the list; no value (missing key,
        // empty array, null) never passes
        await expectIds({ must: [{ key: 'tags', match: { except: ['red'] } }] }, [0, 1]);
        await expectIds({ must: [{ key: 'tenant', match: { except: ['a', 'b'] } }] }, [4, 5]);
        await expectIds({ must: [{ key: 'n', match: { except: [1, 2] } }] }, [2, 3, 4, 5]);
      });

      it('must, should and must_not; an empty should matches nothing, an empty must everything', async () => {
        await expectIds(
          {
            must: [{ key: 'tags', match: { value: 'red' } }],
            must_not: [{ key: 'tenant', match: { value: 'c' } }],
          },
          [0, 2],
        );
        await expectIds(
          {
            should: [
              { key: 'n', match: { value: 2 } },
              { key: 'tenant', match: { value: 'c' } },
            ],
          },
          [1, 4, 5],
        );
        await expectIdsUnindexed({ must_not: [{ key: 'flag', match: { value: true } }] }, [1, 3, 5, 6]);
        await expectIds({ should: [] }, []);
        await expectIds({ must: [] }, [0, 1, 2, 3, 4, 5, 6]);
        await expectIds({}, [0, 1, 2, 3, 4, 5, 6]);
      });

      it('nested filters and has_id', async () => {
        await expectIdsUnindexed(
          {
            must: [
              { should: [{ key: 'tenant', match: { value: 'a' } }, { key: 'tenant', match: { value: 'b' } }] },
              { must_not: [{ must: [{ key: 'flag', match: { value: true } }, { key: 'tags', match: { value: 'red' } }] }] },
            ],
          },
          [1, 3],
        );
        await expectIds(
          {
            must: [
              { should: [{ key: 'tenant', match: { value: 'a' } }, { key: 'tenant', match: { value: 'b' } }] },
              { must_not: [{ must: [{ key: 'n', match: { any: [1, 3] } }, { key: 'tags', match: { value: 'red' } }] }] },
            ],
          },
          [1, 3],
        );
        await expectIds({ must: [{ has_id: [pts[2]!.id, pts[5]!.id, uuid(rng(99))] }] }, [2, 5]);
        await expectIds({ must_not: [{ has_id: [pts[0]!.id] }], must: [{ key: 'tenant', match: { value: 'a' } }] }, [1]);
      });

      it('rejects malformed filters as programmer errors, the same way everywhere', async () => {
        const bad: unknown[] = [
          { must: [{ key: 'n', match: { value: 1.5 } }] },
          { must: [{ key: 'n', match: { any: ['a', 1] } }] },
          { must: [{ key: 'n', match: { any: [true] } }] },
          { must: [{ key: 'n', match: { value: 1, any: [1] } }] },
          { must: [{ key: 'n', range: { gt: 1 } }] },
          { must: [{ has_id: ['nope'] }] },
          { must: { key: 'n', match: { value: 1 } } },
          { filter: [] },
        ];
        for (const f of bad) {
          await expect(b.count(name, f as Filter), JSON.stringify(f)).rejects.toThrow(TypeError);
          await expect(b.scroll(name, { limit: 1, filter: f as Filter })).rejects.toThrow(TypeError);
        }
      });
    });

    describe('scroll, count, setPayload, delete', () => {
      it('scroll pages through every point in id order, with and without a filter', async () => {
        const name = await fresh(3, 'Euclid', { integerFields: ['parity'] });
        const pts = makePoints(rng(30), 30, 3, (i) => ({ parity: i % 2 }));
        await b.upsert(name, pts);
        const seen: string[] = [];
        let offset: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await b.scroll(name, { limit: 7, ...(offset !== undefined ? { offset } : {}) });
          pages++;
          seen.push(...page.points.map((p) => p.id));
          if (page.nextOffset === null) break;
          offset = page.nextOffset;
        }
        expect(pages).toBe(5);
        expect(seen).toEqual(sortedIds(pts.map((p) => p.id)));

        const even: string[] = [];
        offset = undefined;
        for (;;) {
          const page = await b.scroll(name, { limit: 4, filter: { must: [{ key: 'parity', match: { value: 0 } }] }, ...(offset ? { offset } : {}) });
          even.push(...page.points.map((p) => p.id));
          if (page.nextOffset === null) break;
          offset = page.nextOffset;
        }
        expect(even).toEqual(sortedIds(pts.filter((_, i) => i % 2 === 0).map((p) => p.id)));

        const withVec = await b.scroll(name, { limit: 2, withVector: true });
        for (const p of withVec.points) expect(p.vector).toEqual(pts.find((x) => x.id === p.id)!.vector);
        const exact = await b.scroll(name, { limit: 30 });
        expect(exact.points).toHaveLength(30);
        expect(exact.nextOffset).toBeNull();
        await expect(b.scroll(name, { limit: 1, offset: 'zzz' })).rejects.toThrow(TypeError);
      });

      it('setPayload overwrites the given keys only and leaves vector and other keys alone', async () => {
        const name = await fresh(2, 'Dot', { keywordFields: ['change'] });
        const pts = makePoints(rng(31), 3, 2, (i) => ({ keep: i, change: 'old', nested: { a: 1 } }));
        await b.upsert(name, pts);
        await b.setPayload(name, [
          { id: pts[0]!.id, payload: { change: 'new', added: [1, 2] } },
          { id: pts[1]!.id, payload: { nested: { b: 2 } } },
          { id: pts[0]!.id, payload: { later: true } },
        ]);
        const got = await b.retrieve(name, pts.map((p) => p.id), { withVector: true });
        expect(got[0]).toEqual({ id: pts[0]!.id, vector: pts[0]!.vector, payload: { keep: 0, change: 'new', nested: { a: 1 }, added: [1, 2], later: true } });
        expect(got[1]!.payload).toEqual({ keep: 1, change: 'old', nested: { b: 2 } });
        expect(got[2]!.payload).toEqual(pts[2]!.payload);
        expect(await b.count(name, { must: [{ key: 'change', match: { value: 'new' } }] })).toBe(1);
      });

      it('setPayload with an unknown id is NotFound and changes nothing', async () => {
        const name = await fresh(2, 'Dot');
        const pts = makePoints(rng(32), 2, 2, () => ({ v: 0 }));
        await b.upsert(name, pts);
        await expectCode(
          b.setPayload(name, [
            { id: pts[0]!.id, payload: { v: 1 } },
            { id: uuid(rng(33)), payload: { v: 1 } },
          ]),
          'ERR_NOT_FOUND',
        );
        expect((await b.retrieve(name, [pts[0]!.id]))[0]!.payload).toEqual({ v: 0 });
        await b.setPayload(name, []);
      });

      it('deletes by ids and by filter; count follows', async () => {
        const name = await fresh(2, 'Euclid', { integerFields: ['group'] });
        const pts = makePoints(rng(34), 12, 2, (i) => ({ group: i % 3 }));
        await b.upsert(name, pts);
        await b.delete(name, { ids: [pts[0]!.id, pts[1]!.id, uuid(rng(35))] });
        expect(await b.count(name)).toBe(10);
        expect(await b.retrieve(name, [pts[0]!.id])).toEqual([]);
        await b.delete(name, { filter: { must: [{ key: 'group', match: { value: 2 } }] } });
        expect(await b.count(name)).toBe(10 - 4);
        expect(await b.count(name, { must: [{ key: 'group', match: { value: 2 } }] })).toBe(0);
        await b.delete(name, { ids: [] });
        expect(await b.count(name)).toBe(6);
        await expect(b.delete(name, {} as { ids: string[] })).rejects.toThrow(TypeError);
        // what remains is still searchable and exact
        const left = pts.filter((_, i) => i > 1 && i % 3 !== 2);
        const q = Float32Array.of(0.1, 0.2);
        expectExactTopK(await b.query(name, { vector: q, limit: 3 }), left, q, 'Euclid', 3, tol);
      });

      it('every operation on an unknown collection is a coded NotFound', async () => {
        const name = `sv_contract_${RUN}_nowhere`;
        const id = uuid(rng(36));
        const v = Float32Array.of(1, 2);
        await expectCode(b.upsert(name, [{ id, vector: v, payload: {} }]), 'ERR_NOT_FOUND');
        await expectCode(b.query(name, { vector: v, limit: 1 }), 'ERR_NOT_FOUND');
        await expectCode(b.retrieve(name, [id]), 'ERR_NOT_FOUND');
        await expectCode(b.scroll(name, { limit: 1 }), 'ERR_NOT_FOUND');
        await expectCode(b.count(name), 'ERR_NOT_FOUND');
        await expectCode(b.delete(name, { ids: [id] }), 'ERR_NOT_FOUND');
        await expectCode(b.delete(name, { filter: {} }), 'ERR_NOT_FOUND');
        await expectCode(b.setPayload(name, [{ id, payload: {} }]), 'ERR_NOT_FOUND');
      });
    });

    describe('payload selectors, null in setPayload, quoted keys', () => {
      itHas('payload-selectors')('withPayload returns only the listed top-level keys; a missing key is simply absent', async () => {
        const name = await fresh(2, 'Euclid', { keywordFields: ['k'] });
        const pts = makePoints(rng(50), 3, 2, (i) => ({ k: `v${i}`, h: { deep: i }, 'a.b': i, big: 'x'.repeat(100) }));
        await b.upsert(name, pts);
        const want = (p: Point) => ({ h: p.payload['h'], 'a.b': p.payload['a.b'] });
        const got = await b.retrieve(name, [pts[0]!.id], { withPayload: ['h', 'a.b', 'missing'] });
        expect(got[0]!.payload).toEqual(want(pts[0]!));
        const page = await b.scroll(name, { limit: 10, withPayload: ['h', 'a.b'] });
        for (const p of page.points) expect(p.payload).toEqual(want(pts.find((x) => x.id === p.id)!));
        const q = await b.query(name, { vector: pts[1]!.vector, limit: 1, withPayload: ['k'] });
        expect(q[0]!.payload).toEqual({ k: 'v1' });
        expect((await b.query(name, { vector: pts[1]!.vector, limit: 1, withPayload: false }))[0]!.payload).toEqual({});
        expect((await b.retrieve(name, [pts[2]!.id], { withPayload: [] }))[0]!.payload).toEqual({});
        await expect(b.retrieve(name, [pts[2]!.id], { withPayload: ['say "hi"'] })).rejects.toThrow(RangeError);
        await expect(b.retrieve(name, [pts[2]!.id], { withPayload: 'k' as unknown as string[] })).rejects.toThrow(TypeError);
      });

      itHas('null-removes-key')('setPayload with a null value removes the key (Qdrant lib/segment/src/common/utils.rs merge_map)', async () => {
        const name = await fresh(2, 'Dot');
        const [p] = makePoints(rng(51), 1, 2, () => ({ keep: 1, drop: 'x' }));
        await b.upsert(name, [p!]);
        await b.setPayload(name, [{ id: p!.id, payload: { drop: null, added: 2 } }]);
        expect((await b.retrieve(name, [p!.id]))[0]!.payload).toEqual({ keep: 1, added: 2 });
      });

      it('keys outside [A-Za-z0-9_-] are quoted in filters and index fields (Qdrant json_path/parse.rs)', async () => {
        const name = await fresh(2, 'Euclid', { keywordFields: ['"my field"', 'bi."a.b"'] });
        const pts = makePoints(rng(52), 3, 2, (i) => ({ 'my field': `v${i % 2}`, bi: { 'a.b': `t${i}` } }));
        await b.upsert(name, pts);
        expect(await b.count(name, { must: [{ key: '"my field"', match: { value: 'v0' } }] })).toBe(2);
        expect(await b.count(name, { must: [{ key: 'bi."a.b"', match: { value: 't2' } }] })).toBe(1);
        // unquoted, the same keys are refused before anything is sent (Qdrant answers 400)
        await expect(b.count(name, { must: [{ key: 'my field', match: { value: 'v0' } }] })).rejects.toThrow(TypeError);
        await expect(b.createCollection({ name: `${name}_x`, dimension: 2, distance: 'Dot', keywordFields: ['bad key'] })).rejects.toThrow(TypeError);
      });
    });

    describe('collection metadata, listing, indexes', () => {
      it('setMetadata replaces the metadata exactly: keys added, changed and removed', async (ctx) => {
        const setMetadata = optional(ctx, b.setMetadata?.bind(b), 'setMetadata');
        const name = await fresh(2, 'Dot', { metadata: { a: 1, b: { x: 1, y: 2 }, c: 'gone' } });
        await setMetadata(name, { a: 2, b: { x: 1 }, d: [1, 2] });
        expect((await b.describe(name))!.metadata).toEqual({ a: 2, b: { x: 1 }, d: [1, 2] });
        await setMetadata(name, {});
        expect((await b.describe(name))!.metadata).toEqual({});
        await expectCode(setMetadata(`sv_contract_${RUN}_absent`, { a: 1 }), 'ERR_NOT_FOUND');
        await expect(setMetadata(name, [] as unknown as Record<string, unknown>)).rejects.toThrow(TypeError);
        await expectCode(setMetadata(name, { big: 'x'.repeat(70_000) }), 'ERR_INPUT_TOO_LARGE');
        expect((await b.describe(name))!.metadata).toEqual({});
      });

      it('listCollections names every collection, sorted', async (ctx) => {
        const listCollections = optional(ctx, b.listCollections?.bind(b), 'listCollections');
        const x = await fresh(2, 'Dot');
        const y = await fresh(2, 'Dot');
        const all = await listCollections();
        expect(all).toEqual([...all].sort());
        expect(all).toEqual(expect.arrayContaining([x, y]));
        await b.deleteCollection(y);
        expect(await listCollections()).not.toContain(y);
      });

      it('ensureIndexes adds the indexes an older collection lacks; then strict stores accept its filters', async (ctx) => {
        const ensureIndexes = optional(ctx, b.ensureIndexes?.bind(b), 'ensureIndexes');
        const name = await fresh(2, 'Euclid', { tenantField: 'tnt', keywordFields: ['kid'] });
        const pts = makePoints(rng(53), 6, 2, (i) => ({ tnt: 't', kid: 'k', ep: i % 2 }));
        await b.upsert(name, pts);
        const byEpoch: Filter = { must: [{ key: 'tnt', match: { value: 't' } }, { key: 'ep', match: { value: 1 } }] };
        if (target.strict) {
          await expect(b.count(name, byEpoch)).rejects.toMatchObject({
            code: 'ERR_BACKEND',
            status: 400,
            detail: expect.stringContaining('Index required but not found for "ep" of one of the following types: [integer]'),
          });
        }
        expect(await ensureIndexes(name, { tenantField: 'tnt', keywordFields: ['kid', 'pf'], integerFields: ['ep'] })).toEqual(['pf', 'ep']);
        expect(await ensureIndexes(name, { tenantField: 'tnt', keywordFields: ['kid', 'pf'], integerFields: ['ep'] })).toEqual([]);
        expect(await b.count(name, byEpoch)).toBe(3);
        await expectCode(ensureIndexes(`sv_contract_${RUN}_absent`, { integerFields: ['ep'] }), 'ERR_NOT_FOUND');
        await expect(ensureIndexes(name, { keywordFields: ['x'], integerFields: ['x'] })).rejects.toThrow(RangeError);
      });

      it('a field listed as both keyword and integer is refused before anything is created', async () => {
        const name = `sv_contract_${RUN}_clash`;
        await expect(b.createCollection({ name, dimension: 2, distance: 'Dot', keywordFields: ['ep'], integerFields: ['ep'] })).rejects.toThrow(RangeError);
        expect(await b.describe(name)).toBeNull();
      });
    });

    describe('search parameters', () => {
      it('exact search and a small hnswEf still return the exact top-k (ef never drops below the limit)', async () => {
        const name = await fresh(8, 'Euclid');
        const r = rng(54);
        const pts = makePoints(r, 200, 8);
        await b.upsert(name, pts);
        const q = vector(r, 8);
        for (const params of [{ exact: true }, { exact: false }, { hnswEf: 1 }, { hnswEf: 512, quantization: { rescore: true, oversampling: 2 } }]) {
          expectExactTopK(await b.query(name, { vector: q, limit: 20, params }), pts, q, 'Euclid', 20, tol);
        }
        await expect(b.query(name, { vector: q, limit: 5, params: { hnswEf: 0 } })).rejects.toThrow(RangeError);
        await expect(b.query(name, { vector: q, limit: 5, params: { exact: 'yes' } as never })).rejects.toThrow(TypeError);
      });
    });

    if (target.persistent) {
      it('keeps everything across close and reopen', async () => {
        const name = await fresh(6, 'Dot', { metadata: { kept: true } });
        const pts = makePoints(rng(40), 50, 6, (i) => ({ i }));
        await b.upsert(name, pts);
        await b.delete(name, { ids: [pts[3]!.id] });
        await b.setPayload(name, [{ id: pts[4]!.id, payload: { touched: 1 } }]);
        const doomed = await fresh(2, 'Euclid');
        await b.deleteCollection(doomed);
        await b.close();
        b = await target.open();
        expect(await b.describe(name)).toEqual({ name, dimension: 6, distance: 'Dot', metadata: { kept: true } });
        expect(await b.describe(doomed)).toBeNull();
        expect(await b.count(name)).toBe(49);
        const got = await b.retrieve(name, pts.map((p) => p.id), { withVector: true });
        expect(got).toHaveLength(49);
        for (const p of got) {
          const orig = pts.find((x) => x.id === p.id)!;
          expect(p.vector).toEqual(orig.vector);
          expect(p.payload).toEqual(orig.id === pts[4]!.id ? { ...orig.payload, touched: 1 } : orig.payload);
        }
        const q = vector(rng(41), 6);
        expectExactTopK(await b.query(name, { vector: q, limit: 5 }), pts.filter((_, i) => i !== 3), q, 'Dot', 5, tol);
      });
    }
  });
}
