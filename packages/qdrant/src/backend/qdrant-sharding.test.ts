/**
 * QdrantBackend with custom sharding (one shard key per tenant), over the stand-in, which
 * answers as Qdrant does: writes must name an existing shard key ("Shard key not specified",
 * "Shard key X not found", ShardHolder::split_by_shard), reads without one see every shard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../log.js';
import { QdrantBackend } from './qdrant.js';
import { QdrantStandin } from '../__tests__/qdrant-standin/index.js';
import { points as makePoints, rng, sortedIds } from './__tests__/fixtures.js';
import type { Point } from './types.js';

let s: QdrantStandin;
const fast = { attempts: 2, baseMs: 1, maxMs: 2 };
const custom = { sharding: { method: 'custom' as const, shardsPerKey: 2 } };

beforeAll(async () => {
  s = await QdrantStandin.start();
});

afterAll(async () => {
  await s.close();
});

const shardKeysOf = async (name: string) =>
  ((await fetch(`${s.url}/collections/${name}/shards`).then((r) => r.json())) as { result: { shard_keys: { key: string }[] } }).result.shard_keys.map((k) => k.key).sort();

async function twoTenants(name: string, logs: LogEvent[] = []): Promise<{ b: QdrantBackend; a: Point[]; z: Point[] }> {
  const b = new QdrantBackend({ url: s.url, retry: fast, collection: custom, logger: (e) => logs.push(e) });
  await b.createCollection({ name, dimension: 3, distance: 'Euclid', tenantField: 'tnt', keywordFields: ['kid'] });
  const a = makePoints(rng(1), 5, 3, (i) => ({ tnt: 'acme', kid: `k${i % 2}` }));
  const z = makePoints(rng(2), 4, 3, (i) => ({ tnt: 'zeta', kid: `k${i % 2}` }));
  expect((await b.upsert(name, [...a, ...z])).failed).toEqual([]);
  return { b, a, z };
}

describe('QdrantBackend with custom sharding by tenant', () => {
  it('creates one shard key per tenant on first write, and every upsert names its key', async () => {
    const logs: LogEvent[] = [];
    const from = s.requests.length;
    await twoTenants('cs_write', logs);
    expect(await shardKeysOf('cs_write')).toEqual(['acme', 'zeta']);
    const creates = s.requests.slice(from).filter((r) => r.method === 'PUT' && r.path === '/collections/cs_write/shards');
    expect(creates.map((r) => r.body)).toEqual([
      { shard_key: 'acme', shards_number: 2 },
      { shard_key: 'zeta', shards_number: 2 },
    ]);
    const upserts = s.requests.slice(from).filter((r) => r.method === 'PUT' && r.path === '/collections/cs_write/points');
    expect(upserts.map((r) => [(r.body as { shard_key: string }).shard_key, r.points]).sort()).toEqual([
      ['acme', 5],
      ['zeta', 4],
    ]);
    expect(logs.filter((e) => e.event === 'backend.shard-key.created').map((e) => e.fields)).toEqual([{ collection: 'cs_write', created: 2 }]);
  });

  it('a read on one tenant goes to its shard key; a tenant never written reads as empty', async () => {
    const { b, a } = await twoTenants('cs_read');
    const onAcme = { must: [{ key: 'tnt', match: { value: 'acme' } }] };
    const from = s.requests.length;
    expect(await b.count('cs_read', onAcme)).toBe(5);
    const hits = await b.query('cs_read', { vector: a[0]!.vector, limit: 3, filter: onAcme });
    expect(hits[0]!.id).toBe(a[0]!.id);
    expect(sortedIds((await b.scroll('cs_read', { limit: 10, filter: onAcme })).points.map((p) => p.id))).toEqual(sortedIds(a.map((p) => p.id)));
    for (const r of s.requests.slice(from)) expect(r.body).toMatchObject({ shard_key: 'acme' });
    const nobody = { must: [{ key: 'tnt', match: { value: 'nobody' } }] };
    expect(await b.count('cs_read', nobody)).toBe(0);
    expect(await b.query('cs_read', { vector: a[0]!.vector, limit: 3, filter: nobody })).toEqual([]);
    expect(await b.scroll('cs_read', { limit: 3, filter: nobody })).toEqual({ points: [], nextOffset: null });
    // without a tenant condition every shard is read
    expect(await b.count('cs_read')).toBe(9);
  });

  it('deletes and payload updates by id go to the shard key of each point', async () => {
    const { b, a, z } = await twoTenants('cs_ids');
    await b.setPayload('cs_ids', [
      { id: a[0]!.id, payload: { seen: true } },
      { id: z[0]!.id, payload: { seen: true } },
    ]);
    expect((await b.retrieve('cs_ids', [a[0]!.id, z[0]!.id])).map((p) => p.payload['seen'])).toEqual([true, true]);
    const from = s.requests.length;
    await b.delete('cs_ids', { ids: [a[1]!.id, z[1]!.id, z[2]!.id] });
    const deletes = s.requests.slice(from).filter((r) => r.path.endsWith('/points/delete'));
    expect(deletes.map((r) => (r.body as { shard_key: string }).shard_key).sort()).toEqual(['acme', 'zeta']);
    expect(await b.count('cs_ids')).toBe(6);
    await expect(b.setPayload('cs_ids', [{ id: a[1]!.id, payload: {} }])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('deletes by filter within one tenant, or across every shard key', async () => {
    const { b } = await twoTenants('cs_filter');
    await b.delete('cs_filter', { filter: { must: [{ key: 'tnt', match: { value: 'acme' } }, { key: 'kid', match: { value: 'k0' } }] } });
    expect(await b.count('cs_filter')).toBe(6);
    await b.delete('cs_filter', { filter: { must: [{ key: 'kid', match: { value: 'k1' } }] } });
    expect(await b.count('cs_filter')).toBe(2);
    await b.delete('cs_filter', { filter: { must: [{ key: 'tnt', match: { value: 'nobody' } }] } });
    expect(await b.count('cs_filter')).toBe(2);
  });

  it('a point without a usable tenant value fails alone, with a coded error', async () => {
    const { b } = await twoTenants('cs_bad');
    const [ok, none, wrong] = makePoints(rng(3), 3, 3, (i) => (i === 0 ? { tnt: 'acme' } : i === 1 ? {} : { tnt: ['a', 'b'] }));
    const res = await b.upsert('cs_bad', [ok!, none!, wrong!]);
    expect(res.stored).toEqual([ok!.id]);
    expect(res.failed.map((f) => [f.id, (f.error as { code?: string }).code])).toEqual([
      [none!.id, 'ERR_BACKEND'],
      [wrong!.id, 'ERR_BACKEND'],
    ]);
    expect(res.failed[0]!.error.message).toMatch(/tenant field/);
  });

  it('with createKeys: false, a write to a tenant without a shard key fails with Qdrant\'s message', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast, collection: { sharding: { method: 'custom', createKeys: false } } });
    await b.createCollection({ name: 'cs_nokeys', dimension: 3, distance: 'Euclid', tenantField: 'tnt' });
    const pts = makePoints(rng(4), 2, 3, () => ({ tnt: 'acme' }));
    const res = await b.upsert('cs_nokeys', pts);
    expect(res.stored).toEqual([]);
    expect(res.failed[0]!.error).toMatchObject({ status: 400, detail: 'Wrong input: Shard key acme not found' });
  });

  it('custom sharding needs a tenant field; a backend without the setting still routes by the collection\'s own', async () => {
    const b = new QdrantBackend({ url: s.url, retry: fast, collection: custom });
    await expect(b.createCollection({ name: 'cs_none', dimension: 3, distance: 'Euclid' })).rejects.toThrow(/tenantField/);
    await twoTenants('cs_other');
    const plain = new QdrantBackend({ url: s.url, retry: fast });
    const more = makePoints(rng(5), 2, 3, () => ({ tnt: 'newco' }));
    expect((await plain.upsert('cs_other', more)).failed).toEqual([]);
    expect(await shardKeysOf('cs_other')).toEqual(['acme', 'newco', 'zeta']);
  });
});
