/**
 * The store is an adversary (issue #9): each attack a hostile store (or a store colluding with a
 * reader) can make on a client, written as the attack, through a Backend that forwards to an
 * honest one and rewrites what comes back. Findings 1 (scheme downgrade), 2 (reader forgeries,
 * at the collection level) and 3 (post-filter oracle), plus copies under fresh point ids, a v1
 * downgrade of the metadata, and a property test over random edits.
 */
import fc from 'fast-check';
import { createWriterKey, decodeStoredPoint, encodeStoredPayload, generateAuthority, generateVectorKey, issueUserKey, PRESETS, SealvecError, VectorKeyset } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { forgePayload } from './__tests__/forge.js';
import { LocalBackend } from '../backend/local.js';
import { HostileBackend } from './__tests__/hostile.js';
import { pointIdOf } from './point-id.js';
import { SealedCollection } from './sealed-collection.js';

const authority = generateAuthority();
const writer = createWriterKey(authority);
const D = 16;
const vec = (i: number) => Float32Array.from({ length: D }, (_, j) => Math.sin(i * 7 + j) + (j === i % D ? 1 : 0));
const runs = process.env.SLOW ? 200 : 25;

async function world(options: { prefilter?: boolean; n?: number } = {}) {
  const store = new HostileBackend(new LocalBackend());
  const keyset = VectorKeyset.create();
  const col = await SealedCollection.create(store, { name: 'c', dimension: D, metric: 'cosine', keyset, writer, blindIndexFields: ['lang'], prefilter: options.prefilter ?? true });
  const n = options.n ?? 40;
  await col.upsert(
    Array.from({ length: n }, (_, i) => ({ id: `r${i}`, vector: vec(i), payload: { i, lang: i % 2 ? 'en' : 'fr' }, policy: { role: [i % 3 === 0 ? 'target' : 'staff', 'admin'] } })),
    { writer },
  );
  return { store, keyset, col };
}

describe('finding 1: the store cannot weaken or change the scheme', () => {
  const edits: [string, (m: Record<string, unknown>) => Record<string, unknown>][] = [
    ['beta to 0', (m) => ({ ...m, beta: 0 })],
    ['pre-filter tokens switched on', (m) => ({ ...m, prefilter: true })],
    ['a blind index switched on', (m) => ({ ...m, blindIndexFields: ['lang', 'ssn'] })],
    ['exact vectors switched off', (m) => ({ ...m, exactVector: false })],
    ['the scheme of another collection', (m) => ({ ...m, collection: 'other' })],
    ['a v1 scheme in place of the signed one (downgrade)', (m) => ({ sealvec: 1, dimension: m.dimension, storedDimension: m.storedDimension, metric: m.metric, beta: 0, preset: null, maxNorm: null, authority: m.authority, prefilter: true, blindIndexFields: ['ssn'], exactVector: true })],
  ];
  for (const [name, edit] of edits) {
    it(`refuses ${name} with a coded error on open`, async () => {
      const { store, keyset } = await world({ prefilter: false });
      store.tamper.metadata = edit;
      const err = await SealedCollection.open(store, { name: 'c', keyset, authority: writer }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SealvecError);
      expect(['ERR_SCHEME_UNAUTHENTICATED', 'ERR_MALFORMED']).toContain((err as SealvecError).code);
    });
  }

  it('the untouched scheme opens, for any key of the authority, and keeps its settings', async () => {
    const { store, keyset } = await world({ prefilter: false });
    const col = await SealedCollection.open(store, { name: 'c', keyset, authority: issueUserKey(authority, { role: ['x'] }) });
    expect(col.scheme.prefilter).toBe(false);
    expect(col.scheme.beta).toBe(PRESETS.balanced.betaRel);
  });

  it('a scheme below the client-side floor opens only with an explicit local opt-in', async () => {
    const store = new LocalBackend();
    await expect(SealedCollection.create(store, { name: 'weak', dimension: D, metric: 'cosine', beta: 0.1, keyset: VectorKeyset.create(), writer })).rejects.toMatchObject({ code: 'ERR_WEAK_SCHEME' });
    const keyset = VectorKeyset.create();
    await SealedCollection.create(store, { name: 'weak', dimension: D, metric: 'cosine', beta: 0.1, keyset, writer, betaFloor: 0 });
    await expect(SealedCollection.open(store, { name: 'weak', keyset, authority: writer })).rejects.toMatchObject({ code: 'ERR_WEAK_SCHEME' });
    expect((await SealedCollection.open(store, { name: 'weak', keyset, authority: writer, betaFloor: 0.1 })).scheme.beta).toBe(0.1);
  });
});

