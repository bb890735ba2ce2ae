import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns, seededRandom, worldArb } from '../__tests__/arbitraries.js';
import { createWriterKey, generateAuthority, issueUserKey } from '../authority/authority.js';
import { DecryptionFailed, DimensionMismatch, InputTooLarge, InvalidPolicy, InvalidVector, Malformed, SchemeMismatch } from '../errors.js';
import { MAX_PAYLOAD_BYTES } from '../format/constants.js';
import { decodeHeader } from '../header/format.js';
import { generateVectorKey } from '../keys/vector-key.js';
import { evaluate } from '../policy/evaluate.js';
import { createPolicy } from '../policy/policy.js';
import { createVectorCipher } from '../vector/cipher.js';
import type { Metric } from '../vector/metric.js';
import { createOpener } from './open.js';
import { createSealer } from './seal.js';

const D = 8;
const vec = (k = 1) => Array.from({ length: D }, (_, i) => Math.fround(Math.sin(i + k) * 3));

function setup(metric: Metric = 'cosine', opts: { exactVector?: boolean; tenant?: string } = {}) {
  const authority = generateAuthority();
  const tenant = opts.tenant ?? '';
  const writer = createWriterKey(authority, { tenant });
  const cipher = createVectorCipher(generateVectorKey(), { dimension: D, metric, beta: 0.5, tenant, collection: 'docs', ...(metric === 'dot' ? { maxNorm: 10 } : {}) });
  const sealer = createSealer({ writer, cipher, collection: 'docs', blindIndex: ['status'], ...(opts.exactVector === undefined ? {} : { exactVector: opts.exactVector }) });
  const opener = createOpener({ cipher, collection: 'docs' });
  return { authority, writer, cipher, sealer, opener, tenant };
}

