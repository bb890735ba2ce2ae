/**
 * QdrantBackend under failure, through the stand-in's fault injection: 5xx, 429 + Retry-After,
 * timeouts, connections dropped before or after the server applied a write, bodies over the
 * server's limit, batches refused for one bad point. After each scenario the stand-in's storage
 * is checked with count and retrieve: nothing lost, nothing duplicated, failures reported exactly
 * when retries ran out, and re-running the same upsert is safe.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from '@sealvec/core';
import { points as makePoints, rng, sortedIds } from './__tests__/fixtures.js';
import { QdrantBackend, type QdrantBackendOptions } from './qdrant.js';
import { QdrantStandin } from '../__tests__/qdrant-standin/index.js';
import type { LogEvent } from '../log.js';
import type { RetryInfo } from './retry.js';
import type { Point } from './types.js';

let standin: QdrantStandin;
let n = 0;

beforeAll(async () => {
  standin = await QdrantStandin.start();
});

afterAll(async () => {
  await standin.close();
});

afterEach(() => {
  standin.clearFaults();
  standin.rejectUpserts(null);
  standin.maxBodyBytes = 32 * 1024 * 1024;
});

const UPSERT = { method: 'PUT', path: /^\/collections\/[^/]+\/points$/ };

function backend(extra: Partial<QdrantBackendOptions> = {}): { b: QdrantBackend; retries: RetryInfo[] } {
  const retries: RetryInfo[] = [];
  const b = new QdrantBackend({
    url: standin.url,
    retry: { attempts: 4, baseMs: 1, maxMs: 5 },
    timeoutMs: 5_000,
    onRetry: (i) => retries.push(i),
    ...extra,
  });
  return { b, retries };
}

async function collection(b: QdrantBackend, dimension = 4): Promise<string> {
  const name = `faults_${++n}`;
  await b.createCollection({ name, dimension, distance: 'Euclid' });
  return name;
}

/** Storage holds exactly `pts` (by id, vector and payload), nothing more. */
async function expectStoredExactly(b: QdrantBackend, name: string, pts: Point[]): Promise<void> {
  expect(await b.count(name)).toBe(pts.length);
  const got = await b.retrieve(
    name,
    pts.map((p) => p.id),
    { withVector: true },
  );
  expect(got).toEqual(pts);
}

/** Upserts into collection `name` seen by the stand-in since request number `from`. */
function upsertRecords(from: number, name: string) {
  return standin.requests.slice(from).filter((r) => r.method === 'PUT' && r.path === `/collections/${name}/points`);
}

