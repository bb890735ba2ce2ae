/**
 * The access diagnosis: the pure verdict for every reason, and the whole path on a real
 * collection (embedded store) for each way a key can open nothing, including the README's own
 * case (records for engineering, searched as an HR manager).
 */
import { createWriterKey, generateAuthority, generateVectorKey, issueUserKey, rotateEpoch, VectorKeyset, type DimensionMap } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../backend/local.js';
import { countRecords, sampleRecords } from './census.js';
import { diagnose, type AccessFacts } from './diagnose.js';
import { SealedCollection } from './sealed-collection.js';

const facts = (over: Partial<AccessFacts> = {}): AccessFacts => ({
  collection: 'docs',
  collectionAuthority: 'a1',
  tenant: '',
  key: { authority: 'a1', tenant: '', epoch: 1, tuples: 2 },
  keysetKids: ['k1'],
  totalRecords: 10,
  tenantRecords: 10,
  sampleEpochs: [1],
  sampleKids: ['k1'],
  keyEpochRecords: 10,
  tokenMatches: 3,
  ...over,
});

describe('diagnose (pure)', () => {
  const cases: [string, Partial<AccessFacts>, string, boolean, RegExp][] = [
    ['a key that opens records', {}, 'ok', false, /3 carry one of its pre-filter tokens/],
    ['another authority', { key: { authority: 'a2', tenant: '', epoch: 1, tuples: 2 } }, 'wrong-authority', true, /authority a2, but collection "docs" is sealed for authority a1/],
    ['another tenant than the handle', { key: { authority: 'a1', tenant: 'acme', epoch: 1, tuples: 2 } }, 'wrong-tenant', true, /tenant "acme", but this handle is for tenant ""/],
    ['an empty collection', { totalRecords: 0, tenantRecords: 0 }, 'empty', false, /holds no records/],
    ['records of other tenants only', { tenantRecords: 0, tenant: 'acme', key: { authority: 'a1', tenant: 'acme', epoch: 1, tuples: 1 } }, 'wrong-tenant', true, /holds 10 records, none for tenant "acme"/],
    ['retired vector keys', { sampleKids: ['k0'], tokenMatches: 0 }, 'unknown-vector-key', true, /vector key k0, which the keyset does not hold \(it holds k1\)/],
    ['a key older than the records', { key: { authority: 'a1', tenant: '', epoch: 1, tuples: 2 }, sampleEpochs: [2], keyEpochRecords: 0, tokenMatches: 0 }, 'stale-epoch', true, /epoch 1, but the records .* are at epoch 2/],
    ['a key newer than the records', { key: { authority: 'a1', tenant: '', epoch: 3, tuples: 2 }, sampleEpochs: [1, 2], keyEpochRecords: 0, tokenMatches: 0 }, 'future-epoch', true, /still at epoch 1, 2/],
    ['no shared tuple', { tokenMatches: 0 }, 'no-matching-tuple', true, /none of the 10 records .* policy this key satisfies \(the key holds 2 attribute tuples at epoch 1\)/],
    ['post-filter mode, same epoch', { tokenMatches: null }, 'undetermined', false, /post-filter mode/],
    ['post-filter mode, stale key', { tokenMatches: null, sampleEpochs: [2], keyEpochRecords: 0 }, 'stale-epoch', true, /older than the records/],
  ];
  for (const [name, over, reason, opensNothing, message] of cases) {
    it(name, () => {
      const d = diagnose(facts(over));
      expect(d).toMatchObject({ reason, opensNothing });
      expect(d.message).toMatch(message);
    });
  }
});

const policies: DimensionMap[] = [{ department: ['engineering'] }, { role: ['engineer'], department: ['engineering'] }];
const hr: DimensionMap = { role: ['hr_manager'], department: ['human_resources'] };
const eng: DimensionMap = { role: ['engineer'], department: ['engineering'] };

async function collection(opts: { prefilter?: boolean; writerEpoch?: number; tenant?: string } = {}) {
  let authority = generateAuthority();
  for (let e = 1; e < (opts.writerEpoch ?? 1); e++) authority = rotateEpoch(authority);
  const keyset = VectorKeyset.create();
  const backend = new LocalBackend();
  const tenant = opts.tenant ?? '';
  const writer = createWriterKey(authority, { tenant });
  const col = await SealedCollection.create(backend, { name: 'docs', dimension: 4, metric: 'cosine', keyset, writer, prefilter: opts.prefilter ?? true, tenant });
  await col.upsert(
    Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, vector: [1, i, 0.5, -i], payload: { i }, policy: policies[i % 2]! })),
    { writer },
  );
  return { authority, keyset, backend, col, tenant };
}

