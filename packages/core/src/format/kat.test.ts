/**
 * Replays fixtures/kat/policy-header.json and fixtures/kat/sealed-record.json (format v2, made by
 * packages/core/scripts/gen-policy-kat.mjs): valid cases must be reproduced bit for bit from
 * their pinned inputs; invalid cases must be rejected with the stated result. The v1 files
 * (-v1.json) are replayed for reading only: v1 headers must still unwrap and v1 records still
 * open (with a v1 cipher) exactly as recorded, and be refused exactly as recorded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../__tests__/arbitraries.js';
import { authorityFromMaster, createWriterKey, issueUserKey, withEpoch } from '../authority/authority.js';
import { SealvecError } from '../errors.js';
import { decodeHeader } from '../header/format.js';
import { unwrapDataKey, wrapDataKey } from '../header/wrap.js';
import { importVectorKey } from '../keys/vector-key.js';
import { canonicalPolicyString } from '../policy/policy.js';
import { parsePolicy } from '../policy/parse.js';
import { createOpener } from '../record/open.js';
import { createRewrapper } from '../record/rewrap.js';
import { createSealer } from '../record/seal.js';
import { blindIndexToken } from '../tokens/blind-index.js';
import { userPrefilterTokens } from '../tokens/prefilter.js';
import { fromBase64url, fromHex, toBase64url, toHex } from '../utils.js';
import { createVectorCipher, type VectorCipherParams } from '../vector/cipher.js';
import { decodeStoredPoint, encodeStoredPoint, type StoredPoint } from './record.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../../fixtures/kat/${name}`, import.meta.url), 'utf8'));

interface HeaderCase {
  name: string;
  master: string;
  schema: string[];
  epoch: number;
  tenant: string;
  collection: string;
  recordId: string;
  associatedData: string;
  dataKey: string;
  policy: string;
  minEntries: number;
  random: string;
  header: string;
  entryCount: number;
  opens: { attributes: Record<string, string[]>; dataKey: string | null }[];
}
type HeaderInvalid = Partial<HeaderCase> & { name: string; of: string; attributes: Record<string, string[]>; expect: string };

type HeaderFile = { valid: HeaderCase[]; invalid: HeaderInvalid[] };
const headers = load('policy-header.json') as HeaderFile;
const headersV1 = load('policy-header-v1.json') as HeaderFile;

const authorityOf = (c: { master: string; schema: string[]; epoch: number }) => authorityFromMaster(fromHex(c.master), { schema: c.schema, epoch: c.epoch });
const bindingOf = (c: Pick<HeaderCase, 'recordId' | 'collection' | 'tenant' | 'associatedData'>) => ({
  recordId: c.recordId,
  collection: c.collection,
  tenant: c.tenant,
  associatedData: fromHex(c.associatedData),
});

function headerOpens(c: HeaderCase, h: Uint8Array): void {
  const a = authorityOf(c);
  for (const o of c.opens) {
    const got = unwrapDataKey(h, bindingOf(c), issueUserKey(a, o.attributes, { tenant: c.tenant }));
    expect(got === null ? null : toHex(got)).toBe(o.dataKey);
  }
}

function headerInvalid(file: HeaderFile, inv: HeaderInvalid): string {
  const base = file.valid.find((v) => v.name === inv.of) as HeaderCase;
  const c = { ...base, ...inv };
  const user = issueUserKey(authorityOf(base), inv.attributes, { tenant: base.tenant });
  try {
    return unwrapDataKey(fromBase64url(c.header), bindingOf(c), user) === null ? 'null' : 'opened';
  } catch (e) {
    if (!(e instanceof SealvecError)) throw e;
    return e.code;
  }
}

describe('policy header known-answer vectors, v1 (read only)', () => {
  it.each(headersV1.valid.map((c) => [c.name, c] as const))('a v1 header "%s" still unwraps as recorded', (_, c) => {
    expect(fromBase64url(c.header)[0]).toBe(1);
    headerOpens(c, fromBase64url(c.header));
  });
  it.each(headersV1.invalid.map((c) => [c.name, c] as const))('rejects v1 "%s"', (_, inv) => {
    expect(headerInvalid(headersV1, inv)).toBe(inv.expect);
  });
});

describe('policy header known-answer vectors', () => {
  it('has valid and invalid cases', () => {
    expect(headers.valid.length).toBeGreaterThanOrEqual(3);
    expect(headers.invalid.length).toBeGreaterThanOrEqual(10);
    const opens = headers.valid.flatMap((c) => c.opens);
    expect(opens.some((o) => o.dataKey !== null) && opens.some((o) => o.dataKey === null)).toBe(true);
  });

  it.each(headers.valid.map((c) => [c.name, c] as const))('reproduces "%s" and unwraps as recorded', (_, c) => {
    const a = authorityOf(c);
    const policy = parsePolicy(a.schema, c.policy);
    expect(canonicalPolicyString(policy)).toBe(c.policy);
    const h = wrapDataKey(fromHex(c.dataKey), policy, createWriterKey(a, { tenant: c.tenant }), bindingOf(c), {
      minEntries: c.minEntries,
      testOnlyRandom: seededRandom(c.random),
    });
    expect(toBase64url(h)).toBe(c.header);
    expect(h[0]).toBe(2);
    expect(decodeHeader(h).entryCount).toBe(c.entryCount);
    headerOpens(c, h);
  });

  it.each(headers.invalid.map((c) => [c.name, c] as const))('rejects "%s"', (_, inv) => {
    expect(headerInvalid(headers, inv)).toBe(inv.expect);
  });
});

interface RecordCase {
  name: string;
  master: string;
  schema: string[];
  epoch: number;
  tenant: string;
  collection: string;
  vectorKey: string;
  params: VectorCipherParams;
  options: { prefilter: boolean; blindIndex: string[]; exactVector: boolean; minEntries: number };
  random: string;
  input: { id: string; vector: number[]; payload: never; policy: string };
  stored: StoredPoint;
  user: { attributes: Record<string, string[]>; blindIndexFields: string[] };
  opened: { vector: number[]; payload: unknown };
  userPrefilterTokens: string[];
  blindIndexQueries: { field: string; value: string | number; token: string }[];
}
interface RecordInvalid {
  name: string;
  of: string;
  set?: Record<string, unknown>;
  delete?: string[];
  vector?: number[];
  collection?: string;
  attributes?: Record<string, string[]>;
  /** Splice a blind-index field named "__proto__" with these tokens into the stored JSON. */
  biProtoTokens?: string[];
  error: string;
}