describe('QdrantBackend faults: 5xx', () => {
  it('retries 500s and stores everything once; no failures are reported', async () => {
    const { b, retries } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(1), 30, 4);
    standin.inject({ kind: 'status', status: 500 }, { ...UPSERT, times: 2 });
    const from = standin.requests.length;
    const res = await b.upsert(name, pts, { batchSize: 10, concurrency: 1 });
    expect(res).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    expect(retries).toHaveLength(2);
    expect(upsertRecords(from, name).map((r) => r.status)).toEqual([500, 500, 200, 200, 200]);
    await expectStoredExactly(b, name, pts);
  });

  it('reports exactly the batch whose retries ran out, with Qdrant status and message, and a re-run fixes it', async () => {
    const { b } = backend({ retry: { attempts: 3, baseMs: 1, maxMs: 5 } });
    const name = await collection(b);
    const pts = makePoints(rng(2), 30, 4);
    standin.inject({ kind: 'status', status: 503, message: 'Service internal error: disk on fire' }, { ...UPSERT, times: 3 });
    const res = await b.upsert(name, pts, { batchSize: 10, concurrency: 1 });
    const first = pts.slice(0, 10).map((p) => p.id);
    expect(res.stored).toEqual(pts.slice(10).map((p) => p.id));
    expect(res.failed.map((f) => f.id)).toEqual(first);
    for (const f of res.failed) {
      expect(f.error).toBeInstanceOf(BackendError);
      expect(f.error).toMatchObject({ code: 'ERR_BACKEND', status: 503, detail: 'Service internal error: disk on fire' });
      expect(f.error.message).toContain('disk on fire');
    }
    expect(await b.count(name)).toBe(20);
    expect(await b.retrieve(name, first)).toEqual([]);

    const again = await b.upsert(name, pts, { batchSize: 10 });
    expect(again).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    await expectStoredExactly(b, name, pts);
  });

  it('retries reads too, and does not retry other 4xx', async () => {
    const { b, retries } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(3), 5, 4);
    await b.upsert(name, pts);
    standin.inject({ kind: 'status', status: 502 }, { method: 'POST', path: /\/points\/count$/, times: 2 });
    expect(await b.count(name)).toBe(5);
    standin.inject({ kind: 'status', status: 500 }, { method: 'POST', path: /\/points\/query$/, times: 1 });
    expect(await b.query(name, { vector: pts[0]!.vector, limit: 1 })).toMatchObject([{ id: pts[0]!.id }]);
    expect(retries.map((r) => r.op)).toEqual([`count ${name}`, `count ${name}`, `query ${name}`]);

    const from = standin.requests.length;
    standin.inject({ kind: 'status', status: 403, message: 'Forbidden: read-only key' }, { method: 'POST', path: /\/points\/count$/ });
    await expect(b.count(name)).rejects.toMatchObject({ code: 'ERR_BACKEND', status: 403, detail: 'Forbidden: read-only key' });
    expect(standin.requests.slice(from)).toHaveLength(1);
  });
});

describe('QdrantBackend faults: 429', () => {
  it('honours Retry-After before retrying', async () => {
    const { b, retries } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(4), 6, 4);
    standin.inject({ kind: 'status', status: 429, retryAfter: '1', message: 'Rate limiting exceeded: retry later' }, UPSERT);
    const res = await b.upsert(name, pts);
    expect(res.failed).toEqual([]);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);
    await expectStoredExactly(b, name, pts);
  });

  it('backs off on 429 without Retry-After and reports failure when it persists', async () => {
    const { b, retries } = backend({ retry: { attempts: 2, baseMs: 1, maxMs: 5 } });
    const name = await collection(b);
    const pts = makePoints(rng(5), 3, 4);
    standin.inject({ kind: 'status', status: 429, message: 'Rate limiting exceeded' }, { ...UPSERT, times: 2 });
    const res = await b.upsert(name, pts);
    expect(retries.map((r) => r.delayMs <= 5)).toEqual([true]);
    expect(res.stored).toEqual([]);
    expect(res.failed.map((f) => [f.id, (f.error as BackendError).status])).toEqual(pts.map((p) => [p.id, 429]));
    expect(await b.count(name)).toBe(0);
  });
});

describe('QdrantBackend faults: timeouts', () => {
  it('a request slower than the timeout is retried; the late write is idempotent', async () => {
    const { b, retries } = backend({ timeoutMs: 200 });
    const name = await collection(b);
    const pts = makePoints(rng(6), 12, 4);
    const from = standin.requests.length;
    standin.inject({ kind: 'delay', ms: 600 }, UPSERT);
    const res = await b.upsert(name, pts);
    expect(res).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    expect(retries[0]!.error).toMatchObject({ name: 'QdrantClientTimeoutError' });
    await expectStoredExactly(b, name, pts);
    // the delayed request is still applied by the server after the client gave up on it
    await expect.poll(() => upsertRecords(from, name).some((r) => r.fault === 'delay'), { timeout: 3000 }).toBe(true);
    await expectStoredExactly(b, name, pts);
  });

  it('reports a timeout as a coded failure once the attempts are used up', async () => {
    const { b } = backend({ timeoutMs: 100, retry: { attempts: 2, baseMs: 1, maxMs: 5 } });
    const name = await collection(b);
    const pts = makePoints(rng(7), 2, 4);
    standin.inject({ kind: 'delay', ms: 400 }, { ...UPSERT, times: 2 });
    const res = await b.upsert(name, pts);
    expect(res.stored).toEqual([]);
    expect(res.failed.map((f) => f.id)).toEqual(pts.map((p) => p.id));
    expect(res.failed[0]!.error.message).toMatch(/timed out after 100 ms/);
    // a re-run after the server recovered stores them, once (after the delayed requests landed)
    await expect.poll(() => upsertRecords(0, name).filter((r) => r.fault === 'delay').length, { timeout: 3000 }).toBe(2);
    expect((await b.upsert(name, pts)).failed).toEqual([]);
    await expectStoredExactly(b, name, pts);
  });
});