describe('seal and open', () => {
  for (const metric of ['cosine', 'euclid', 'dot'] as const) {
    it(`${metric}: open gives back the exact float32 vector and the payload`, () => {
      const { authority, sealer, opener, cipher } = setup(metric);
      const payload = { status: 'open', title: 'Quarterly review', n: 3.5, tags: ['a', 'é'], nested: { ok: true, none: null } };
      const r = sealer.seal({ id: 'doc-1', vector: vec(), payload, policy: { roles: ['hr_manager', 'admin'], groups: ['team_hr'] } });
      expect(r.vector).toHaveLength(cipher.storedDimension);
      const u = issueUserKey(authority, { role: ['admin'], group: ['team_hr'] });
      const out = opener.open(r, u);
      expect(Array.from(out.vector as Float32Array)).toEqual(vec());
      expect(out.payload).toEqual(payload);
      expect(out.id).toBe('doc-1');
      expect(opener.open(r, u, { vector: false }).vector).toBeUndefined();
    });
  }

  for (const metric of ['cosine', 'euclid', 'dot'] as const) {
    it(`${metric} with exactVector: false: open gives the cipher's decryption (float32-close) and no x for euclid/dot`, () => {
      const { authority, sealer, opener } = setup(metric, { exactVector: false });
      const r = sealer.seal({ id: 'doc-1', vector: vec(), payload: { a: 1 }, policy: '*' });
      expect(r.exact === undefined).toBe(metric !== 'cosine');
      const out = opener.open(r, issueUserKey(authority, {}));
      const v = vec();
      out.vector!.forEach((x, i) => expect(x).toBeCloseTo(v[i] as number, 4));
    });
  }

  it('sealed records open exactly for the users evaluate allows (random schemas, policies, users)', () => {
    fc.assert(
      fc.property(worldArb({ min: 1, max: 3 }, { min: 1, max: 3 }), ({ schema, policies, users }) => {
        const authority = generateAuthority({ schema });
        const cipher = createVectorCipher(generateVectorKey(), { dimension: 4, metric: 'euclid', beta: 1, collection: 'docs' });
        const sealer = createSealer({ writer: createWriterKey(authority), cipher });
        const opener = createOpener({ cipher });
        const keys = users.map((u) => issueUserKey(authority, u));
        policies.forEach((p, j) => {
          const r = sealer.seal({ id: `r${j}`, vector: [1, 2, 3, 4], payload: { j }, policy: p });
          users.forEach((u, i) => {
            const got = opener.tryOpen(r, keys[i]!);
            expect(got !== null).toBe(evaluate(u, p));
            if (got) expect(got.payload).toEqual({ j });
          });
        });
      }),
      { numRuns: numRuns(30) },
    );
  });

  it('denies with one generic error and keeps the vector secret from non-matching users', () => {
    const { authority, sealer, opener } = setup();
    const r = sealer.seal({ id: 'doc-1', vector: vec(), payload: {}, policy: 'role=admin;group=team_hr' });
    const err = (() => {
      try {
        opener.open(r, issueUserKey(authority, { role: ['admin'] }));
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DecryptionFailed);
    expect(err?.message).toBe('decryption failed');
    expect(opener.tryOpen(r, issueUserKey(authority, { group: ['team_hr'] }))).toBeNull();
  });

  it('stores tokens: pf padded to the header bucket and sorted, bi for configured fields', () => {
    const { sealer, writer } = setup();
    const r = sealer.seal({ id: 'x', vector: vec(), payload: { status: 'open' }, policy: createPolicy(writer.schema, { role: ['a', 'b', 'c'] }) });
    expect(decodeHeader(r.header).entryCount).toBe(4);
    expect(r.prefilter).toHaveLength(4);
    expect(r.prefilter!.slice().sort()).toEqual(r.prefilter);
    expect(Object.keys(r.blindIndex!)).toEqual(['status']);
    const none = createSealer({ writer, cipher: setup().cipher, prefilter: false }).seal({ id: 'x', vector: vec(), policy: '*' });
    expect(none.prefilter).toBeUndefined();
    expect(none.blindIndex).toBeUndefined();
  });

  it('is deterministic with a pinned random source and fresh otherwise', () => {
    const { writer, cipher } = setup();
    const mk = () => createSealer({ writer, cipher, testOnlyRandom: seededRandom('s') }).seal({ id: 'x', vector: vec(), payload: { a: 1 }, policy: 'role=a' });
    const x = mk();
    const y = mk();
    expect(x.header).toEqual(y.header);
    expect(x.payload).toEqual(y.payload);
    expect(x.vector).toEqual(y.vector);
    const s = createSealer({ writer, cipher });
    const p = s.seal({ id: 'x', vector: vec(), policy: 'role=a' });
    const q = s.seal({ id: 'x', vector: vec(), policy: 'role=a' });
    expect(p.header).not.toEqual(q.header);
    expect(p.vector).not.toEqual(q.vector);
  });

  it('seals batches all or nothing', () => {
    const { sealer } = setup();
    expect(sealer.sealBatch([1, 2, 3].map((k) => ({ id: `r${k}`, vector: vec(k), policy: '*' })))).toHaveLength(3);
    expect(() => sealer.sealBatch([{ id: 'a', vector: vec(), policy: '*' }, { id: 'b', vector: [1], policy: '*' }])).toThrow(DimensionMismatch);
  });

  it('rejects bad input with the matching error', () => {
    const { sealer, writer, cipher } = setup();
    const ok = { id: 'x', vector: vec(), payload: {}, policy: '*' };
    expect(() => sealer.seal({ ...ok, id: '' })).toThrow(RangeError);
    expect(() => sealer.seal({ ...ok, vector: vec().map(() => Number.NaN) })).toThrow(InvalidVector);
    expect(() => sealer.seal({ ...ok, vector: [1, 2] })).toThrow(DimensionMismatch);
    expect(() => sealer.seal({ ...ok, policy: 'team=x' })).toThrow(InvalidPolicy);
    expect(() => sealer.seal({ ...ok, policy: '' })).toThrow(InvalidPolicy);
    expect(() => sealer.seal({ ...ok, payload: { a: Number.NaN } })).toThrow(Malformed);
    expect(() => sealer.seal({ ...ok, payload: { a: undefined } as never })).toThrow(Malformed);
    expect(() => sealer.seal({ ...ok, payload: { d: new Date() } as never })).toThrow(Malformed);
    expect(() => sealer.seal({ ...ok, payload: 'x'.repeat(MAX_PAYLOAD_BYTES) })).toThrow(InputTooLarge);
    expect(() => sealer.seal({ ...ok, payload: { status: { a: 1 } } })).toThrow(Malformed);
    expect(() => createSealer({ writer: createWriterKey(generateAuthority(), { tenant: 't' }), cipher })).toThrow(SchemeMismatch);
    expect(() => createSealer({ writer, cipher, blindIndex: ['a b'] })).toThrow(RangeError);
    expect(() => createSealer({ writer: {} as never, cipher })).toThrow(TypeError);
  });
});

describe('policy argument', () => {
  it('accepts Policy objects, maps and strings alike, and validates maps every time', () => {
    const { sealer, writer, authority, opener } = setup('euclid');
    const u = issueUserKey(authority, { role: ['a'] });
    const inputs = [createPolicy(writer.schema, { role: ['a'] }), { role: ['a'] }, { roles: 'a' }, 'role=a', '{"role":["a"]}'];
    for (const policy of inputs) expect(opener.open(sealer.seal({ id: 'x', vector: vec(), policy }), u).id).toBe('x');
    sealer.seal({ id: 'x', vector: vec(), policy: { role: ['a'] } });
    expect(() => sealer.seal({ id: 'x', vector: vec(), policy: { role: ['a'], group: (() => 1) as never } })).toThrow(InvalidPolicy);
    expect(() => sealer.seal({ id: 'x', vector: vec(), policy: { role: ['a'], team: ['x'] } })).toThrow(InvalidPolicy);
    expect(() => sealer.seal({ id: 'x', vector: vec(), policy: 5 as never })).toThrow(InvalidPolicy);
    expect(() => sealer.seal({ id: 'x', vector: vec(), policy: createPolicy(generateAuthority({ schema: ['team'] }).schema, {}) })).toThrow(InvalidPolicy);
  });
});

describe('smaller holes (issue #9, finding 7)', () => {
  const { sealer, writer, cipher } = setup();
  it('record ids, tenants and collections with a lone surrogate are refused (they alias other strings in UTF-8)', () => {
    expect(() => sealer.seal({ id: 'a\uD800', vector: vec(), policy: '*' })).toThrow(RangeError);
    expect(() => sealer.seal({ id: '\uDC00b', vector: vec(), policy: '*' })).toThrow(RangeError);
    expect(sealer.seal({ id: 'emoji \uD83D\uDE00', vector: vec(), policy: '*' }).id).toBe('emoji \uD83D\uDE00'); // a proper pair is fine
    expect(() => createWriterKey(generateAuthority(), { tenant: 't\uD800' })).toThrow(RangeError);
    expect(() => createSealer({ writer, cipher, collection: 'c\uDFFF' })).toThrow(RangeError);
  });
  it('a payload with a lone surrogate (in a value or a key) is refused: it would not open as sealed', () => {
    expect(() => sealer.seal({ id: 'p', vector: vec(), policy: '*', payload: { t: 'x\uD800' } })).toThrow(Malformed);
    expect(() => sealer.seal({ id: 'p', vector: vec(), policy: '*', payload: { ['k\uDC00']: 1 } })).toThrow(Malformed);
  });
  it('a blind-index field named __proto__ is refused', () => {
    expect(() => createSealer({ writer, cipher, blindIndex: ['__proto__'] })).toThrow(RangeError);
  });
  it('a policy that lists an empty array is refused, like an empty policy string', () => {
    expect(() => sealer.seal({ id: 'p', vector: vec(), policy: { role: [] } })).toThrow(InvalidPolicy);
    expect(() => sealer.seal({ id: 'p', vector: vec(), policy: '' })).toThrow(InvalidPolicy);
    expect(sealer.seal({ id: 'p', vector: vec(), policy: { role: ['*'] } }).id).toBe('p');
  });
  it('sealing needs a v2 cipher of the sealer\'s collection', () => {
    const v1 = createVectorCipher(generateVectorKey(), { dimension: D, metric: 'cosine', beta: 1, version: 1 });
    expect(() => createSealer({ writer, cipher: v1 })).toThrow(TypeError);
    expect(() => createSealer({ writer, cipher, collection: 'elsewhere' })).toThrow(TypeError);
  });
});
