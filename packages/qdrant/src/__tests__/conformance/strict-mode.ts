/**
 * Strict mode, ported from Qdrant's tests/openapi/test_strictmode.py: the config PATCH, and each
 * check we can meet in production (unindexed filters on reads and on filtered updates, limit,
 * timeout, hnsw_ef, exact, oversampling, upsert batch size). Qdrant answers 400 with
 * "Bad request: <why>. Help: <what to do>" (lib/collection/src/operations/verification/mod.rs).
 */
import { describe, expect, it } from 'vitest';
import { BASIC_COLLECTION, BASIC_POINTS } from './datasets.js';
import { harness, resultOf, type Target } from './harness.js';
import { errorOf } from './rest.js';

export function strictModeCases(t: Target): void {
  const h = harness(t);
  const Q = [0.2, 0.1, 0.9, 0.7];
  const fresh = () => h.collection(BASIC_COLLECTION, BASIC_POINTS);
  const query = (name: string, body: Record<string, unknown>, q?: Record<string, string | number>) =>
    t.rest.call('POST', `/collections/${name}/points/query`, { query: Q, ...body }, q);

  describe('strict mode', () => {
    it('tests/openapi/test_strictmode.py::test_patch_collection_full and _partially: the config is reported and PATCH merges it', async () => {
      const name = await fresh();
      const before = resultOf<{ config: Record<string, unknown> }>(h.ok(await t.rest.call('GET', `/collections/${name}`))).config;
      expect((before['strict_mode_config'] as { enabled?: boolean } | undefined)?.enabled ?? false).toBe(false);
      await h.strict(name, { enabled: true, max_query_limit: 10, unindexed_filtering_retrieve: false, search_max_hnsw_ef: 3, search_max_oversampling: 1.5 });
      await h.strict(name, { max_query_limit: 20 });
      const cfg = resultOf<{ config: { strict_mode_config: Record<string, unknown> } }>(h.ok(await t.rest.call('GET', `/collections/${name}`))).config.strict_mode_config;
      expect(cfg).toMatchObject({ enabled: true, max_query_limit: 20, unindexed_filtering_retrieve: false, search_max_hnsw_ef: 3, search_max_oversampling: 1.5 });
    });

    it('tests/openapi/test_strictmode.py::test_strict_mode_unindexed_filter_keyword_read_validation', async () => {
      const name = await fresh();
      const filter = { must: [{ key: 'city', match: { value: 'Berlin' } }] };
      h.ok(await query(name, { limit: 3, filter }));
      await h.strict(name, { enabled: true, unindexed_filtering_retrieve: true });
      h.ok(await query(name, { limit: 3, filter }));
      await h.strict(name, { unindexed_filtering_retrieve: false });
      for (const r of [
        await query(name, { limit: 3, filter }),
        await t.rest.call('POST', `/collections/${name}/points/scroll`, { filter }),
        await t.rest.call('POST', `/collections/${name}/points/count`, { filter }),
      ]) {
        expect(r.status).toBe(400);
        expect(errorOf(r)).toBe(
          'Bad request: Index required but not found for "city" of one of the following types: [keyword]. Help: Create an index for this key or use a different filter.',
        );
      }
      // has_id needs no index; retrieving by id takes no filter at all
      h.ok(await t.rest.call('POST', `/collections/${name}/points/scroll`, { filter: { must: [{ has_id: [1] }] } }));
      h.ok(await h.index(name, 'city', 'keyword'));
      h.ok(await query(name, { limit: 3, filter }));
    });

    it('tests/openapi/test_strictmode.py::test_strict_mode_unindexed_filter_integer_read_validation: an integer index serves match only with lookup', async () => {
      const name = await fresh();
      const filter = { must: [{ key: 'count', match: { value: 1 } }] };
      await h.strict(name, { enabled: true, unindexed_filtering_retrieve: false });
      const refused = await query(name, { limit: 3, filter });
      expect(refused.status).toBe(400);
      expect(errorOf(refused)).toContain('Index required but not found for "count" of one of the following types: [integer]');
      h.ok(await h.index(name, 'count', { type: 'integer', lookup: true, range: true }));
      h.ok(await query(name, { limit: 3, filter }));
      h.ok(await h.index(name, 'count', { type: 'integer', lookup: false, range: true }));
      const again = await query(name, { limit: 3, filter });
      expect(again.status).toBe(400);
      expect(errorOf(again)).toContain('"count"');
    });

    it('tests/openapi/test_strictmode.py::test_strict_mode_unindexed_filter_write_validation: filtered deletes and payload updates', async () => {
      const name = await fresh();
      const filter = { must: [{ key: 'city', match: { value: 'Berlin' } }] };
      await h.strict(name, { enabled: true, unindexed_filtering_update: false });
      const del = await t.rest.call('POST', `/collections/${name}/points/delete`, { filter }, { wait: true });
      expect(del.status).toBe(400);
      expect(errorOf(del)).toContain('"city"');
      const set = await t.rest.call('POST', `/collections/${name}/points/payload`, { payload: { x: 1 }, filter }, { wait: true });
      expect(set.status).toBe(400);
      // reads are governed by the other switch
      h.ok(await t.rest.call('POST', `/collections/${name}/points/count`, { filter }));
      h.ok(await h.index(name, 'city', 'keyword'));
      h.ok(await t.rest.call('POST', `/collections/${name}/points/delete`, { filter }, { wait: true }));
      expect(resultOf<{ count: number }>(h.ok(await t.rest.call('POST', `/collections/${name}/points/count`, {}))).count).toBe(5);
    });

    it('tests/openapi/test_strictmode.py::test_strict_mode_query_limit_validation and test_strict_mode_timeout_validation', async () => {
      const name = await fresh();
      await h.strict(name, { enabled: true, max_query_limit: 4, max_timeout: 2 });
      h.ok(await query(name, { limit: 4 }));
      const limit = await query(name, { limit: 5 });
      expect(limit.status).toBe(400);
      expect(errorOf(limit)).toContain('Limit exceeded 5 > 4 for "limit"');
      const scroll = await t.rest.call('POST', `/collections/${name}/points/scroll`, { limit: 5 });
      expect(scroll.status).toBe(400);
      h.ok(await query(name, { limit: 3 }, { timeout: 2 }));
      const timeout = await query(name, { limit: 3 }, { timeout: 3 });
      expect(timeout.status).toBe(400);
      expect(errorOf(timeout)).toContain('timeout');
    });

    it('tests/openapi/test_strictmode.py::test_strict_mode_max_ef_hnsw_validation, _allow_exact_validation, _search_max_oversampling_validation', async () => {
      const name = await fresh();
      await h.strict(name, { enabled: true, search_max_hnsw_ef: 5, search_allow_exact: false, search_max_oversampling: 2.0 });
      h.ok(await query(name, { limit: 4, params: { hnsw_ef: 5 } }));
      const ef = await query(name, { limit: 4, params: { hnsw_ef: 6 } });
      expect(ef.status).toBe(400);
      expect(errorOf(ef)).toContain('hnsw_ef');
      h.ok(await query(name, { limit: 4, params: { exact: false } }));
      const exact = await query(name, { limit: 4, params: { exact: true } });
      expect(exact.status).toBe(400);
      expect(errorOf(exact).toLowerCase()).toContain('exact');
      h.ok(await query(name, { limit: 4, params: { quantization: { oversampling: 2.0 } } }));
      const os = await query(name, { limit: 4, params: { quantization: { oversampling: 2.5 } } });
      expect(os.status).toBe(400);
      expect(errorOf(os)).toContain('oversampling');
    });

    it('tests/openapi/test_strictmode.py::test_strict_mode_upsert_max_batch_size: the limit and its value are in the message', async () => {
      const name = await fresh();
      await h.strict(name, { enabled: true, upsert_max_batchsize: 2 });
      const points = [1, 2, 3].map((id) => ({ id: 100 + id, vector: [0.1, 0.2, 0.3, 0.4] }));
      h.ok(await t.rest.call('PUT', `/collections/${name}/points`, { points: points.slice(0, 2) }, { wait: true }));
      const r = await t.rest.call('PUT', `/collections/${name}/points`, { points }, { wait: true });
      expect(r.status).toBe(400);
      expect(errorOf(r)).toContain('Limit exceeded 3 > 2 for "upsert limit"');
      expect(errorOf(r)).toContain('upsert');
    });

    it('lib/storage/src/content_manager/collection_verification.rs: nothing is checked while strict mode is disabled', async () => {
      const name = await fresh();
      await h.strict(name, { enabled: false, unindexed_filtering_retrieve: false, max_query_limit: 1 });
      h.ok(await query(name, { limit: 5, filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] } }));
    });
  });
}