describe('finding 2: records forged by a reader, placed in the store, are never returned to another reader', () => {
  it('search, get and export skip the forgery; the honest records still come back', async () => {
    const { store, col } = await world();
    const target = 'r3'; // policy: target or admin
    const [pt] = await store.retrieve('c', [pointIdOf('', target)], { withVector: true });
    // The forging reader (role target) re-seals the payload under the record's own data key.
    const forger = issueUserKey(authority, { role: ['target'] });
    const forged = forgePayload(decodeStoredPoint(pt!.payload, pt!.vector), forger, 'c', { i: 3, lang: 'en', note: 'FORGED' });
    await store.setPayload('c', [{ id: pt!.id, payload: { p: encodeStoredPayload(forged).p } }]);
    const admin = issueUserKey(authority, { role: ['admin'] });
    const res = await col.search(vec(3), { userKey: admin, k: 5 });
    expect(res.hits.map((h) => h.id)).not.toContain(target);
    expect(res.hits.length).toBe(5);
    expect(res.skipped).toEqual([expect.objectContaining({ id: target, code: 'ERR_DECRYPTION_FAILED' })]);
    expect((await col.get([target], admin))[0]).toBeNull();
    const exported: string[] = [];
    for await (const r of col.export(admin)) exported.push(r.id);
    expect(exported).not.toContain(target);
    expect(exported.length).toBe(39);
    // The writer path (rotateKey) refuses it too: it is reported, not re-sealed as genuine.
    const next = col.keyset.add(generateVectorKey());
    const report = await col.rotateKey(next.promote(next.keys[1]!.kid), writer);
    expect(report.failed.map((f) => f.id)).toEqual([target]);
  });
});

describe('finding 3: the store learns nothing from the requests about what a user can open', () => {
  it('post-filter mode: one request per key whoever asks; a record repeated under fresh point ids is skipped', async () => {
    const { store, col } = await world({ prefilter: false });
    // The store answers every query with one target record repeated under fresh point ids.
    store.tamper.query = (pts) => pts.map((p, i) => ({ ...pts[0]!, id: `00000000-0000-8000-8000-${String(i).padStart(12, '0')}` }));
    const requests = async (roles: string[]) => {
      store.reset();
      const res = await col.search(vec(1), { userKey: issueUserKey(authority, { role: roles }), k: 5, oversample: 4 });
      return { calls: store.calls.map((c) => c.op), hits: res.hits.length, skipped: res.skipped.length };
    };
    const can = await requests(['target']);
    const cannot = await requests(['nobody']);
    expect(can.calls).toEqual(cannot.calls);
    expect(can.calls).toEqual(['query']);
    expect(can.hits).toBe(0); // every copy sits under a point id its record id does not map to
    expect(can.skipped).toBeGreaterThan(0);
  });

  it('post-filter mode: the same request sequence whether the user opens all, some or none of the candidates', async () => {
    const { store, col } = await world({ prefilter: false });
    const seq = async (roles: string[]) => {
      store.reset();
      await col.search(vec(2), { userKey: issueUserKey(authority, { role: roles }), k: 5 });
      return JSON.stringify(store.calls);
    };
    expect(new Set([await seq(['admin']), await seq(['target']), await seq(['nobody'])]).size).toBe(1);
  });

  it('pre-filter mode: a record the store slips in outside the filter is skipped before any attempt to open it', async () => {
    const { store, col } = await world();
    const outsider = (await store.retrieve('c', [pointIdOf('', 'r1')]))[0]!; // policy staff/admin
    store.tamper.query = (pts) => [{ id: outsider.id, score: 0, payload: outsider.payload }, ...pts];
    const res = await col.search(vec(1), { userKey: issueUserKey(authority, { role: ['target'] }), k: 3 });
    expect(res.hits.map((h) => h.id)).not.toContain('r1');
    expect(res.skipped).toEqual([expect.objectContaining({ id: 'r1', code: 'ERR_NOT_A_CANDIDATE' })]);
  });

  it('a duplicate of a record under its own point id, or a record moved to another point id, never yields a second hit', async () => {
    const { store, col } = await world();
    store.tamper.query = (pts) => [...pts, ...pts];
    const admin = issueUserKey(authority, { role: ['admin'] });
    const res = await col.search(vec(5), { userKey: admin, k: 10 });
    expect(new Set(res.hits.map((h) => h.id)).size).toBe(res.hits.length);
  });
});