describe('QdrantBackend faults: dropped connections', () => {
  it('socket destroyed before the server applied the batch: retried, stored once', async () => {
    const { b, retries } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(8), 25, 4);
    const from = standin.requests.length;
    standin.inject({ kind: 'drop', when: 'before-apply' }, UPSERT);
    const res = await b.upsert(name, pts, { batchSize: 10, concurrency: 1 });
    expect(res).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    expect(retries).toHaveLength(1);
    expect(upsertRecords(from, name)[0]).toMatchObject({ status: 'dropped', applied: false, points: 10 });
    await expectStoredExactly(b, name, pts);
  });

  it('socket destroyed after the server applied the batch: the retry rewrites the same points, no duplicates', async () => {
    const { b } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(9), 25, 4);
    const from = standin.requests.length;
    standin.inject({ kind: 'drop', when: 'after-apply' }, { ...UPSERT, times: 2 });
    const res = await b.upsert(name, pts, { batchSize: 10, concurrency: 2 });
    expect(res).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    const recs = upsertRecords(from, name);
    expect(recs.filter((r) => r.status === 'dropped' && r.applied)).toHaveLength(2);
    await expectStoredExactly(b, name, pts);
  });

  it('when every attempt is dropped after applying, the points are reported as unconfirmed; re-running is safe', async () => {
    const { b } = backend({ retry: { attempts: 2, baseMs: 1, maxMs: 5 } });
    const name = await collection(b);
    const pts = makePoints(rng(10), 8, 4);
    standin.inject({ kind: 'drop', when: 'after-apply' }, { ...UPSERT, times: 2 });
    const res = await b.upsert(name, pts);
    expect(res.stored).toEqual([]);
    expect(res.failed.map((f) => f.id)).toEqual(pts.map((p) => p.id));
    expect(res.failed[0]!.error).toMatchObject({ code: 'ERR_BACKEND' });
    expect(res.failed[0]!.error.message).toMatch(/connection error/);
    // "failed" means "not confirmed": the server did apply them, exactly once per id
    await expectStoredExactly(b, name, pts);
    expect(await b.upsert(name, pts)).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    await expectStoredExactly(b, name, pts);
  });

  it('a create whose response was lost is recognised on retry instead of failing with Conflict', async () => {
    const { b, retries } = backend();
    standin.inject({ kind: 'drop', when: 'after-apply' }, { method: 'PUT', path: /^\/collections\/lost_create$/ });
    await b.createCollection({ name: 'lost_create', dimension: 3, distance: 'Dot', metadata: { m: 1 }, keywordFields: ['k'] });
    expect(retries).toHaveLength(1);
    expect(await b.describe('lost_create')).toEqual({ name: 'lost_create', dimension: 3, distance: 'Dot', metadata: { m: 1 } });
    await expect(b.createCollection({ name: 'lost_create', dimension: 3, distance: 'Dot' })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
  });
});