type RecordFile = {
  valid: RecordCase[];
  rewrap: { name: string; of: string; toEpoch: number; random: string; stored: StoredPoint }[];
  invalid: RecordInvalid[];
};
const records = load('sealed-record.json') as RecordFile;
const recordsV1 = load('sealed-record-v1.json') as RecordFile;

function world(c: RecordCase, version: 1 | 2 = 2, collection = c.collection) {
  const authority = authorityOf(c);
  const writer = createWriterKey(authority, { tenant: c.tenant });
  const params = version === 1 ? { ...c.params, version: 1 as const } : { ...c.params, collection };
  const cipher = createVectorCipher(importVectorKey(c.vectorKey), params);
  const user = issueUserKey(authority, c.user.attributes, { tenant: c.tenant, blindIndexFields: c.user.blindIndexFields });
  return { authority, writer, cipher, user };
}

function recordInvalid(file: RecordFile, inv: RecordInvalid, version: 1 | 2): string {
  const c = file.valid.find((v) => v.name === inv.of) as RecordCase;
  const { authority, cipher, user } = world(c, version, inv.collection ?? c.collection);
  let payload: Record<string, unknown> = { ...c.stored.payload, ...(inv.set ?? {}) };
  for (const k of inv.delete ?? []) delete payload[k];
  if (inv.biProtoTokens !== undefined) {
    payload = JSON.parse(JSON.stringify(payload).replace('"bi":{', `"bi":{"__proto__":${JSON.stringify(inv.biProtoTokens)},`));
  }
  const key = inv.attributes ? issueUserKey(authority, inv.attributes, { tenant: c.tenant }) : user;
  try {
    createOpener({ cipher, collection: inv.collection ?? c.collection }).open(decodeStoredPoint(payload, inv.vector ?? c.stored.vector), key);
    return 'opened';
  } catch (e) {
    if (!(e instanceof SealvecError)) throw e;
    return e.code;
  }
}

