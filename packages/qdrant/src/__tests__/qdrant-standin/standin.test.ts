/**
 * The stand-in's own plumbing over raw HTTP (fetch), independent of the Qdrant client:
 * envelopes, status codes, error bodies, limits, fault bounds and clean shutdown. What Qdrant
 * itself does is checked by the conformance suite (../conformance), against the stand-in and a
 * real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QdrantStandin } from './index.js';

let s: QdrantStandin;
const ID = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

beforeAll(async () => {
  s = await QdrantStandin.start({ maxBodyBytes: 4096 });
});

afterAll(async () => {
  await s.close();
});

describe('Qdrant REST stand-in', () => {
  it('listens on 127.0.0.1 with an ephemeral port and answers GET / with a version', async () => {
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { status, json } = await call('GET', '/');
    expect(status).toBe(200);
    expect(json['version']).toBe('1.19.0');
  });

  it('wraps results as { result, status: "ok", time }', async () => {
    const { status, json } = await call('PUT', '/collections/env', { vectors: { size: 2, distance: 'Dot' }, metadata: { m: 1 } });
    expect(status).toBe(200);
    expect(json).toMatchObject({ result: true, status: 'ok' });
    expect(typeof json['time']).toBe('number');
    const info = await call('GET', '/collections/env');
    expect(info.json['result']).toMatchObject({
      status: 'green',
      points_count: 0,
      config: { params: { vectors: { size: 2, distance: 'Dot' } }, metadata: { m: 1 } },
    });
    expect((await call('GET', '/collections/env/exists')).json['result']).toEqual({ exists: true });
    expect((await call('GET', '/collections')).json['result']).toEqual({ collections: [{ name: 'env' }] });
  });

  it('wraps errors as { status: { error }, time } with Qdrant\'s status codes', async () => {
    const missing = await call('GET', '/collections/nope');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ status: { error: 'Not found: Collection `nope` doesn\'t exist!' } });
    const twice = await call('PUT', '/collections/env', { vectors: { size: 2, distance: 'Dot' } });
    expect(twice.status).toBe(409);
    expect((twice.json['status'] as { error: string }).error).toMatch(/already exists/);
    const dim = await call('PUT', '/collections/env/points', { points: [{ id: ID, vector: [1, 2, 3], payload: {} }] });
    expect(dim.status).toBe(400);
    expect(dim.json).toMatchObject({ status: { error: 'Wrong input: Vector dimension error: expected dim: 2, got 3' } });
    const qdim = await call('POST', '/collections/env/points/query', { query: [1], limit: 1 });
    expect(qdim.status).toBe(400);
    expect((await call('PUT', '/collections/cos', { vectors: { size: 2, distance: 'Cosine' } })).status).toBe(400);
    expect((await call('POST', '/collections/env/points/scroll', { filter: { must: [{ key: 'a', match: { value: 1.5 } }] } })).status).toBe(400);
    expect((await call('PUT', '/collections/env/points', { points: [{ id: -7, vector: [1, 2] }] })).status).toBe(400);
    expect((await call('PUT', '/collections/env/points', { points: [{ id: 'seven', vector: [1, 2] }] })).status).toBe(400);
    expect((await call('POST', '/collections/env/points/nothing', {})).status).toBe(404);
    const notJson = await fetch(`${s.url}/collections/env/points/count`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
  });

  it('upserts, queries, retrieves, scrolls, counts, sets payload and deletes', async () => {
    const upper = ID.toUpperCase();
    expect((await call('PUT', '/collections/env/points?wait=true', { points: [{ id: upper, vector: [1, 0], payload: { a: 1 } }] })).json).toMatchObject({
      result: { status: 'completed' },
    });
    const q = await call('POST', '/collections/env/points/query', { query: { nearest: [1, 1] }, limit: 5, with_payload: true });
    expect(q.json['result']).toEqual({ points: [{ id: ID, version: 0, score: 1, payload: { a: 1 } }] });
    expect((await call('POST', '/collections/env/points', { ids: [ID], with_vector: true })).json['result']).toEqual([{ id: ID, payload: { a: 1 }, vector: [1, 0] }]);
    expect((await call('POST', '/collections/env/points/scroll', { limit: 1 })).json['result']).toEqual({ points: [{ id: ID, payload: { a: 1 } }], next_page_offset: null });
    expect((await call('POST', '/collections/env/points/payload', { payload: { b: 2 }, points: [ID] })).status).toBe(200);
    expect((await call('POST', '/collections/env/points/count', { filter: { must: [{ key: 'b', match: { value: 2 } }] } })).json['result']).toEqual({ count: 1 });
    const missing = await call('POST', '/collections/env/points/payload', { payload: { b: 2 }, points: ['00000000-0000-4000-8000-000000000000'] });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ status: { error: 'Not found: No point with id 00000000-0000-4000-8000-000000000000 found' } });
    expect((await call('PUT', '/collections/env/index', { field_name: 't', field_schema: { type: 'keyword', is_tenant: true } })).status).toBe(200);
    expect(((await call('GET', '/collections/env')).json['result'] as { payload_schema: unknown }).payload_schema).toEqual({
      t: { data_type: 'keyword', params: { type: 'keyword', is_tenant: true }, points: 1 },
    });
    expect((await call('POST', '/collections/env/points/delete', { points: [ID] })).status).toBe(200);
    expect((await call('POST', '/collections/env/points/count', {})).json['result']).toEqual({ count: 0 });
    expect((await call('DELETE', '/collections/env')).json['result']).toBe(true);
    expect((await call('DELETE', '/collections/env')).json['result']).toBe(false);
  });

  it('answers 400 for a body over the limit, as actix-web does for Qdrant (src/actix/mod.rs)', async () => {
    const big = await call('PUT', '/collections/x/points', { points: [{ id: ID, vector: [1], payload: { b: 'x'.repeat(5000) } }] });
    expect(big.status).toBe(400);
    expect((big.json['status'] as { error: string }).error).toMatch(/larger than allowed \(limit: 4096 bytes\)/);
  });

  it('fires a fault only on matching requests and only as many times as armed', async () => {
    s.inject({ kind: 'status', status: 503, retryAfter: '3', message: 'busy' }, { method: 'GET', path: /^\/$/, times: 2 });
    expect((await call('GET', '/collections')).status).toBe(200);
    const first = await call('GET', '/');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.json).toMatchObject({ status: { error: 'busy' } });
    expect((await call('GET', '/')).status).toBe(503);
    expect((await call('GET', '/')).status).toBe(200);
    expect(s.pendingFaults).toBe(0);
  });

  it('answers wait_timeout for an applied write when asked', async () => {
    await call('PUT', '/collections/wt', { vectors: { size: 1, distance: 'Dot' } });
    s.inject({ kind: 'wait-timeout' }, { method: 'PUT', path: /\/points$/ });
    const r = await call('PUT', '/collections/wt/points?wait=true&timeout=1', { points: [{ id: 1, vector: [1] }] });
    expect(r.json['result']).toMatchObject({ status: 'wait_timeout' });
    expect((await call('POST', '/collections/wt/points/count', {})).json['result']).toEqual({ count: 1 });
    expect(s.requests.at(-2)).toMatchObject({ query: { wait: 'true', timeout: '1' }, points: 1, fault: 'wait-timeout', applied: true });
    await call('DELETE', '/collections/wt');
  });

  it('drops the socket when asked', async () => {
    s.inject({ kind: 'drop', when: 'before-apply' }, { path: /^\/$/ });
    await expect(fetch(`${s.url}/`)).rejects.toThrow(/fetch failed/);
    expect(s.requests.at(-1)).toMatchObject({ path: '/', status: 'dropped', applied: false });
  });

  it('bounds faults in count and time', () => {
    expect(() => s.inject({ kind: 'status', status: 500 }, { times: 0 })).toThrow(RangeError);
    expect(() => s.inject({ kind: 'status', status: 500 }, { times: 1e9 })).toThrow(RangeError);
    expect(() => s.inject({ kind: 'delay', ms: 10 * 60_000 })).toThrow(RangeError);
    expect(() => s.inject({ kind: 'delay', ms: -1 })).toThrow(RangeError);
    s.clearFaults();
    expect(s.pendingFaults).toBe(0);
  });

  it('closes cleanly with a delayed request still pending', async () => {
    const other = await QdrantStandin.start();
    other.inject({ kind: 'delay', ms: 30_000 });
    const pending = fetch(`${other.url}/`).catch((e: unknown) => e);
    await expect.poll(() => other.inFlight).toBe(1);
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${other.url}/`)).rejects.toThrow();
  });

  it('models approximate search when asked: misses shrink as hnsw_ef grows, exact misses nothing', async () => {
    const approx = await QdrantStandin.start({ approximate: { approximateAbove: 100 } });
    try {
      const at = (path: string, body: unknown, method = 'POST') =>
        fetch(`${approx.url}${path}`, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }).then(
          (r) => r.json() as Promise<{ result: { points: { id: number }[] } }>,
        );
      await at('/collections/a', { vectors: { size: 2, distance: 'Euclid' } }, 'PUT');
      const points = Array.from({ length: 400 }, (_, i) => ({ id: i, vector: [Math.cos(i), Math.sin(i) * (1 + i / 400)] }));
      await at('/collections/a/points?wait=true', { points }, 'PUT');
      const top = async (params: unknown) => (await at('/collections/a/points/query', { query: [0.3, 0.2], limit: 50, params })).result.points.map((p) => p.id);
      const exact = await top({ exact: true });
      const recall = (ids: number[]) => ids.filter((id) => exact.includes(id)).length / exact.length;
      const low = recall(await top({ hnsw_ef: 1 })); // ef = max(1, limit 50): 20% missed
      const high = recall(await top({ hnsw_ef: 1000 })); // 1% missed
      expect(low).toBeLessThan(high);
      expect(high).toBeLessThanOrEqual(1);
      expect(low).toBeGreaterThan(0.5);
      // deterministic, like a fixed index: the same query misses the same points
      expect(await top({ hnsw_ef: 1 })).toEqual(await top({ hnsw_ef: 1 }));
    } finally {
      await approx.close();
    }
  });
});