describe('QdrantBackend faults: oversized and refused batches', () => {
  it('a batch over the server body limit (400, as Qdrant answers it) is halved until it fits; a point too large alone fails alone', async () => {
    const { b } = backend();
    const name = await collection(b);
    const r = rng(11);
    const pts = makePoints(r, 40, 4, (i) => ({ i, blob: 'x'.repeat(i === 17 ? 40_000 : 1_500) }));
    standin.maxBodyBytes = 20_000;
    const from = standin.requests.length;
    const res = await b.upsert(name, pts, { batchSize: 32, concurrency: 2 });
    expect(res.stored).toEqual(pts.filter((_, i) => i !== 17).map((p) => p.id));
    expect(res.failed.map((f) => f.id)).toEqual([pts[17]!.id]);
    expect(res.failed[0]!.error).toMatchObject({ code: 'ERR_BACKEND', status: 400 });
    expect((res.failed[0]!.error as BackendError).detail).toMatch(/JSON payload \(\d+ bytes\) is larger than allowed/);
    const recs = upsertRecords(from, name);
    expect(recs.filter((x) => x.status === 400).length).toBeGreaterThan(1);
    expect(recs.filter((x) => x.status === 200).reduce((s, x) => s + (x.points ?? 0), 0)).toBe(39);
    await expectStoredExactly(
      b,
      name,
      pts.filter((_, i) => i !== 17),
    );
  });

  it('a 413 from a proxy in front of Qdrant is split the same way', async () => {
    const { b } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(15), 16, 4);
    standin.inject({ kind: 'status', status: 413, message: 'Request Entity Too Large' }, { ...UPSERT, times: 1 });
    const from = standin.requests.length;
    expect(await b.upsert(name, pts, { batchSize: 16 })).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    expect(upsertRecords(from, name).map((x) => [x.status, x.points])).toEqual([
      [413, 16],
      [200, 8],
      [200, 8],
    ]);
  });

  it('a batch refused with 400 for another reason is not split: it fails once, whole, with Qdrant\'s message', async () => {
    const logs: LogEvent[] = [];
    const { b } = backend({ logger: (e) => logs.push(e) });
    const name = await collection(b);
    const bad = new Set([3, 20, 21]);
    const pts = makePoints(rng(12), 40, 4, (i) => ({ i, bad: bad.has(i) }));
    standin.rejectUpserts((p) => p.payload['bad'] === true, 'Wrong input: payload rejected');
    const from = standin.requests.length;
    const res = await b.upsert(name, pts, { batchSize: 16, concurrency: 1 });
    // batches [0,16) and [16,32) hold bad points; [32,40) does not
    expect(res.failed.map((f) => f.id)).toEqual(pts.slice(0, 32).map((p) => p.id));
    for (const f of res.failed) expect(f.error).toMatchObject({ code: 'ERR_BACKEND', status: 400, detail: 'Wrong input: payload rejected' });
    expect(res.stored).toEqual(pts.slice(32).map((p) => p.id));
    expect(upsertRecords(from, name).map((x) => x.status)).toEqual([400, 400, 200]);
    expect(logs.filter((e) => e.event === 'backend.upsert.split')).toEqual([]);
    await expectStoredExactly(b, name, pts.slice(32));
  });

  it('strict mode\'s upsert_max_batchsize: the batch is cut to the limit in one step, not halved 2N-1 times', async () => {
    const logs: LogEvent[] = [];
    const { b } = backend({ logger: (e) => logs.push(e), collection: { strictMode: { enabled: true, upsert_max_batchsize: 10 } } });
    const name = await collection(b);
    const pts = makePoints(rng(16), 35, 4);
    const from = standin.requests.length;
    const res = await b.upsert(name, pts, { batchSize: 32, concurrency: 1 });
    expect(res).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    // one refusal, then the 32 in batches of 10 (the other batch of 3 may go in between)
    expect(upsertRecords(from, name).map((x) => `${x.status}:${x.points}`).sort()).toEqual(['200:10', '200:10', '200:10', '200:2', '200:3', '400:32']);
    expect(logs.filter((e) => e.event === 'backend.upsert.split').map((e) => e.fields)).toEqual([
      { op: `upsert into ${name}`, points: 32, size: 10, reason: 'HTTP 400' },
    ]);
    await expectStoredExactly(b, name, pts);
  });

  it('keeps batches under maxBatchBytes on the client side', async () => {
    const { b } = backend({ maxBatchBytes: 16 * 1024 });
    const name = await collection(b, 64);
    const pts = makePoints(rng(13), 50, 64, (i) => ({ i }));
    standin.maxBodyBytes = 16 * 1024;
    const from = standin.requests.length;
    const res = await b.upsert(name, pts);
    expect(res.failed).toEqual([]);
    const recs = upsertRecords(from, name);
    expect(recs.every((x) => x.status === 200)).toBe(true);
    expect(recs.length).toBeGreaterThan(1);
    await expectStoredExactly(b, name, pts);
  });
});