describe('SealedCollection.diagnoseAccess', () => {
  it('the README case: an HR manager against engineering records shares no tuple', async () => {
    const { authority, col } = await collection();
    const alice = issueUserKey(authority, hr);
    expect((await col.search([1, 0, 0, 0], { userKey: alice })).hits).toEqual([]);
    const d = await col.diagnoseAccess(alice);
    expect(d).toMatchObject({ reason: 'no-matching-tuple', opensNothing: true });
    expect(d.facts).toMatchObject({ tenantRecords: 12, tokenMatches: 0, keyEpochRecords: 12, sampleEpochs: [1] });
    const bob = await col.diagnoseAccess(issueUserKey(authority, eng));
    expect(bob).toMatchObject({ reason: 'ok', opensNothing: false });
    expect(bob.facts.tokenMatches).toBe(12);
  });

  it('a key of an older epoch after records moved on, and a newer key before rewrap', async () => {
    const moved = await collection({ writerEpoch: 2 });
    const old = issueUserKey(moved.authority, eng, { epoch: 1 });
    expect((await moved.col.diagnoseAccess(old)).reason).toBe('stale-epoch');
    const pending = await collection();
    const next = issueUserKey(rotateEpoch(pending.authority), eng);
    expect((await pending.col.diagnoseAccess(next)).reason).toBe('future-epoch');
  });

  it('another authority; a tenant without records', async () => {
    const { col } = await collection();
    expect((await col.diagnoseAccess(issueUserKey(generateAuthority(), eng))).reason).toBe('wrong-authority');
    const t = await collection({ tenant: 'acme' });
    const other = await SealedCollection.open(t.backend, { name: 'docs', keyset: t.keyset, tenant: 'globex', authority: t.authority.publicKey });
    const d = await other.diagnoseAccess(issueUserKey(t.authority, eng, { tenant: 'globex' }));
    expect(d).toMatchObject({ reason: 'wrong-tenant', opensNothing: true });
    expect(d.message).toMatch(/holds 12 records, none for tenant "globex"/);
  });

  it('records under a retired vector key', async () => {
    const { authority, col } = await collection();
    col.useKeyset(VectorKeyset.create(generateVectorKey()));
    expect((await col.diagnoseAccess(issueUserKey(authority, eng))).reason).toBe('unknown-vector-key');
  });

  it('post-filter mode says what it cannot tell', async () => {
    const { authority, col } = await collection({ prefilter: false });
    const d = await col.diagnoseAccess(issueUserKey(authority, hr));
    expect(d).toMatchObject({ reason: 'undetermined', opensNothing: false });
    expect(d.facts.tokenMatches).toBeNull();
  });

  it('an empty collection', async () => {
    const backend = new LocalBackend();
    const authority = generateAuthority();
    const col = await SealedCollection.create(backend, { name: 'e', dimension: 4, metric: 'cosine', keyset: VectorKeyset.create(), writer: createWriterKey(authority) });
    expect(await col.diagnoseAccess(issueUserKey(authority, eng))).toMatchObject({ reason: 'empty', opensNothing: false });
  });

  it('facts are public: no token, tuple key or payload appears in them', async () => {
    const { authority, col } = await collection();
    const d = await col.diagnoseAccess(issueUserKey(authority, hr));
    expect(JSON.stringify(d)).not.toMatch(/engineering|human_resources|hr_manager|"i"/);
  });

  it('checks its argument', async () => {
    const { col } = await collection();
    await expect(col.diagnoseAccess({} as never)).rejects.toThrow(TypeError);
  });
});

describe('census', () => {
  it('counts by tenant, key id, epoch and tokens; samples public fields', async () => {
    const { backend, keyset } = await collection();
    const kid = keyset.primary.kid;
    expect(await countRecords(backend, 'docs')).toBe(12);
    expect(await countRecords(backend, 'docs', { kid })).toBe(12);
    expect(await countRecords(backend, 'docs', { notKid: kid })).toBe(0);
    expect(await countRecords(backend, 'docs', { tenant: '', epoch: 2 })).toBe(0);
    expect(await countRecords(backend, 'docs', { prefilterAny: [] })).toBe(0);
    expect(await sampleRecords(backend, 'docs', { tenant: '' }, 5)).toEqual({ size: 5, epochs: [1], kids: [kid] });
  });
});
