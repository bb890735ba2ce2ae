/**
 * Issue #11, scale-safe maintenance: rewrap and rotateKey page through the collection by offset,
 * so a collection of N records costs about N / pageSize scroll requests, not one rescan from the
 * first point per page (which was quadratic in the database's work). Counted on a wrapper over the
 * embedded backend.
 */
import { createWriterKey, generateAuthority, generateVectorKey, issueUserKey, rotateEpoch, VectorKeyset } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../backend/local.js';
import type { Backend, ScrollPage, ScrollRequest } from '../backend/types.js';
import { SealedCollection } from './sealed-collection.js';

const D = 8;
const N = 230;
const PAGE = 20;
const vec = (i: number) => Float32Array.from({ length: D }, (_, j) => Math.sin(i * 7 + j) + (j === i % D ? 1 : 0));

/** Counts scroll requests and the points they return. */
function counting(inner: Backend): { backend: Backend; scrolls: { calls: number; points: number; offsets: (string | undefined)[] } } {
  const scrolls = { calls: 0, points: 0, offsets: [] as (string | undefined)[] };
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'scroll') {
        return async (name: string, request: ScrollRequest): Promise<ScrollPage> => {
          const page = await target.scroll(name, request);
          scrolls.calls++;
          scrolls.offsets.push(request.offset);
          scrolls.points += page.points.length;
          return page;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { backend, scrolls };
}

describe('rewrap and rotateKey page linearly', () => {
  it(`touch each of ${N} records once, in about N / pageSize scrolls, reporting progress per page`, async () => {
    const authority = generateAuthority();
    const writer = createWriterKey(authority);
    const { backend, scrolls } = counting(new LocalBackend());
    const col = await SealedCollection.create(backend, { name: 'c', dimension: D, metric: 'cosine', keyset: VectorKeyset.create(), writer });
    const records = Array.from({ length: N }, (_, i) => ({ id: `r${i}`, vector: vec(i), payload: { i }, policy: { role: ['admin'] } }));
    expect((await col.upsert(records, { writer })).failed).toEqual([]);

    const next = rotateEpoch(authority);
    const nextWriter = createWriterKey(next);
    const progress: number[] = [];
    scrolls.calls = 0;
    scrolls.points = 0;
    scrolls.offsets = [];
    expect(await col.rewrap(writer, nextWriter, { pageSize: PAGE, onProgress: (d) => progress.push(d) })).toEqual({ rewrapped: N, failed: [] });
    // One scroll per page plus at most one empty one; a rescan from the start would read ~N^2 / (2 PAGE).
    expect(scrolls.calls).toBeLessThanOrEqual(Math.ceil(N / PAGE) + 1);
    expect(scrolls.points).toBe(N);
    // Each page continues from the previous page's offset: the database never rescans what is
    // done (Qdrant would walk the filtered prefix again on every page).
    expect(scrolls.offsets[0]).toBeUndefined();
    expect(scrolls.offsets.slice(1).every((o) => o !== undefined)).toBe(true);
    expect(progress.at(-1)).toBe(N);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    scrolls.calls = 0;
    scrolls.points = 0;
    scrolls.offsets = [];
    const added = col.keyset.add(generateVectorKey());
    const report = await col.rotateKey(added.promote(added.keys[1]!.kid), nextWriter, { pageSize: PAGE });
    expect(report).toEqual({ reencrypted: N, failed: [] });
    expect(scrolls.calls).toBeLessThanOrEqual(Math.ceil(N / PAGE) + 1);
    expect(scrolls.points).toBe(N);
    expect(scrolls.offsets.slice(1).every((o) => o !== undefined)).toBe(true);

    // Every record still opens, under the new epoch and the new vector key.
    const admin = issueUserKey(next, { role: ['admin'] });
    const { hits } = await col.search(vec(17), { userKey: admin, k: 1 });
    expect(hits[0]?.id).toBe('r17');
    expect((await col.get(['r0', `r${N - 1}`], admin)).map((r) => r?.id)).toEqual(['r0', `r${N - 1}`]);
  });
});
