import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidKey, KeyNotFound } from '../errors.js';
import { exportVectorKey, generateVectorKey, importVectorKey, tenantVectorSecret, VectorKeyset, vectorKeyFromSecret, vectorKeyInfo, vectorKeySecret } from './vector-key.js';

describe('vector keys', () => {
  it('export/import round-trips and keeps the kid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret) => {
        const k = vectorKeyFromSecret(secret);
        const s = exportVectorKey(k);
        expect(s).toMatch(/^sealvec-vector-key-v1:[A-Za-z0-9_-]{43}$/);
        const back = importVectorKey(s);
        expect(back.kid).toBe(k.kid);
        expect(vectorKeySecret(back)).toEqual(secret);
      }),
      { numRuns: 50 },
    );
  });
  it('kids are 16 hex chars and differ between keys', () => {
    const a = generateVectorKey();
    const b = generateVectorKey();
    expect(a.kid).toMatch(/^[0-9a-f]{16}$/);
    expect(a.kid).not.toBe(b.kid);
  });
  it.each([
    ['', /not a sealvec vector key/],
    ['sealvec-vector-key-v2:AAAA', /unsupported vector key version/],
    ['sealvec-vector-key-v1:AAAA', /must hold 32 bytes/],
    ['sealvec-vector-key-v1:!!!!', /not valid base64url/],
    ['sealvec-payload-key-v1:AAAA', /not a sealvec vector key/],
  ])('rejects %j with InvalidKey', (s, msg) => {
    expect(() => importVectorKey(s)).toThrow(InvalidKey);
    expect(() => importVectorKey(s)).toThrow(msg);
  });
  it('info views and errors never contain the secret', () => {
    const k = generateVectorKey();
    const secret = exportVectorKey(k).split(':')[1]!;
    expect(JSON.stringify(vectorKeyInfo(k))).not.toContain(secret);
    const ks = VectorKeyset.create(k);
    expect(JSON.stringify(ks.info())).not.toContain(secret);
    try {
      importVectorKey(exportVectorKey(k).slice(0, -2) + '!!');
    } catch (e) {
      expect(String(e)).not.toContain(secret.slice(0, 20));
    }
  });
  it('tenant secrets are distinct per tenant', () => {
    const k = generateVectorKey();
    expect(tenantVectorSecret(k, 'a')).not.toEqual(tenantVectorSecret(k, 'b'));
    expect(tenantVectorSecret(k, '')).not.toEqual(vectorKeySecret(k));
  });
});

describe('vector keyset', () => {
  it('rotation: add -> promote -> retire', () => {
    const a = generateVectorKey();
    const b = generateVectorKey();
    let ks = VectorKeyset.create(a);
    ks = ks.add(b);
    expect(ks.primary.kid).toBe(a.kid);
    expect(ks.keys.map((k) => k.kid)).toEqual([a.kid, b.kid]);
    ks = ks.promote(b.kid);
    expect(ks.primary.kid).toBe(b.kid);
    expect(ks.keys.map((k) => k.kid)).toEqual([b.kid, a.kid]);
    expect(() => ks.retire(b.kid)).toThrow(InvalidKey);
    ks = ks.retire(a.kid);
    expect(ks.keys.map((k) => k.kid)).toEqual([b.kid]);
    expect(() => ks.get(a.kid)).toThrow(KeyNotFound);
  });
  it('export/import round-trips', () => {
    const ks = VectorKeyset.create().add(generateVectorKey());
    const back = VectorKeyset.import(ks.export());
    expect(back.info()).toEqual(ks.info());
    expect(back.keys.map((k) => exportVectorKey(k))).toEqual(ks.keys.map((k) => exportVectorKey(k)));
  });
  it.each([
    ['not json', /not valid JSON/],
    ['[]', /type must be/],
    ['{"type":"sealvec/vector-keyset","version":2,"primary":"x","keys":[]}', /unsupported/],
    ['{"type":"sealvec/vector-keyset","version":1,"primary":"x","keys":[]}', /non-empty/],
    ['{"type":"sealvec/vector-keyset","version":1,"primary":"x","keys":[{"key":"sealvec-vector-key-v1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]}', /primary is not one of its keys/],
    ['{"type":"sealvec/vector-keyset","version":1,"primary":"x","keys":[5]}', /entry 0 is malformed/],
  ])('rejects %s', (s, msg) => {
    expect(() => VectorKeyset.import(s)).toThrow(InvalidKey);
    expect(() => VectorKeyset.import(s)).toThrow(msg);
  });
});
