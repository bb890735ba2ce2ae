import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { createWriterKey, generateAuthority } from '../authority/authority.js';
import { Malformed, SealvecError, UnsupportedVersion } from '../errors.js';
import { generateVectorKey } from '../keys/vector-key.js';
import { createSealer } from '../record/seal.js';
import { createVectorCipher } from '../vector/cipher.js';
import { MAX_HEADER_BYTES, STORED_FIELDS } from './constants.js';
import { checkJsonValue } from './json.js';
import { decodeStoredCandidate, decodeStoredPoint, decodeStoredVector, encodeStoredPoint, validateStoredPayload, type StoredPayload } from './record.js';

const authority = generateAuthority();
const cipher = createVectorCipher(generateVectorKey(), { dimension: 5, metric: 'dot', beta: 0.3, maxNorm: 4, collection: 'c' });
const sealer = createSealer({ writer: createWriterKey(authority), cipher, collection: 'c', blindIndex: ['s', 'tags'] });
const rec = sealer.seal({ id: 'id-1', vector: [1, 0, -1, 0.5, 0.25], payload: { s: 'x', tags: ['a', 'b'] }, policy: 'role=a,b,c' });
const point = () => JSON.parse(JSON.stringify(encodeStoredPoint(rec))) as { payload: StoredPayload; vector: number[] };