describe('hostile strings: ids and tenants the decoders must refuse', () => {
  // A lone surrogate survives JSON but has no UTF-8 encoding of its own (TextEncoder writes
  // U+FFFD): decoded as is, it reached the binding checks, which throw a RangeError (a
  // programmer error), and one such point made every search fail.
  for (const [lean, prefilter] of [['lean', true], ['full', false]] as const) {
    it(`a copy of a candidate whose id holds a lone surrogate, under the point id it maps to, is skipped with ERR_MALFORMED (${lean} path)`, async () => {
      const { store, col } = await world({ prefilter });
      const admin = issueUserKey(authority, { role: ['admin'] });
      const honest = await col.search(vec(1), { userKey: admin, k: 3 });
      const bad = 'r1\ud800';
      const pid = pointIdOf('', bad);
      store.tamper.query = (pts) => [{ ...pts[0]!, id: pid, payload: { ...pts[0]!.payload, id: bad } }, ...pts];
      const res = await col.search(vec(1), { userKey: admin, k: 3 });
      expect(res.hits.map((h) => h.id)).toEqual(honest.hits.map((h) => h.id));
      expect(res.skipped).toEqual([expect.objectContaining({ code: 'ERR_MALFORMED' })]);
    });
    it(`a record whose tnt the store replaced by a lone surrogate is skipped with ERR_MALFORMED (${lean} path); the others still come back`, async () => {
      const { store, col } = await world({ prefilter });
      const admin = issueUserKey(authority, { role: ['admin'] });
      const honest = await col.search(vec(1), { userKey: admin, k: 3 });
      const victim = pointIdOf('', honest.hits[0]!.id);
      const edit = (pts: { id: string; payload: Record<string, unknown> }[]) => pts.map((p) => (p.id === victim ? { ...p, payload: { ...p.payload, tnt: '\udc00' } } : p));
      store.tamper.query = edit as never;
      store.tamper.retrieve = edit as never;
      const res = await col.search(vec(1), { userKey: admin, k: 3 });
      expect(res.hits).toHaveLength(3);
      expect(res.hits.map((h) => h.id)).not.toContain(honest.hits[0]!.id);
      expect(res.skipped).toEqual([expect.objectContaining({ code: 'ERR_MALFORMED' })]);
    });
  }
});

describe('random edits of stored fields or metadata: the honest answer or a coded error, never another plaintext', () => {
  it('search and get (property)', async () => {
    const { store, keyset, col } = await world({ n: 12 });
    const admin = issueUserKey(authority, { role: ['admin'] });
    const honest = await col.search(vec(4), { userKey: admin, k: 4 });
    const honestById = new Map(honest.hits.map((h) => [h.id, JSON.stringify(h.payload)]));
    const fields = ['sv', 'id', 'tnt', 'kid', 'ep', 'n', 't', 'h', 'p', 'x', 'pf', 'bi', 's'];
    const meta = JSON.parse(JSON.stringify((await store.describe('c'))!.metadata)) as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.nat(200),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (field, at, xor, editMeta) => {
          const edit = (o: Record<string, unknown>, key: string) => {
            const v = o[key];
            if (typeof v === 'string' && v.length > 0) {
              const i = at % v.length;
              o[key] = v.slice(0, i) + String.fromCharCode((v.charCodeAt(i) ^ xor) & 0x7f || 65) + v.slice(i + 1);
            } else if (typeof v === 'number') o[key] = v + (xor % 3) - 1;
            else if (Array.isArray(v)) o[key] = v.slice(1);
            else o[key] = xor;
          };
          store.tamper = {
            query: (pts) => pts.map((p) => {
              const payload = { ...p.payload };
              edit(payload, field);
              return { ...p, payload };
            }),
            retrieve: (pts) => pts.map((p) => {
              const payload = { ...p.payload };
              edit(payload, field);
              return { ...p, payload };
            }),
          };
          if (editMeta) {
            const k = Object.keys(meta)[at % Object.keys(meta).length]!;
            store.tamper.metadata = (m) => {
              const o = { ...m };
              edit(o, k);
              return o;
            };
          }
          try {
            const c = editMeta ? await SealedCollection.open(store, { name: 'c', keyset, authority: writer }) : col;
            const res = await c.search(vec(4), { userKey: admin, k: 4 });
            for (const h of res.hits) {
              expect(honestById.get(h.id), `${field} edit returned a hit that the honest store did not`).toBe(JSON.stringify(h.payload));
            }
            for (const r of await c.get(['r4', 'r5'], admin)) {
              if (r !== null) expect(JSON.stringify(r.payload)).toBe(JSON.stringify({ i: Number(r.id.slice(1)), lang: Number(r.id.slice(1)) % 2 ? 'en' : 'fr' }));
            }
          } catch (e) {
            expect(e).toBeInstanceOf(SealvecError);
          }
        },
      ),
      { numRuns: runs },
    );
  });
});
