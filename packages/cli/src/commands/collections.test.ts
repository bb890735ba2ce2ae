/**
 * The store-wide views that need a backend able to list its collections (`listCollections`,
 * optional in the Backend interface until both backends have it): `sealvec collections` and the
 * check behind `keys retire`. Run here on the embedded backend with listing added, so they are
 * covered whatever the backends of this build can do (the e2e tests use the real ones).
 */
import { createWriterKey, generateAuthority, generateVectorKey, VectorKeyset } from '@sealvec/core';
import { LocalBackend, SealedCollection, type Backend } from '@sealvec/qdrant';
import { describe, expect, it } from 'vitest';
import { summarize } from './collections.js';
import { keyUsageIn } from './keys-retire.js';

/** An in-memory backend that lists its collections (what the finished backends will do). */
function listing(names: () => string[]): Backend {
  const b = new LocalBackend() as LocalBackend & { listCollections?: () => Promise<string[]> };
  b.listCollections = async () => names().sort();
  return b;
}

async function fixture() {
  const created: string[] = [];
  const backend = listing(() => created);
  const authority = generateAuthority();
  const writer = createWriterKey(authority);
  const old = VectorKeyset.create();
  const next = old.add(generateVectorKey());
  const rotated = next.promote(next.keys[1]!.kid);
  const records = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ id: `${p}${i}`, vector: [1, i, 2, 0.5], payload: { i }, policy: '*' }));
  // "a": 5 records under the old key; "b": 3 under the old key, then 4 under the new one.
  for (const name of ['a', 'b']) {
    await SealedCollection.create(backend, { name, dimension: 4, metric: 'cosine', keyset: old, writer, blindIndexFields: name === 'b' ? ['i'] : [] });
    created.push(name);
  }
  await (await SealedCollection.open(backend, { name: 'a', keyset: old, authority: writer })).upsert(records(5, 'a'), { writer });
  await (await SealedCollection.open(backend, { name: 'b', keyset: old, authority: writer })).upsert(records(3, 'b'), { writer });
  const b = await SealedCollection.open(backend, { name: 'b', keyset: rotated, authority: writer });
  await b.upsert(records(4, 'n'), { writer });
  // A collection that is not Sealvec's (Qdrant may hold others).
  await backend.createCollection({ name: 'other', dimension: 2, distance: 'Dot' });
  created.push('other');
  return { backend, oldKid: old.primary.kid, newKid: rotated.primary.kid };
}

describe('keys retire: which collections still use a vector key', () => {
  it('counts records under the key in every listed Sealvec collection', async () => {
    const { backend, oldKid, newKid } = await fixture();
    expect(await keyUsageIn(backend, 'store', oldKid)).toEqual({
      store: 'store',
      collections: [
        { collection: 'a', records: 5 },
        { collection: 'b', records: 3 },
      ],
    });
    expect((await keyUsageIn(backend, 'store', newKid)).collections).toEqual([
      { collection: 'a', records: 0 },
      { collection: 'b', records: 4 },
    ]);
    expect((await keyUsageIn(backend, 'store', oldKid, ['b'])).collections).toEqual([{ collection: 'b', records: 3 }]);
  });

  it('a named collection that does not exist is an error; a store that cannot list is refused', async () => {
    const { backend, oldKid } = await fixture();
    await expect(keyUsageIn(backend, 'store', oldKid, ['nope'])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    // A backend without listCollections (an older or custom one).
    const local = new LocalBackend();
    const unlisted = new Proxy(local, { get: (t, k) => (k === 'listCollections' ? undefined : Reflect.get(t, k, t)) });
    await expect(keyUsageIn(unlisted, 'embedded store X', oldKid)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^cannot list the collections of embedded store X .* --collection .* --force$/),
    });
  });
});

describe('sealvec collections: summaries', () => {
  it('counts records per vector key and epoch, and describes the scheme', async () => {
    const { backend, oldKid, newKid } = await fixture();
    const b = await summarize(backend, 'b');
    expect(b).toMatchObject({ name: 'b', sealvec: true, records: 7, dimension: 4, metric: 'cosine', preset: 'balanced', prefilter: true, blindIndexFields: ['i'] });
    expect(b!.vectorKeys).toEqual({ [oldKid]: 3, [newKid]: 4 });
    expect(b!.epochs).toEqual({ 1: 7 });
    expect(await summarize(backend, 'other')).toMatchObject({ name: 'other', sealvec: false, records: 0, dimension: 2 });
    expect(await summarize(backend, 'missing')).toBeNull();
  });
});
