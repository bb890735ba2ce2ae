// Issue #9 findings 1 and 3 as attacks by a hostile store against the v1 client (temporary file).
import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../backend/local.js';
import { HostileBackend } from './__tests__/hostile.js';
import { SealedCollection } from './sealed-collection.js';

const authority = generateAuthority();
const writer = createWriterKey(authority);
const D = 16;
const vec = (i: number) => Float32Array.from({ length: D }, (_, j) => Math.sin(i * 7 + j));

describe('finding 1: scheme downgrade by the store', () => {
  it('a store that rewrites beta to 0 is refused on open', async () => {
    const store = new HostileBackend(new LocalBackend());
    const keyset = VectorKeyset.create();
    await SealedCollection.create(store, { name: 'c', dimension: D, metric: 'cosine', keyset, authority: authority.id });
    store.tamper.metadata = (m) => ({ ...m, beta: 0 });
    await expect(SealedCollection.open(store, { name: 'c', keyset })).rejects.toThrow();
  });
  it('a store cannot switch pre-filter tokens or blind indexes on', async () => {
    const store = new HostileBackend(new LocalBackend());
    const keyset = VectorKeyset.create();
    await SealedCollection.create(store, { name: 'c', dimension: D, metric: 'cosine', keyset, authority: authority.id, prefilter: false });
    store.tamper.metadata = (m) => ({ ...m, prefilter: true, blindIndexFields: ['ssn'] });
    await expect(SealedCollection.open(store, { name: 'c', keyset })).rejects.toThrow();
  });
});

describe('finding 3: post-filter mode leaks who can open what', () => {
  it('round trips do not depend on whether the user can open the candidates; a repeated record is skipped', async () => {
    const store = new HostileBackend(new LocalBackend());
    const keyset = VectorKeyset.create();
    const col = await SealedCollection.create(store, { name: 'c', dimension: D, metric: 'cosine', keyset, authority: authority.id, prefilter: false });
    await col.upsert(Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, vector: vec(i), payload: { i }, policy: { role: ['target'] } })), { writer });
    // The store answers every query with one target record repeated under fresh point ids.
    store.tamper.query = (pts) => pts.map((p, i) => ({ ...pts[0]!, id: `00000000-0000-8000-8000-${String(i).padStart(12, '0')}` }));
    const rounds = async (roles: string[]) => {
      store.reset();
      const res = await col.search(vec(1), { userKey: issueUserKey(authority, { role: roles }), k: 5, oversample: 2 });
      return { queries: store.calls.filter((c) => c.op === 'query').length, hits: res.hits.length };
    };
    const can = await rounds(['target']);
    const cannot = await rounds(['other']);
    expect(can.queries).toBe(cannot.queries);
    expect(can.hits).toBeLessThanOrEqual(1);
  });
});
