/**
 * QdrantBackend beyond the shared contract: options, what it sends (Query API, payload indexes,
 * wait=true, server timeouts, ordering, consistency, search parameters, payload selectors,
 * cluster settings), rollback of a half-created collection, old servers without collection
 * metadata, a dimension cache that follows a collection recreated elsewhere, injected clients,
 * and what the logger hears.
 */
import { QdrantClient as QdrantClient119 } from '@qdrant/js-client-rest-1.19';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../log.js';
import { QdrantBackend } from './qdrant.js';
import { QdrantStandin, type RequestRecord } from '../__tests__/qdrant-standin/index.js';
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
      [{ url: 'http://x', logger: {} }, /"options.logger"/],
      [{ client: {} }, /"options.client" expected a QdrantClient/],
      [{ client: { api: () => ({}) } }, /lacks the REST operations getCollections/],
      [{ url: 'http://x', client: new QdrantClient119({ url: 'http://x', checkCompatibility: false }) }, /do not pass "options.url"/],
      [{ url: 'http://x', timeoutMs: 5000, serverTimeoutSec: 5 }, /"options.serverTimeoutSec" expected below/],
      [{ url: 'http://x', serverTimeoutSec: 0 }, /"options.serverTimeoutSec"/],
      [{ url: 'http://x', writeOrdering: 'fast' }, /"options.writeOrdering"/],
      [{ url: 'http://x', readConsistency: 0 }, /"options.readConsistency"/],
      [{ url: 'http://x', search: { hnswEf: 0 } }, /"options.search.hnswEf"/],
      [{ url: 'http://x', exact: 'yes' }, /"options.exact"/],
      [{ url: 'http://x', collection: { replicationFactor: 2, writeConsistencyFactor: 3 } }, /"options.collection.writeConsistencyFactor"/],
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

/** Requests to `name` since `from`, as `METHOD /rest-of-path`. */
function sent(from: number, name: string): RequestRecord[] {
  return s.requests.slice(from).filter((r) => r.path.startsWith(`/collections/${name}`));
}