describe('QdrantBackend faults: writes Qdrant did not confirm', () => {
  it('a write answered wait_timeout (Qdrant >= 1.17 with a timeout) is retried and then confirmed', async () => {
    const { b, retries } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(17), 6, 4);
    standin.inject({ kind: 'wait-timeout' }, UPSERT);
    const from = standin.requests.length;
    expect(await b.upsert(name, pts)).toEqual({ stored: pts.map((p) => p.id), failed: [] });
    expect(retries.map((r) => (r.error as Error).name)).toEqual(['UnconfirmedWrite']);
    expect(upsertRecords(from, name).map((x) => x.fault ?? 'none')).toEqual(['wait-timeout', 'none']);
    await expectStoredExactly(b, name, pts);
  });

  it('when every answer is wait_timeout the points are reported unconfirmed (they may still land)', async () => {
    const { b } = backend({ retry: { attempts: 2, baseMs: 1, maxMs: 5 } });
    const name = await collection(b);
    const pts = makePoints(rng(18), 3, 4);
    standin.inject({ kind: 'wait-timeout' }, { ...UPSERT, times: 2 });
    const res = await b.upsert(name, pts);
    expect(res.stored).toEqual([]);
    expect(res.failed[0]!.error).toMatchObject({ code: 'ERR_BACKEND', detail: 'wait_timeout' });
    expect(res.failed[0]!.error.message).toMatch(/not confirmed.*re-running it is safe/);
    // the stand-in applied them, as Qdrant eventually would
    await expectStoredExactly(b, name, pts);
  });

  it('deletes and payload updates are confirmed the same way', async () => {
    const { b, retries } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(19), 4, 4, () => ({ v: 0 }));
    await b.upsert(name, pts);
    standin.inject({ kind: 'wait-timeout' }, { method: 'POST', path: /\/points\/payload$/ });
    standin.inject({ kind: 'wait-timeout' }, { method: 'POST', path: /\/points\/delete$/ });
    await b.setPayload(name, [{ id: pts[0]!.id, payload: { v: 1 } }]);
    await b.delete(name, { ids: [pts[1]!.id] });
    expect(retries.map((r) => r.op)).toEqual([`set payload in ${name}`, `delete from ${name}`]);
    expect(await b.count(name)).toBe(3);
  });
});

describe('QdrantBackend: bounded concurrency and progress', () => {
  it('never has more upserts in flight than asked, and reports cumulative progress', async () => {
    const { b } = backend();
    const name = await collection(b);
    const pts = makePoints(rng(14), 100, 4);
    standin.inject({ kind: 'delay', ms: 30 }, { ...UPSERT, times: 10 });
    standin.maxInFlight = 0;
    const progress: number[] = [];
    const res = await b.upsert(name, pts, { batchSize: 10, concurrency: 3, onProgress: (s, t) => progress.push(s * 1000 + t) });
    expect(res.failed).toEqual([]);
    expect(standin.maxInFlight).toBeLessThanOrEqual(3);
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 10 * 1000 + 100));
    await expectStoredExactly(b, name, pts);
  });
});
