/**
 * Points, payloads and collections, ported from Qdrant's tests/openapi: retrieve, scroll
 * pagination, count, delete by id and by filter, payload operations (a null value deletes its
 * key), payload selectors, Euclid and Dot scores, UUID and integer ids, collection metadata.
 * Each title names the Qdrant test (or source file) it comes from.
 */
import { describe, expect, it } from 'vitest';
import { BASIC_COLLECTION, BASIC_POINTS, EUCLID_COLLECTION, EUCLID_POINTS, NESTED_COLLECTION, NESTED_POINTS } from './datasets.js';
import { harness, resultOf, type Target } from './harness.js';
import { errorOf } from './rest.js';

type Rec = { id: number | string; payload?: Record<string, unknown>; vector?: number[]; score?: number };
type Points = { points: Rec[]; next_page_offset?: number | string | null };

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

export function pointCases(t: Target): void {
  const h = harness(t);
  const get = async (name: string, id: number | string) => resultOf<Rec>(h.ok(await t.rest.call('GET', `/collections/${name}/points/${id}`)));
  const count = async (name: string, body: unknown = {}) => resultOf<{ count: number }>(h.ok(await t.rest.call('POST', `/collections/${name}/points/count`, body))).count;
  const pointsCount = async (name: string) => resultOf<{ points_count: number }>(h.ok(await t.rest.call('GET', `/collections/${name}`))).points_count;

  describe('retrieve, scroll, count', () => {
    let name: string;
    it('setup: tests/openapi/helpers/collection_setup.py::basic_collection_setup', async () => {
      name = await h.collection(BASIC_COLLECTION, BASIC_POINTS);
    });

    it('tests/openapi/test_basic_retrieve_api.py::test_points_retrieve: by id, by ids, points_count, query, scroll from an offset', async () => {
      expect((await get(name, 2)).id).toBe(2);
      const many = resultOf<Rec[]>(h.ok(await t.rest.call('POST', `/collections/${name}/points`, { ids: [1, 2] })));
      expect(many.map((r) => r.id).sort()).toEqual([1, 2]);
      expect(many.find((r) => r.id === 2)?.payload).toEqual({ city: ['Berlin', 'London'], price: 11.0 });
      expect(await pointsCount(name)).toBe(8);
      const q = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/query`, { query: [0.2, 0.1, 0.9, 0.7], limit: 3 })));
      expect(q.points).toHaveLength(3);
      const page = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/scroll`, { offset: 2, limit: 2, with_vector: true })));
      expect(page.points.map((p) => p.id)).toEqual([2, 3]);
      expect(page.points[0]!.vector!.map((x) => Math.round(x * 100) / 100)).toEqual([0.19, 0.81, 0.75, 0.11]);
      expect(page.next_page_offset).toBe(4);
    });

    it('lib/collection/src/collection/point_ops.rs (scroll_by): pages cover every point once, in id order, ending with next_page_offset null', async () => {
      const seen: (number | string)[] = [];
      let offset: number | string | null | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/scroll`, { limit: 3, ...(offset != null ? { offset } : {}) })));
        seen.push(...page.points.map((p) => p.id));
        offset = page.next_page_offset;
        if (offset == null) break;
      }
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const last = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/scroll`, { limit: 8 })));
      expect(last.next_page_offset).toBeNull();
    });

    it('tests/openapi/test_basic_retrieve_api.py::test_exclude_payload and test_payload_selector.py: with_payload false, include, exclude', async () => {
      const body = { query: [0.2, 0.1, 0.9, 0.7], limit: 5, filter: { should: [{ key: 'city', match: { value: 'London' } }] } };
      const excl = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/query`, { ...body, with_payload: { exclude: ['city'] } })));
      expect(excl.points.length).toBeGreaterThan(0);
      for (const p of excl.points) expect(p.payload).not.toHaveProperty('city');
      const incl = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/query`, { ...body, with_payload: { include: ['price'] } })));
      for (const p of incl.points) expect(Object.keys(p.payload ?? {})).toEqual(['price']);
      const list = resultOf<Rec[]>(h.ok(await t.rest.call('POST', `/collections/${name}/points`, { ids: [2], with_payload: ['city', 'missing'] })));
      expect(list[0]!.payload).toEqual({ city: ['Berlin', 'London'] });
      const none = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/scroll`, { limit: 1, with_payload: false })));
      expect(none.points[0]!.payload).toBeUndefined();
    });

    it('tests/openapi/test_count.py::test_exact_count_search: exact count, with and without a filter', async () => {
      expect(await count(name)).toBe(8);
      expect(await count(name, { filter: { must: [{ key: 'city', match: { value: 'Moscow' } }] }, exact: true })).toBe(2);
    });

    it('Dot scores (basic_collection_setup, tests/openapi/test_basic_retrieve_api.py): the inner product, highest first', async () => {
      const q = [0.2, 0.1, 0.9, 0.7];
      const got = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/query`, { query: q, limit: 8 }))).points;
      const want = BASIC_POINTS.map((p) => ({ id: p.id, score: dot(p.vector, q) })).sort((a, b) => b.score - a.score);
      expect(got.map((p) => p.id)).toEqual(want.map((p) => p.id));
      got.forEach((p, i) => expect(p.score).toBeCloseTo(want[i]!.score, 4));
    });
  });

  describe('ids, deletes, Euclid', () => {
    it('tests/openapi/test_delete_points.py::test_delete_points: by a has_id filter, then by ids', async () => {
      const name = await h.collection(BASIC_COLLECTION, BASIC_POINTS);
      h.ok(await t.rest.call('POST', `/collections/${name}/points/delete`, { filter: { must: [{ has_id: [5] }] } }, { wait: true }));
      expect(await pointsCount(name)).toBe(7);
      h.ok(await t.rest.call('POST', `/collections/${name}/points/delete`, { points: [1, 2, 3, 4] }, { wait: true }));
      expect(await pointsCount(name)).toBe(3);
      // deleting ids that do not exist is not an error
      h.ok(await t.rest.call('POST', `/collections/${name}/points/delete`, { points: [1, 99] }, { wait: true }));
    });

    it('tests/openapi/test_filtered_delete.py::test_delete_by_payload_filter: delete by an indexed keyword, down to nothing', async () => {
      const points = Array.from({ length: 30 }, (_, i) => ({ id: i, vector: [i / 30, 1, 0.5, 0.25], payload: { a: `keyword_${i % 5}` } }));
      const name = await h.collection({ vectors: { size: 4, distance: 'Dot' } });
      h.ok(await h.index(name, 'a', 'keyword'));
      h.ok(await t.rest.call('PUT', `/collections/${name}/points`, { points }, { wait: true }));
      for (let k = 0; k < 5; k++) {
        h.ok(await t.rest.call('POST', `/collections/${name}/points/delete`, { filter: { must: [{ key: 'a', match: { value: `keyword_${k}` } }] } }, { wait: true }));
        expect(await count(name)).toBe(30 - 6 * (k + 1));
      }
    });

    it('tests/openapi/test_uuid_ops.py::test_uuid_operations: UUID ids, read back hyphenated and lowercase', async () => {
      const name = await h.collection(BASIC_COLLECTION);
      h.ok(
        await t.rest.call(
          'PUT',
          `/collections/${name}/points`,
          {
            points: [
              { id: 'b524a3c4-c568-4383-8019-c9ca08243d6a', vector: [0.15, 0.21, 0.96, 0.04], payload: { city: 'Berlin' } },
              { id: '1D675313-D3DD-4646-8B98-8052364872DA', vector: [0.19, 0.81, 0.75, 0.11], payload: { city: ['Berlin', 'London'] } },
              { id: 7, vector: [0.1, 0.1, 0.1, 0.1] },
            ],
          },
          { wait: true },
        ),
      );
      expect((await get(name, 'b524a3c4-c568-4383-8019-c9ca08243d6a')).payload).toEqual({ city: 'Berlin' });
      // ExtendedPointId's order (lib/segment/src/types.rs): integers first, then UUIDs by their bytes
      const all = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/scroll`, { limit: 10 })));
      expect(all.points.map((p) => p.id)).toEqual([7, '1d675313-d3dd-4646-8b98-8052364872da', 'b524a3c4-c568-4383-8019-c9ca08243d6a']);
      expect((await t.rest.call('GET', `/collections/${name}/points/123`)).status).toBe(404);
    });

    it('tests/openapi/test_euclid_dist.py::test_search_with_threshold: Euclid scores are distances, ascending; score_threshold keeps those within', async () => {
      const name = await h.collection(EUCLID_COLLECTION, EUCLID_POINTS);
      const all = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/query`, { query: [1, 1], limit: 3 }))).points;
      expect(all.map((p) => p.id)).toEqual([2, 1, 3]);
      expect(all.map((p) => p.score)).toEqual([expect.closeTo(1.0, 4), expect.closeTo(1.414214, 4), expect.closeTo(2.828427, 4)]);
      const near = resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/query`, { query: [1, 1], limit: 3, score_threshold: 1.5 }))).points;
      expect(near.map((p) => p.id)).toEqual([2, 1]);
    });
  });

  describe('payload operations', () => {
    it('tests/openapi/test_payload_operations.py::test_payload_operations: set, clear, delete keys, overwrite vs set, by ids and by filter', async () => {
      const name = await h.collection(BASIC_COLLECTION, BASIC_POINTS);
      const set = (method: 'POST' | 'PUT', body: unknown) => t.rest.call(method, `/collections/${name}/points/payload`, body, { wait: true });
      h.ok(await set('POST', { payload: { test_payload: 'keyword' }, points: [6] }));
      expect((await get(name, 6)).payload).toEqual({ test_payload: 'keyword' });
      h.ok(await t.rest.call('POST', `/collections/${name}/points/payload/clear`, { filter: { must: [{ has_id: [6] }] } }, { wait: true }));
      expect((await get(name, 6)).payload).toEqual({});
      h.ok(await set('POST', { payload: { test_payload: 'keyword' }, points: [6] }));
      h.ok(await t.rest.call('POST', `/collections/${name}/points/payload/delete`, { keys: ['test_payload'], points: [6] }, { wait: true }));
      expect((await get(name, 6)).payload).toEqual({});
      // PUT overwrites the whole payload, POST sets the given keys
      h.ok(await set('PUT', { payload: { key1: 'aaa', key2: 'bbb' }, points: [6] }));
      h.ok(await set('POST', { payload: { key1: 'ccc' }, points: [6] }));
      expect((await get(name, 6)).payload).toEqual({ key1: 'ccc', key2: 'bbb' });
      h.ok(await set('PUT', { payload: { key2: 'eee' }, points: [6] }));
      expect((await get(name, 6)).payload).toEqual({ key2: 'eee' });
      // by filter
      h.ok(await set('POST', { payload: { key4: 'aaa' }, points: [1, 2, 3] }));
      expect(await h.scrollIds(name, { must: [{ key: 'key4', match: { value: 'aaa' } }] })).toEqual([1, 2, 3]);
      h.ok(await set('POST', { payload: { key5: 'bbb' }, filter: { must: [{ key: 'key4', match: { value: 'aaa' } }] } }));
      expect(await h.scrollIds(name, { must: [{ key: 'key5', match: { value: 'bbb' } }] })).toEqual([1, 2, 3]);
      h.ok(await t.rest.call('POST', `/collections/${name}/points/payload/delete`, { keys: ['key5'], filter: { must: [{ key: 'key5', match: { value: 'bbb' } }] } }, { wait: true }));
      expect(await h.scrollIds(name, { must: [{ key: 'key5', match: { value: 'bbb' } }] })).toEqual([]);
    });

    it('lib/segment/src/common/utils.rs merge_map: a null value in set payload deletes the key; overwrite stores nothing for it', async () => {
      const name = await h.collection(BASIC_COLLECTION, BASIC_POINTS);
      h.ok(await t.rest.call('POST', `/collections/${name}/points/payload`, { payload: { city: null, extra: 1 }, points: [1] }, { wait: true }));
      expect((await get(name, 1)).payload).toEqual({ price: 10.0, extra: 1 });
      // a null written by upsert is kept (point 7 of the basic collection)
      expect((await get(name, 7)).payload).toEqual({ city: null, price: null });
    });

    it('lib/shard/src/update/payload.rs set_payload: a missing id is 404, yet the points before it were updated', async () => {
      // Why QdrantBackend.setPayload checks that every id exists before it writes anything.
      const name = await h.collection(BASIC_COLLECTION, BASIC_POINTS);
      const r = await t.rest.call('POST', `/collections/${name}/points/payload`, { payload: { x: 1 }, points: [1, 99] }, { wait: true });
      expect(r.status).toBe(404);
      expect(errorOf(r)).toMatch(/No point with id 99 found/);
      expect((await get(name, 1)).payload).toHaveProperty('x', 1);
    });
  });

  describe('collections', () => {
    it('tests/openapi/test_collection_metadata.py::test_collection_exists: PATCH metadata merges keys, null deletes one', async () => {
      const name = await h.collection(BASIC_COLLECTION);
      for (const metadata of [{ new_meta: 'value' }, { new_meta_2: 'value2' }, { new_meta: 'value3' }, { new_meta_2: null }]) {
        h.ok(await t.rest.call('PATCH', `/collections/${name}`, { metadata }));
      }
      const info = resultOf<{ config: { metadata: unknown } }>(h.ok(await t.rest.call('GET', `/collections/${name}`)));
      expect(info.config.metadata).toEqual({ new_meta: 'value3' });
    });

    it('collection metadata given at creation is returned as given (Qdrant PR #7123, >= 1.16)', async () => {
      const name = await h.collection({ ...BASIC_COLLECTION, metadata: { scheme: 'sealvec', nested: { a: [1, 'b'] } } });
      const info = resultOf<{ config: { metadata: unknown; params: Record<string, unknown> } }>(h.ok(await t.rest.call('GET', `/collections/${name}`)));
      expect(info.config.metadata).toEqual({ scheme: 'sealvec', nested: { a: [1, 'b'] } });
      expect(info.config.params['vectors']).toMatchObject({ size: 4, distance: 'Dot' });
    });

    it('lib/storage/src/content_manager/errors.rs: 404 unknown collection, 409 existing one, 400 wrong dimension', async () => {
      const name = await h.collection(NESTED_COLLECTION, NESTED_POINTS);
      expect((await t.rest.call('GET', `/collections/${name}_missing`)).status).toBe(404);
      const again = await t.rest.call('PUT', `/collections/${name}`, NESTED_COLLECTION);
      expect(again.status).toBe(409);
      expect(errorOf(again)).toMatch(/already exists/);
      const dim = await t.rest.call('PUT', `/collections/${name}/points`, { points: [{ id: 1, vector: [1, 2, 3] }] }, { wait: true });
      expect(dim.status).toBe(400);
      expect(errorOf(dim)).toMatch(/Vector dimension error: expected dim: 4, got 3/);
      const names = resultOf<{ collections: { name: string }[] }>(h.ok(await t.rest.call('GET', '/collections'))).collections.map((c) => c.name);
      expect(names).toContain(name);
    });
  });
}
