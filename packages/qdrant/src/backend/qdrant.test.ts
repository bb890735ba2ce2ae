/**
 * QdrantBackend beyond the shared contract: options, what it sends (Query API, payload indexes,
 * wait=true, short floats), rollback of a half-created collection, old servers without
 * collection metadata, and a dimension cache that follows a collection recreated elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QdrantBackend } from './qdrant.js';
import { QdrantStandin } from '../__tests__/qdrant-standin/index.js';
import { points as makePoints, rng } from './__tests__/fixtures.js';

let s: QdrantStandin;
const fast = { attempts: 2, baseMs: 1, maxMs: 2 };

beforeAll(async () => {
  s = await QdrantStandin.start();
});

afterAll(async () => {
  await s.close();
});

describe('QdrantBackend options', () => {
  it('rejects bad options naming them', () => {
    const bad: [unknown, RegExp][] = [
      [null, /"options"/],
      [{}, /"options.url"/],
      [{ url: 'localhost:6333' }, /"options.url"/],
      [{ url: 'http://x', apiKey: 1 }, /"options.apiKey"/],
      [{ url: 'http://x', timeoutMs: 0 }, /"options.timeoutMs"/],
      [{ url: 'http://x', maxBatchBytes: 10 }, /"options.maxBatchBytes"/],
      [{ url: 'http://x', batchSize: 0 }, /"options.batchSize"/],
      [{ url: 'http://x', concurrency: 65 }, /"options.concurrency"/],
      [{ url: 'http://x', retry: { attempts: 0 } }, /"retry.attempts"/],
      [{ url: 'http://x', onRetry: 'log' }, /"options.onRetry"/],
    ];
    for (const [o, msg] of bad) expect(() => new QdrantBackend(o as never)).toThrow(msg);
  });

  it('does not call GET / at construction (no version check noise)', async () => {
    const from = s.requests.length;
    const b = new QdrantBackend({ url: s.url });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.requests.slice(from).filter((r) => r.path === '/')).toEqual([]);
    await b.close();
    await expect(b.count('x')).rejects.toThrow(TypeError);
  });
});

describe('QdrantBackend requests', () => {
  it('creates the collection, a tenant index and keyword indexes, and queries through /points/query', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast });
    const from = s.requests.length;
    await b.createCollection({ name: 'req', dimension: 3, distance: 'Dot', tenantField: 'tenant', keywordFields: ['tok'], metadata: { v: 1 } });
    const pts = makePoints(rng(1), 5, 3, (i) => ({ tenant: 't', tok: [`x${i}`] }));
    await b.upsert('req', pts);
    await b.query('req', { vector: Float32Array.of(1, 0, 0), limit: 2, filter: { must: [{ key: 'tenant', match: { value: 't' } }] } });
    const paths = s.requests.slice(from).map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual([
      'PUT /collections/req',
      'PUT /collections/req/index',
      'PUT /collections/req/index',
      'GET /collections/req',
      'PUT /collections/req/points',
      'POST /collections/req/points/query',
    ]);
    const info = await fetch(`${s.url}/collections/req`).then((r) => r.json() as Promise<{ result: { payload_schema: unknown } }>);
    expect(info.result.payload_schema).toEqual({
      tenant: { data_type: 'keyword', params: { type: 'keyword', is_tenant: true }, points: 5 },
      tok: { data_type: 'keyword', points: 5 },
    });
    await b.close();
  });

  it('removes a half-created collection when creating an index fails', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast });
    s.inject({ kind: 'status', status: 500, message: 'index broke' }, { path: /^\/collections\/half\/index$/, times: 2 });
    await expect(b.createCollection({ name: 'half', dimension: 2, distance: 'Dot', keywordFields: ['k'] })).rejects.toMatchObject({
      code: 'ERR_BACKEND',
      status: 500,
      detail: 'index broke',
    });
    expect(await b.describe('half')).toBeNull();
    await b.createCollection({ name: 'half', dimension: 2, distance: 'Dot', keywordFields: ['k'] });
    await b.close();
  });

  it('a server that drops collection metadata (Qdrant < 1.16) fails loudly and leaves nothing behind', async () => {
    const old = await QdrantStandin.start({ version: '1.15.0', collectionMetadata: false });
    try {
      const b = new QdrantBackend({ url: old.url, retry: fast });
      await expect(b.createCollection({ name: 'm', dimension: 2, distance: 'Dot', metadata: { scheme: 1 } })).rejects.toThrow(/needs Qdrant 1\.16/);
      expect(await b.describe('m')).toBeNull();
      // without metadata there is nothing to lose
      await b.createCollection({ name: 'm', dimension: 2, distance: 'Dot' });
      expect(await b.describe('m')).toEqual({ name: 'm', dimension: 2, distance: 'Dot', metadata: {} });
    } finally {
      await old.close();
    }
  });

  it('follows a collection recreated elsewhere with another dimension', async () => {
    const a = new QdrantBackend({ url: s.url, retry: fast });
    const other = new QdrantBackend({ url: s.url, retry: fast });
    await a.createCollection({ name: 'moved', dimension: 2, distance: 'Euclid' });
    await a.upsert('moved', makePoints(rng(2), 2, 2));
    await other.deleteCollection('moved');
    await other.createCollection({ name: 'moved', dimension: 3, distance: 'Euclid' });
    const pts = makePoints(rng(3), 3, 3);
    expect(await a.upsert('moved', pts)).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    expect(await a.query('moved', { vector: pts[0]!.vector, limit: 1 })).toMatchObject([{ id: pts[0]!.id }]);
    await expect(a.query('moved', { vector: Float32Array.of(1, 2), limit: 1 })).rejects.toMatchObject({ code: 'ERR_DIMENSION_MISMATCH' });
    await a.close();
    await other.close();
  });

  it('retrieves and deletes many ids in several requests, keeping the caller\'s order', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast });
    await b.createCollection({ name: 'many', dimension: 2, distance: 'Dot' });
    const pts = makePoints(rng(4), 2500, 2);
    await b.upsert('many', pts, { batchSize: 1000 });
    const from = s.requests.length;
    const wanted = [...pts].reverse().map((p) => p.id);
    const got = await b.retrieve('many', wanted);
    expect(got.map((p) => p.id)).toEqual(wanted);
    expect(s.requests.slice(from).filter((r) => r.method === 'POST' && r.path === '/collections/many/points')).toHaveLength(3);
    await b.delete('many', { ids: wanted.slice(0, 2100) });
    expect(await b.count('many')).toBe(400);
    await b.close();
  });
});