describe('QdrantBackend request settings', () => {
  it('every request takes a server timeout below the client deadline; writes wait with their ordering, reads ask their consistency', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast, timeoutMs: 20_000, writeOrdering: 'strong', readConsistency: 'majority' });
    const from = s.requests.length;
    await b.createCollection({ name: 'params', dimension: 2, distance: 'Dot', keywordFields: ['k'] });
    const pts = makePoints(rng(5), 3, 2, () => ({ k: 'v' }));
    await b.upsert('params', pts);
    await b.query('params', { vector: Float32Array.of(1, 0), limit: 1 });
    await b.scroll('params', { limit: 1 });
    await b.count('params');
    await b.retrieve('params', [pts[0]!.id]);
    await b.setPayload('params', [{ id: pts[0]!.id, payload: { k: 'w' } }]);
    await b.delete('params', { ids: [pts[1]!.id] });
    const byRoute = sent(from, 'params').map((r) => [`${r.method} ${r.path.replace('/collections/params', '')}`, r.query]);
    expect(byRoute).toEqual([
      ['PUT ', { timeout: '18' }],
      ['PUT /index', { wait: 'true', timeout: '18', ordering: 'strong' }],
      ['GET ', {}],
      ['PUT /points', { wait: 'true', timeout: '18', ordering: 'strong' }],
      ['POST /points/query', { timeout: '18', consistency: 'majority' }],
      ['POST /points/scroll', { timeout: '18', consistency: 'majority' }],
      ['POST /points/count', { timeout: '18', consistency: 'majority' }],
      ['POST /points', { timeout: '18', consistency: 'majority' }],
      ['POST /points', { timeout: '18', consistency: 'majority' }],
      ['POST /points/payload', { wait: 'true', timeout: '18', ordering: 'strong' }],
      ['POST /points/delete', { wait: 'true', timeout: '18', ordering: 'strong' }],
    ]);
    const quiet = new QdrantBackend({ url: s.url, retry: fast, serverTimeoutSec: null });
    const at = s.requests.length;
    await quiet.count('params');
    expect(s.requests.slice(at)[0]!.query).toEqual({});
    await b.close();
    await quiet.close();
  });

  it('adopts a collection\'s strict-mode max_timeout when Qdrant refuses a longer one', async () => {
    const logs: LogEvent[] = [];
    const b = new QdrantBackend({ url: s.url, retry: fast, timeoutMs: 30_000, logger: (e) => logs.push(e), collection: { strictMode: { enabled: true, max_timeout: 5 } } });
    await b.createCollection({ name: 'maxtime', dimension: 2, distance: 'Dot' });
    const from = s.requests.length;
    expect(await b.count('maxtime')).toBe(0);
    expect(await b.count('maxtime')).toBe(0);
    expect(sent(from, 'maxtime').map((r) => [r.status, r.query['timeout']])).toEqual([
      [400, '27'],
      [200, '5'],
      [200, '5'],
    ]);
    expect(logs.filter((e) => e.event === 'backend.timeout.lowered').map((e) => e.fields)).toEqual([{ op: 'count maxtime', timeoutSec: 5 }]);
    await b.close();
  });

  it('passes search parameters through: the request over the defaults, hnsw_ef never below the limit', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast, search: { hnswEf: 64, quantization: { rescore: true } } });
    await b.createCollection({ name: 'search', dimension: 2, distance: 'Euclid' });
    await b.upsert('search', makePoints(rng(6), 5, 2));
    const body = async (req: Parameters<QdrantBackend['query']>[1]) => {
      const from = s.requests.length;
      await b.query('search', req);
      return (s.requests.slice(from).find((r) => r.path.endsWith('/points/query'))!.body as { params?: unknown }).params;
    };
    const v = Float32Array.of(0, 0);
    expect(await body({ vector: v, limit: 5 })).toEqual({ hnsw_ef: 64, quantization: { rescore: true } });
    expect(await body({ vector: v, limit: 100 })).toEqual({ hnsw_ef: 100, quantization: { rescore: true } });
    expect(await body({ vector: v, limit: 5, params: { hnswEf: 256, exact: true, quantization: { oversampling: 3 } } })).toEqual({
      hnsw_ef: 256,
      exact: true,
      quantization: { rescore: true, oversampling: 3 },
    });
    const plain = new QdrantBackend({ url: s.url, retry: fast });
    const from = s.requests.length;
    await plain.query('search', { vector: v, limit: 5 });
    expect((s.requests.slice(from).find((r) => r.path.endsWith('/points/query'))!.body as Record<string, unknown>)['params']).toBeUndefined();
    const exact = new QdrantBackend({ url: s.url, retry: fast, exact: true });
    const at = s.requests.length;
    await exact.query('search', { vector: v, limit: 5 });
    expect((s.requests.slice(at).find((r) => r.path.endsWith('/points/query'))!.body as Record<string, unknown>)['params']).toEqual({ exact: true });
    await b.close();
  });

  it('sends payload selectors as include paths, quoting keys that need it', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast });
    await b.createCollection({ name: 'sel', dimension: 2, distance: 'Dot' });
    const pts = makePoints(rng(7), 2, 2, () => ({ 'my key': 1, h: 2 }));
    await b.upsert('sel', pts);
    const from = s.requests.length;
    expect((await b.retrieve('sel', [pts[0]!.id], { withPayload: ['my key'] }))[0]!.payload).toEqual({ 'my key': 1 });
    expect(s.requests.slice(from)[0]!.body).toMatchObject({ with_payload: { include: ['"my key"'] }, with_vector: false });
    await b.close();
  });

  it('creates collections with the cluster settings it was given', async () => {
    const b = new QdrantBackend({
      url: s.url,
      retry: fast,
      collection: {
        shardNumber: 4,
        replicationFactor: 2,
        writeConsistencyFactor: 2,
        onDiskPayload: false,
        vectorsOnDisk: true,
        hnsw: { m: 0, payload_m: 16 },
        quantization: { scalar: { type: 'int8', always_ram: true } },
        strictMode: { enabled: true, unindexed_filtering_retrieve: false, max_query_limit: 1000 },
      },
    });
    await b.createCollection({ name: 'cluster', dimension: 3, distance: 'Euclid', tenantField: 't' });
    const info = (await fetch(`${s.url}/collections/cluster`).then((r) => r.json())) as { result: { config: Record<string, Record<string, unknown>> } };
    expect(info.result.config['params']).toMatchObject({
      vectors: { size: 3, distance: 'Euclid', on_disk: true },
      shard_number: 4,
      replication_factor: 2,
      write_consistency_factor: 2,
      on_disk_payload: false,
    });
    expect(info.result.config['hnsw_config']).toMatchObject({ m: 0, payload_m: 16 });
    expect(info.result.config['quantization_config']).toEqual({ scalar: { type: 'int8', always_ram: true } });
    expect(info.result.config['strict_mode_config']).toEqual({ enabled: true, unindexed_filtering_retrieve: false, max_query_limit: 1000 });
    // strict mode now guards the collection: limits and unindexed filters are Qdrant's 400s
    await expect(b.query('cluster', { vector: Float32Array.of(0, 0, 0), limit: 1001 })).rejects.toMatchObject({
      status: 400,
      detail: expect.stringContaining('Limit exceeded 1001 > 1000 for "limit"'),
    });
    await b.close();
  });
});

