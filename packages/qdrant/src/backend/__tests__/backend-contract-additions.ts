/**
 * The backend contract for the interface additions (./types.ts): `withPayload` selectors,
 * `integerFields`, `setMetadata` and `listCollections`. Kept apart from ./backend-contract.ts so
 * the two grow independently; contract-additions.test.ts runs it against every backend that
 * implements them. Expectations follow Qdrant's behaviour (`with_payload: { include }` returns
 * only the listed keys that exist; collection metadata is replaced, not merged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Distance, PayloadSelector } from '../types.js';
import { points as makePoints, rng } from './fixtures.js';
import type { ContractTarget } from './backend-contract.js';

const RUN = Math.floor(Math.random() * 0xffffffff).toString(16);

export function backendContractAdditions(label: string, target: ContractTarget): void {
  describe(`Backend contract additions: ${label}`, () => {
    let b: Backend;
    const created = new Set<string>();
    let n = 0;
    const fresh = async (dimension: number, distance: Distance, extra: { metadata?: Record<string, unknown>; integerFields?: string[] } = {}) => {
      const name = `sv_additions_${RUN}_${++n}`;
      await b.createCollection({ name, dimension, distance, ...extra });
      created.add(name);
      return name;
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

    describe('withPayload selectors', () => {
      const payload = (i: number) => ({ a: i, b: { nested: [i, 'x'] }, c: 'keep', ...(i % 2 === 0 ? { even: true } : {}) });

      it('query, retrieve and scroll return all keys by default, none with false, the listed ones with a list', async () => {
        const name = await fresh(3, 'Euclid');
        const pts = makePoints(rng(50), 6, 3, payload);
        await b.upsert(name, pts);
        const ids = pts.map((p) => p.id);
        const cases: [PayloadSelector | undefined, (i: number) => Record<string, unknown>][] = [
          [undefined, payload],
          [true, payload],
          [false, () => ({})],
          [['b', 'even', 'missing'], (i) => ({ b: { nested: [i, 'x'] }, ...(i % 2 === 0 ? { even: true } : {}) })],
          [[], () => ({})],
        ];
        for (const [sel, want] of cases) {
          const opt = sel === undefined ? {} : { withPayload: sel };
          const what = JSON.stringify(sel);
          const byId = (id: string) => want(pts.findIndex((p) => p.id === id));
          for (const p of await b.retrieve(name, ids, opt)) expect(p.payload, what).toEqual(byId(p.id));
          for (const p of (await b.scroll(name, { limit: 10, ...opt })).points) expect(p.payload, what).toEqual(byId(p.id));
          const hits = await b.query(name, { vector: pts[0]!.vector, limit: 6, withVector: true, ...opt });
          expect(hits).toHaveLength(6);
          for (const h of hits) {
            expect(h.payload, what).toEqual(byId(h.id));
            expect(h.vector).toEqual(pts.find((p) => p.id === h.id)!.vector);
          }
        }
      });

      it('a filter still sees the whole payload when the selector hides keys', async () => {
        const name = await fresh(2, 'Dot');
        const pts = makePoints(rng(51), 4, 2, payload);
        await b.upsert(name, pts);
        const filter = { must: [{ key: 'even', match: { value: true } }] };
        const page = await b.scroll(name, { limit: 10, filter, withPayload: ['a'] });
        expect(page.points.map((p) => p.payload['a']).sort()).toEqual([0, 2]);
        const hits = await b.query(name, { vector: Float32Array.of(1, 1), limit: 10, filter, withPayload: false });
        expect(hits.map((h) => h.payload)).toEqual([{}, {}]);
      });

      it('rejects a malformed selector as a programmer error', async () => {
        const name = await fresh(2, 'Dot');
        for (const bad of ['a', 1, null, [1], [''], { include: ['a'] }]) {
          const sel = bad as unknown as PayloadSelector;
          await expect(b.retrieve(name, [], { withPayload: sel }), JSON.stringify(bad)).rejects.toThrow(TypeError);
          await expect(b.scroll(name, { limit: 1, withPayload: sel })).rejects.toThrow(TypeError);
          await expect(b.query(name, { vector: Float32Array.of(1, 1), limit: 1, withPayload: sel })).rejects.toThrow(TypeError);
        }
      });
    });

    describe('integerFields', () => {
      it('are accepted (repeats folded), and filters on them work', async () => {
        const name = await fresh(2, 'Euclid', { integerFields: ['ep', 'ep', 'n'] });
        const pts = makePoints(rng(52), 6, 2, (i) => ({ ep: i % 3, n: i }));
        await b.upsert(name, pts);
        expect(await b.count(name, { must: [{ key: 'ep', match: { value: 1 } }] })).toBe(2);
        expect(await b.count(name, { must: [{ key: 'n', match: { any: [0, 5, 9] } }] })).toBe(2);
      });

      it('malformed ones are programmer errors, before anything is created', async () => {
        const name = `sv_additions_${RUN}_badint`;
        for (const bad of ['ep', [1], [''], [null]]) {
          await expect(b.createCollection({ name, dimension: 2, distance: 'Dot', integerFields: bad as unknown as string[] })).rejects.toThrow(TypeError);
        }
        expect(await b.describe(name)).toBeNull();
      });
    });

    describe('setMetadata', () => {
      it('replaces the metadata describe returns, and leaves the points alone', async () => {
        const name = await fresh(2, 'Dot', { metadata: { v: 1, old: 'gone' } });
        await b.upsert(name, makePoints(rng(53), 3, 2));
        await b.setMetadata!(name, { v: 2, nested: { list: [1, 'two'] } });
        expect(await b.describe(name)).toEqual({ name, dimension: 2, distance: 'Dot', metadata: { v: 2, nested: { list: [1, 'two'] } } });
        expect(await b.count(name)).toBe(3);
        if (target.persistent) {
          await b.close();
          b = await target.open();
          expect((await b.describe(name))?.metadata).toEqual({ v: 2, nested: { list: [1, 'two'] } });
        }
      });

      it('NotFound for an unknown collection; malformed or oversized metadata is refused before anything changes', async () => {
        const name = await fresh(2, 'Dot', { metadata: { v: 1 } });
        await expect(b.setMetadata!(`sv_additions_${RUN}_none`, {})).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
        await expect(b.setMetadata!(name, [] as unknown as Record<string, unknown>)).rejects.toThrow(TypeError);
        await expect(b.setMetadata!(name, { n: 1n } as unknown as Record<string, unknown>)).rejects.toThrow(TypeError);
        await expect(b.setMetadata!(name, { big: 'x'.repeat(70_000) })).rejects.toMatchObject({ code: 'ERR_INPUT_TOO_LARGE' });
        await expect(b.setMetadata!('a/b', {})).rejects.toThrow(RangeError);
        expect((await b.describe(name))?.metadata).toEqual({ v: 1 });
      });
    });

    describe('listCollections', () => {
      it('lists every collection by name, sorted, and forgets deleted ones', async () => {
        const prefix = `sv_additions_${RUN}_list_`;
        const names = ['b', 'A', 'a', 'Ünï', 'a b'].map((s) => prefix + s);
        for (const name of names) {
          await b.createCollection({ name, dimension: 2, distance: 'Dot' });
          created.add(name);
        }
        await b.deleteCollection(prefix + 'b');
        const listed = await b.listCollections!();
        expect(listed).toEqual([...listed].sort());
        expect(listed.filter((x) => x.startsWith(prefix))).toEqual(names.filter((x) => !x.endsWith('_b')).sort());
      });
    });
  });
}
