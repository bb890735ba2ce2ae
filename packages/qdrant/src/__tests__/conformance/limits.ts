/**
 * Request validation and limits, ported from Qdrant's tests/openapi/test_validation.py and the
 * REST server setup (src/actix/mod.rs): a body over the size limit and a body that does not
 * deserialize are 400; a body that breaks a validation rule is 422 "Validation error in ...".
 */
import { describe, expect, it } from 'vitest';
import { BASIC_COLLECTION, BASIC_POINTS } from './datasets.js';
import { harness, type Target } from './harness.js';
import { errorOf } from './rest.js';

export function limitCases(t: Target): void {
  const h = harness(t);

  describe('validation and limits', () => {
    let name: string;
    it('setup: tests/openapi/test_validation.py::setup (basic_collection_setup)', async () => {
      name = await h.collection(BASIC_COLLECTION, BASIC_POINTS);
    });

    it('tests/openapi/test_validation.py::test_validation_search_hnsw_ef_zero: 422 naming hnsw_ef', async () => {
      const r = await t.rest.call('POST', `/collections/${name}/points/query`, { query: [0.2, 0.1, 0.9, 0.7], limit: 3, params: { hnsw_ef: 0 } });
      expect(r.status).toBe(422);
      expect(errorOf(r)).toContain('Validation error');
      expect(errorOf(r)).toContain('hnsw_ef');
    });

    it('tests/openapi/test_validation.py::test_validation_body_param: 422 naming hnsw_config.ef_construct', async () => {
      const r = await t.rest.call('PUT', `/collections/${name}_v`, { vectors: { size: 4, distance: 'Dot' }, hnsw_config: { ef_construct: 0 } });
      expect(r.status).toBe(422);
      expect(errorOf(r)).toContain('Validation error');
      expect(errorOf(r)).toContain('hnsw_config.ef_construct');
    });

    it('tests/openapi/test_validation.py::test_validation_query_param: timeout=0 is 422 in query parameters', async () => {
      const r = await t.rest.call('POST', `/collections/${name}/points/count`, {}, { timeout: 0 });
      expect(r.status).toBe(422);
      expect(errorOf(r)).toContain('Validation error');
      expect(errorOf(r)).toContain('timeout: value 0 invalid');
    });

    it('tests/openapi/test_validation.py::test_validation_collection_name: a name over 255 characters is a validation error', async () => {
      const r = await t.rest.call('GET', `/collections/${'x'.repeat(300)}/points/1`);
      expect(r.ok).toBe(false);
      expect(errorOf(r)).toContain('Validation error');
    });

    it('src/actix/mod.rs (validation_error_handler): limit 0 is 422, a malformed body 400', async () => {
      const zero = await t.rest.call('POST', `/collections/${name}/points/scroll`, { limit: 0 });
      expect(zero.status).toBe(422);
      const bad = await t.rest.raw('POST', `/collections/${name}/points/scroll`, '{"limit": ');
      expect(bad.status).toBe(400);
      const negative = await t.rest.call('PUT', `/collections/${name}/points`, { points: [{ id: -1, vector: [1, 2, 3, 4] }] }, { wait: true });
      expect(negative.status).toBe(400);
    });

    h.localOnly('it sends 33 MiB to the server')('src/actix/mod.rs (JsonConfig limit, max_request_size_mb = 32): a larger body is 400, not 413', async () => {
      const payload = 'x'.repeat(33 * 1024 * 1024);
      const r = await t.rest.raw('PUT', `/collections/${name}/points?wait=true`, JSON.stringify({ points: [{ id: 1, vector: [1, 2, 3, 4], payload: { payload } }] }));
      expect(r.status).toBe(400);
      expect(errorOf(r)).toMatch(/JSON payload \(\d+ bytes\) is larger than allowed \(limit: 33554432 bytes\)/);
    });
  });
}