describe('QdrantBackend metadata, listing, indexes', () => {
  it('setMetadata refuses top-level nulls (Qdrant would delete the key) and reads its result back', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast });
    await b.createCollection({ name: 'md', dimension: 2, distance: 'Dot', metadata: { a: 1 } });
    await expect(b.setMetadata('md', { a: null })).rejects.toThrow(/"metadata.a" is null/);
    const from = s.requests.length;
    await b.setMetadata('md', { b: { nested: null } });
    const patch = s.requests.slice(from).find((r) => r.method === 'PATCH');
    expect(patch?.body).toEqual({ metadata: { a: null, b: { nested: null } } });
    expect((await b.describe('md'))?.metadata).toEqual({ b: { nested: null } });
    const old = await QdrantStandin.start({ version: '1.15.0', collectionMetadata: false });
    try {
      const ob = new QdrantBackend({ url: old.url, retry: fast });
      await ob.createCollection({ name: 'm', dimension: 2, distance: 'Dot' });
      await expect(ob.setMetadata('m', { scheme: 1 })).rejects.toThrow(/needs Qdrant 1\.16/);
    } finally {
      await old.close();
    }
    await b.close();
  });

  it('ensureIndexes creates only what is missing, reports it to the logger, and a strict-mode refusal is never retried', async () => {
    const logs: LogEvent[] = [];
    const b = new QdrantBackend({ url: s.url, retry: { attempts: 4, baseMs: 1, maxMs: 2 }, logger: (e) => logs.push(e), collection: { strictMode: { enabled: true, unindexed_filtering_retrieve: false } } });
    await b.createCollection({ name: 'upgrade', dimension: 2, distance: 'Dot', tenantField: 'tnt', keywordFields: ['kid'] });
    const from = s.requests.length;
    await expect(b.count('upgrade', { must: [{ key: 'ep', match: { value: 1 } }] })).rejects.toMatchObject({ status: 400 });
    expect(sent(from, 'upgrade')).toHaveLength(1);
    logs.length = 0;
    expect(await b.ensureIndexes('upgrade', { tenantField: 'tnt', keywordFields: ['kid'], integerFields: ['ep'] })).toEqual(['ep']);
    expect(logs.map((e) => [e.event, e.fields])).toEqual([['backend.index.created', { collection: 'upgrade', field: 'ep', type: 'integer' }]]);
    expect(await b.count('upgrade', { must: [{ key: 'ep', match: { value: 1 } }] })).toBe(0);
    expect(await b.listCollections()).toContain('upgrade');
    await b.close();
  });
});

describe('QdrantBackend logging and injected clients', () => {
  it('reports each retry as a backend.retry event with public facts only (no Qdrant message, no payload)', async () => {
    const logs: LogEvent[] = [];
    const b = new QdrantBackend({ url: s.url, retry: fast, logger: (e) => logs.push(e) });
    await b.createCollection({ name: 'logged', dimension: 2, distance: 'Dot' });
    s.inject({ kind: 'status', status: 503, message: 'Service internal error: payload {"secret":"hunter2"}' }, { path: /\/collections\/logged\/points$/ });
    await b.upsert('logged', makePoints(rng(8), 2, 2, () => ({ secret: 'hunter2' })));
    const retry = logs.filter((e) => e.event === 'backend.retry');
    expect(retry).toHaveLength(1);
    expect(retry[0]).toMatchObject({ level: 'warn', fields: { backend: 'qdrant', op: 'upsert into logged', attempt: 1, reason: 'HTTP 503' } });
    expect(JSON.stringify(logs)).not.toContain('hunter2');
    // a logger that throws does not break the operation it reports on
    const noisy = new QdrantBackend({ url: s.url, retry: fast, logger: () => { throw new Error('log sink down'); } });
    s.inject({ kind: 'status', status: 503 }, { path: /\/collections\/logged\/points\/count$/ });
    expect(await noisy.count('logged')).toBe(2);
    await b.close();
    await noisy.close();
  });

  it('sends through an injected client and enforces its own deadline on it', async () => {
    const client = new QdrantClient119({ url: s.url, checkCompatibility: false });
    const retries: string[] = [];
    const b = new QdrantBackend({ client, timeoutMs: 150, retry: { attempts: 2, baseMs: 1, maxMs: 2 }, onRetry: (i) => retries.push((i.error as Error).name) });
    await b.createCollection({ name: 'injected', dimension: 2, distance: 'Dot' });
    s.inject({ kind: 'delay', ms: 500 }, { path: /\/collections\/injected\/points\/count$/ });
    expect(await b.count('injected')).toBe(0);
    expect(retries).toEqual(['DeadlineExceeded']);
    s.inject({ kind: 'delay', ms: 500 }, { path: /\/collections\/injected\/points\/count$/, times: 2 });
    await expect(b.count('injected')).rejects.toThrow(/timed out after 150 ms/);
    await b.close();
  });
});
