/**
 * Filters, ported from Qdrant's tests/openapi: match value / any / except (empty lists
 * included), must / should / must_not, nested keys and arrays, single conditions. Each title
 * names the Qdrant test it comes from.
 */
import { describe, expect, it } from 'vitest';
import { BASIC_COLLECTION, BASIC_POINTS, MATCH_COLLECTION, MATCH_POINTS, NESTED_COLLECTION, NESTED_POINTS } from './datasets.js';
import { harness, resultOf, type Target } from './harness.js';
import { errorOf } from './rest.js';

type Points = { points: { id: number; payload?: Record<string, unknown> }[] };

export function filterCases(t: Target): void {
  const h = harness(t);
  const query = async (name: string, body: Record<string, unknown>) =>
    resultOf<Points>(h.ok(await t.rest.call('POST', `/collections/${name}/points/query`, { query: [0.2, 0.1, 0.9, 0.7], ...body }))).points.map((p) => p.id);

  describe('filters on the basic collection', () => {
    let name: string;
    it('setup: tests/openapi/helpers/collection_setup.py::basic_collection_setup', async () => {
      name = await h.collection(BASIC_COLLECTION, BASIC_POINTS);
    });

    it('tests/openapi/test_filter.py::test_match_any: any matches an element of an array', async () => {
      const ids = await query(name, { limit: 3, filter: { must: [{ key: 'city', match: { any: ['London', 'Moscow'] } }] } });
      expect(ids.sort()).toEqual([2, 3, 4]);
    });

    it('tests/openapi/test_filter.py::test_just_key: a key without a condition is a 422 validation error', async () => {
      const r = await t.rest.call('POST', `/collections/${name}/points/query`, { query: [0.2, 0.1, 0.9, 0.7], limit: 3, filter: { must: [{ key: 'city' }] } });
      expect(r.status).toBe(422);
      expect(errorOf(r)).toContain('Validation error in JSON body');
      expect(errorOf(r)).toContain('At least one field condition must be specified');
    });

    it('tests/openapi/test_basic_retrieve_api.py::test_points_retrieve: should on one value (2 London records)', async () => {
      expect(await query(name, { limit: 3, filter: { should: [{ key: 'city', match: { value: 'London' } }] } })).toHaveLength(2);
    });

    it('tests/openapi/test_basic_retrieve_api.py::test_query_single_condition: must may be one condition instead of a list', async () => {
      expect(await query(name, { limit: 3, filter: { must: { key: 'city', match: { value: 'London' } } } })).toHaveLength(2);
    });

    it('tests/openapi/test_count.py::test_exact_count_search: should is OR', async () => {
      const r = h.ok(
        await t.rest.call('POST', `/collections/${name}/points/count`, {
          filter: { should: [{ key: 'city', match: { value: 'London' } }, { key: 'city', match: { value: 'Berlin' } }] },
        }),
      );
      expect(resultOf<{ count: number }>(r).count).toBe(4);
    });

    it('lib/segment/src/payload_storage/query_checker.rs: empty must matches all, empty should none, must_not excludes', async () => {
      expect((await h.scrollIds(name, { must: [] })).length).toBe(8);
      expect(await h.scrollIds(name, { should: [] })).toEqual([]);
      expect(await h.scrollIds(name, { must_not: [{ key: 'city', match: { value: 'Berlin' } }] })).toEqual([4, 5, 6, 7, 8]);
      expect(await h.scrollIds(name, { must: [{ has_id: [1, 3, 99] }] })).toEqual([1, 3]);
    });

    it('lib/segment/src/json_path/parse.rs: a key outside [A-Za-z0-9_-] must be quoted, else the body is refused with 400', async () => {
      const r = await t.rest.call('POST', `/collections/${name}/points/scroll`, { filter: { must: [{ key: 'my city', match: { value: 'Berlin' } }] } });
      expect(r.status).toBe(400);
      const quoted = await t.rest.call('POST', `/collections/${name}/points/scroll`, { filter: { must: [{ key: '"my city"', match: { value: 'Berlin' } }] } });
      expect(quoted.status).toBe(200);
      expect(resultOf<Points>(quoted).points).toEqual([]);
      const quotedPlain = await h.scrollIds(name, { must: [{ key: '"city"', match: { value: 'Moscow' } }] });
      expect(quotedPlain).toEqual([3, 4]);
    });
  });

  describe('match any and except, empty lists', () => {
    let name: string;
    it('setup: tests/openapi/test_match_any_empty.py::create_collection', async () => {
      name = await h.collection(MATCH_COLLECTION, MATCH_POINTS);
    });

    it('tests/openapi/test_match_any_empty.py::test_match_any_empty_*_no_index: an empty any matches nothing', async () => {
      for (const key of ['n', 'tag', 'uid']) expect(await h.scrollIds(name, { must: [{ key, match: { any: [] } }] })).toEqual([]);
    });

    it('tests/openapi/test_match_any_empty.py::test_match_any_{integers,strings}_no_index', async () => {
      expect(await h.scrollIds(name, { must: [{ key: 'n', match: { any: [1] } }] })).toEqual([1]);
      expect(await h.scrollIds(name, { must: [{ key: 'tag', match: { any: ['a'] } }] })).toEqual([1]);
    });

    it('tests/openapi/test_match_except_empty.py::test_match_except_*_no_index: an empty except matches every point with the field', async () => {
      for (const key of ['n', 'tag', 'uid']) expect(await h.scrollIds(name, { must: [{ key, match: { except: [] } }] })).toEqual([1, 2, 3]);
      expect(await h.scrollIds(name, { must: [{ key: 'n', match: { except: [1] } }] })).toEqual([2, 3]);
      expect(await h.scrollIds(name, { must: [{ key: 'tag', match: { except: ['a'] } }] })).toEqual([2, 3]);
      expect(await h.scrollIds(name, { must: [{ key: 'uid', match: { except: ['550e8400-e29b-41d4-a716-446655440001'] } }] })).toEqual([2, 3]);
    });

    it('tests/openapi/test_match_any_empty.py::test_create_indexes', async () => {
      h.ok(await h.index(name, 'n', 'integer'));
      h.ok(await h.index(name, 'tag', 'keyword'));
      h.ok(await h.index(name, 'uid', 'uuid'));
    });

    it('tests/openapi/test_match_any_empty.py::test_match_any_*_with_index: the same answers with indexes', async () => {
      for (const key of ['n', 'tag', 'uid']) expect(await h.scrollIds(name, { must: [{ key, match: { any: [] } }] })).toEqual([]);
      expect(await h.scrollIds(name, { must: [{ key: 'n', match: { any: [1, 2] } }] })).toEqual([1, 2]);
      expect(await h.scrollIds(name, { must: [{ key: 'tag', match: { any: ['a', 'b'] } }] })).toEqual([1, 2]);
    });

    h.since('1.19.0')('tests/openapi/test_match_except_empty.py::test_match_except_*_with_index (fixed in 1.19, qdrant#9050)', async () => {
      for (const key of ['n', 'tag', 'uid']) expect(await h.scrollIds(name, { must: [{ key, match: { except: [] } }] })).toEqual([1, 2, 3]);
      // a list of another type excludes nothing
      expect(await h.scrollIds(name, { must: [{ key: 'n', match: { except: ['foo', 'bar'] } }] })).toEqual([1, 2, 3]);
      expect(await h.scrollIds(name, { must: [{ key: 'tag', match: { except: [999, 888] } }] })).toEqual([1, 2, 3]);
      expect(await h.scrollIds(name, { must: [{ key: 'n', match: { except: [1, 2, 3] } }] })).toEqual([]);
      expect(await h.scrollIds(name, { must: [{ key: 'tag', match: { except: ['a', 'b', 'c'] } }] })).toEqual([]);
    });

    h.since('1.19.0')('tests/openapi/test_match_any_empty.py::test_match_any_empty_with_strict_mode_*: an empty any needs no particular index', async () => {
      await h.strict(name, { enabled: true, unindexed_filtering_retrieve: false });
      try {
        expect(await h.scrollIds(name, { must: [{ key: 'n', match: { any: [1] } }] })).toEqual([1]);
        expect(await h.scrollIds(name, { must: [{ key: 'n', match: { any: [] } }] })).toEqual([]);
        expect(await h.scrollIds(name, { must: [{ key: 'uid', match: { any: [] } }] })).toEqual([]);
        expect(await h.scrollIds(name, { must_not: [{ key: 'n', match: { any: [] } }] })).toEqual([1, 2, 3]);
      } finally {
        await h.strict(name, { enabled: false });
      }
    });
  });

  describe('nested keys and arrays', () => {
    let name: string;
    it('setup: tests/openapi/test_nested_payload_indexing.py::nested_payload_collection_setup', async () => {
      name = await h.collection(NESTED_COLLECTION, NESTED_POINTS);
    });

    it('tests/openapi/test_nested_payload_indexing.py::test_nested_payload_indexing_operations: dotted keys, [] and [n]', async () => {
      h.ok(await h.index(name, 'country.capital', 'keyword'));
      const info = resultOf<{ payload_schema: Record<string, { data_type: string; points: number }> }>(h.ok(await t.rest.call('GET', `/collections/${name}`)));
      expect(info.payload_schema['country.capital']?.data_type).toBe('keyword');
      expect(await h.scrollIds(name, { must: [{ key: 'country.capital', match: { value: 'London' } }] })).toEqual([2]);
      expect(await h.scrollIds(name, { must: [{ key: 'country.name', match: { value: 'France' } }] })).toEqual([3]);
      // "Do not implicitly do inside nested array": without [] an array of objects is not entered
      expect(await h.scrollIds(name, { must: [{ key: 'country.cities.name', match: { value: 'Paris' } }] })).toEqual([]);
      expect(await h.scrollIds(name, { must: [{ key: 'country.cities[].sightseeing', match: { value: 'Eiffel Tower' } }] })).toEqual([3]);
      expect(await h.scrollIds(name, { must: [{ key: 'country.cities[0].name', match: { value: 'Paris' } }] })).toEqual([3]);
      expect(await h.scrollIds(name, { must: [{ key: 'country.cities[].sightseeing[1]', match: { value: 'Louvre' } }] })).toEqual([3]);
    });

    it('tests/openapi/test_basic_retrieve_api.py::test_query_nested: a key into an object', async () => {
      h.ok(
        await t.rest.call(
          'PUT',
          `/collections/${name}/points`,
          { points: [{ id: 8, vector: [0.15, 0.31, 0.76, 0.74], payload: { database_id: { type: 'keyword', value: '8594ff5d-265f-4785-a9f5-b3b4b9665506' } } }] },
          { wait: true },
        ),
      );
      expect(await h.scrollIds(name, { must: [{ key: 'database_id.value', match: { value: '8594ff5d-265f-4785-a9f5-b3b4b9665506' } }] })).toEqual([8]);
    });
  });
}