describe('stored record', () => {
  it('is JSON-safe and round-trips every field', () => {
    const p = point();
    expect(Object.keys(p.payload)).toEqual(STORED_FIELDS.filter((k) => k in p.payload));
    expect(Object.keys(p.payload)).toEqual(['sv', 'id', 'tnt', 'kid', 'ep', 'n', 't', 'h', 'p', 'x', 'pf', 'bi', 's']);
    const back = decodeStoredPoint(p.payload, p.vector, { storedDimension: cipher.storedDimension });
    expect(back).toEqual(rec);
    // The vector survives as numbers exactly (each is a float32 value).
    expect(Float32Array.from(p.vector)).toEqual(rec.vector);
  });

  it('ignores fields it does not know (the collection layer may add its own)', () => {
    const p = point();
    expect(decodeStoredPoint({ ...p.payload, _app: { any: 'thing' } }, p.vector)).toEqual(rec);
  });

  it('rejects each malformed field with Malformed (or UnsupportedVersion for sv)', () => {
    const bad: [string, (o: Record<string, unknown>) => void][] = [
      ['sv missing', (o) => delete o.sv],
      ['sv string', (o) => (o.sv = '1')],
      ['id empty', (o) => (o.id = '')],
      ['id number', (o) => (o.id = 5)],
      ['id too long', (o) => (o.id = 'x'.repeat(513))],
      ['id too many bytes', (o) => (o.id = 'é'.repeat(300))],
      ['tnt missing', (o) => delete o.tnt],
      ['kid upper', (o) => (o.kid = (o.kid as string).toUpperCase())],
      ['ep 0', (o) => (o.ep = 0)],
      ['ep float', (o) => (o.ep = 1.5)],
      ['ep mismatch', (o) => (o.ep = 9)],
      ['n short', (o) => (o.n = 'AAAA')],
      ['t bad alphabet', (o) => (o.t = '+'.repeat(22))],
      ['h padded', (o) => (o.h = `${o.h as string}=`)],
      ['h huge', (o) => (o.h = 'A'.repeat(Math.ceil((MAX_HEADER_BYTES * 4) / 3) + 4))],
      ['p short', (o) => (o.p = 'AAAA')],
      ['x short', (o) => (o.x = 'AAAA')],
      ['x number', (o) => (o.x = 1)],
      ['pf not array', (o) => (o.pf = 'abc')],
      ['pf wrong token length', (o) => (o.pf = ['abc', 'abd', 'abe', 'abf'])],
      ['pf wrong count', (o) => (o.pf = (o.pf as string[]).slice(1))],
      ['pf too many', (o) => (o.pf = Array.from({ length: 300 }, () => 'A'.repeat(22)))],
      ['bi array', (o) => (o.bi = [])],
      ['bi bad name', (o) => (o.bi = { 'a.b': ['A'.repeat(16)] })],
      ['bi empty list', (o) => (o.bi = { s: [] })],
      ['bi unsorted', (o) => (o.bi = { s: ['B'.repeat(16), 'A'.repeat(16)] })],
      ['bi duplicate', (o) => (o.bi = { s: ['A'.repeat(16), 'A'.repeat(16)] })],
    ];
    for (const [name, edit] of bad) {
      const p = point().payload as unknown as Record<string, unknown>;
      edit(p);
      expect(() => validateStoredPayload(p), name).toThrow(Malformed);
    }
    expect(() => validateStoredPayload({ ...point().payload, sv: 3 })).toThrow(UnsupportedVersion);
    expect(() => validateStoredPayload({ ...point().payload, sv: 1 })).toThrow(Malformed); // v1 has no signature field
    for (const v of [null, [], 'x', 5]) expect(() => validateStoredPayload(v)).toThrow(Malformed);
  });

  it('refuses ids and tenants with a lone surrogate as Malformed, in full records and lean candidates', () => {
    for (const [field, bad] of [['id', 'id-1\ud800'], ['id', '\udc00'], ['tnt', '\ud83d'], ['tnt', 'a\udc00b']] as const) {
      const p = point();
      (p.payload as unknown as Record<string, unknown>)[field] = bad;
      expect(() => decodeStoredPoint(p.payload, p.vector)).toThrow(Malformed);
      expect(() => validateStoredPayload(p.payload)).toThrow(Malformed);
      expect(() => decodeStoredCandidate(p.payload)).toThrow(Malformed);
    }
    const ok = point();
    ok.payload.id = 'id-\ud83d\ude00'; // a surrogate pair is well-formed
    expect(decodeStoredPoint(ok.payload, ok.vector).id).toBe('id-\ud83d\ude00');
  });

  it('rejects malformed vectors', () => {
    for (const v of [[], [1, Number.NaN], ['1'], 'abc', null, [1e39], { length: 3 }]) expect(() => decodeStoredVector(v)).toThrow(Malformed);
    expect(() => decodeStoredVector([1, 2], 3)).toThrow(Malformed);
    expect(decodeStoredVector(new Float32Array([1, 2]))).toEqual(new Float32Array([1, 2]));
  });

  it('every truncation of every encoded field is rejected with a coded error', () => {
    const p = point();
    for (const f of ['n', 't', 'h', 'p', 'x'] as const) {
      const s = p.payload[f] as string;
      for (let n = 0; n < s.length; n += Math.max(1, Math.floor(s.length / 60))) {
        const q = { ...p.payload, [f]: s.slice(0, n) };
        try {
          decodeStoredPoint(q, p.vector);
          // Some truncations still decode (a shorter sealed payload); open then fails to authenticate them.
          expect(['p', 'x']).toContain(f);
        } catch (e) {
          expect(e).toBeInstanceOf(SealvecError);
        }
      }
    }
  });

  it('random JSON and random field values give only coded errors', () => {
    const keys = fc.constantFrom(...STORED_FIELDS);
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(keys, fc.jsonValue())), (v) => {
        try {
          decodeStoredPoint(v, [1, 2]);
        } catch (e) {
          expect(e).toBeInstanceOf(SealvecError);
        }
      }),
      { numRuns: numRuns(300) },
    );
    fc.assert(
      fc.property(keys, fc.jsonValue(), (k, v) => {
        try {
          decodeStoredPoint({ ...point().payload, [k]: v }, point().vector);
        } catch (e) {
          expect(e).toBeInstanceOf(SealvecError);
        }
      }),
      { numRuns: numRuns(300) },
    );
  });
});

describe('checkJsonValue', () => {
  it('accepts what JSON carries and rejects what it would drop or change', () => {
    for (const ok of [null, 1, 'x', true, [], {}, { a: [1, { b: null }] }, Object.create(null)]) expect(() => checkJsonValue(ok)).not.toThrow();
    for (const bad of [undefined, Number.NaN, Infinity, () => 1, 1n, new Date(), new Map(), { a: undefined }, [Symbol('s')]]) {
      expect(() => checkJsonValue(bad)).toThrow(Malformed);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => checkJsonValue(deep)).toThrow(Malformed);
  });

  it('a stored blind-index field named __proto__ is Malformed, not silently dropped (issue #9, finding 7)', () => {
    const text = JSON.stringify(point().payload).replace('"bi":{', '"bi":{"__proto__":["AAAAAAAAAAAAAAAA"],');
    expect(() => validateStoredPayload(JSON.parse(text))).toThrow(Malformed);
    const ok = validateStoredPayload(point().payload);
    expect(Object.getPrototypeOf(ok.bi)).toBeNull();
  });
});