describe('sealed record known-answer vectors, v1 (read and migrate only)', () => {
  it.each(recordsV1.valid.map((c) => [c.name, c] as const))('a v1 record "%s" still opens as recorded, with a v1 cipher', (_, c) => {
    const { cipher, user, writer } = world(c, 1);
    const rec = decodeStoredPoint(c.stored.payload, c.stored.vector);
    expect(rec.version).toBe(1);
    const opened = createOpener({ cipher, collection: c.collection }).open(rec, user);
    expect(Array.from(opened.vector as Float32Array)).toEqual(c.opened.vector);
    expect(opened.payload).toEqual(c.opened.payload);
    // The writer path (migration by re-sealing) reads it too; rewrap refuses it (v1 is re-sealed).
    expect(createOpener({ cipher, collection: c.collection }).openWithWriter(rec, writer).payload).toEqual(c.opened.payload);
    expect(() => createRewrapper({ from: writer, to: writer, collection: c.collection }).rewrap(rec)).toThrow(/re-sealing/);
    // A v2 cipher does not read it.
    expect(createOpener({ cipher: world(c, 2).cipher, collection: c.collection }).tryOpen(rec, user)).toBeNull();
  });
  it.each(recordsV1.invalid.map((c) => [c.name, c] as const))('rejects v1 "%s" with the stated code', (_, inv) => {
    expect(recordInvalid(recordsV1, inv, 1)).toBe(inv.error);
  });
});

describe('sealed record known-answer vectors', () => {
  it('has valid, rewrap and invalid cases', () => {
    expect(records.valid.length).toBeGreaterThanOrEqual(3);
    expect(records.rewrap.length).toBeGreaterThanOrEqual(1);
    expect(records.invalid.length).toBeGreaterThanOrEqual(15);
  });

  it.each(records.valid.map((c) => [c.name, c] as const))('reproduces "%s" and opens it as recorded', (_, c) => {
    const { writer, cipher, user } = world(c);
    const sealer = createSealer({ writer, cipher, collection: c.collection, ...c.options, testOnlyRandom: seededRandom(c.random) });
    const stored = JSON.parse(JSON.stringify(encodeStoredPoint(sealer.seal(c.input))));
    expect(stored).toEqual(c.stored);
    const opened = createOpener({ cipher, collection: c.collection }).open(decodeStoredPoint(c.stored.payload, c.stored.vector), user);
    expect(Array.from(opened.vector as Float32Array)).toEqual(c.opened.vector);
    expect(opened.payload).toEqual(c.opened.payload);
    if (c.options.exactVector) expect(c.opened.vector).toEqual(c.input.vector.map(Math.fround));
    expect(userPrefilterTokens(user, c.collection)).toEqual(c.userPrefilterTokens);
    for (const q of c.blindIndexQueries) expect(blindIndexToken(user, q.field, q.value, c.collection)).toBe(q.token);
  });

  it.each(records.rewrap.map((r) => [r.name, r] as const))('reproduces "%s"', (_, r) => {
    const c = records.valid.find((v) => v.name === r.of) as RecordCase;
    const { authority, writer, cipher } = world(c);
    const to = createWriterKey(withEpoch(authority, r.toEpoch), { tenant: c.tenant });
    const rw = createRewrapper({ from: writer, to, collection: c.collection, testOnlyRandom: seededRandom(r.random) });
    const out = JSON.parse(JSON.stringify(encodeStoredPoint(rw.rewrap(decodeStoredPoint(c.stored.payload, c.stored.vector)))));
    expect(out).toEqual(r.stored);
    const u2 = issueUserKey(withEpoch(authority, r.toEpoch), c.user.attributes, { tenant: c.tenant });
    expect(createOpener({ cipher, collection: c.collection }).open(decodeStoredPoint(out.payload, out.vector), u2).payload).toEqual(c.opened.payload);
  });

  it.each(records.invalid.map((c) => [c.name, c] as const))('rejects "%s" with the stated code', (_, inv) => {
    expect(recordInvalid(records, inv, 2)).toBe(inv.error);
  });

  it('covers the attacks of issue #9: reader forgeries and signature edits are among the invalid cases', () => {
    const names = records.invalid.map((c) => c.name).join('\n');
    for (const want of ['payload forged by a reader', 'exact vector forged by a reader', 'signature bit flipped', 'signature removed', '__proto__']) {
      expect(names).toContain(want);
    }
  });
});
