import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SealvecError } from '../errors.js';
import { importVectorKey } from '../keys/vector-key.js';
import { fromBase64url, fromHex, toHex } from '../utils.js';
import { createVectorCipher, type VectorCipherParams } from './cipher.js';

interface ValidCase {
  name: string;
  key: string;
  kid: string;
  params: VectorCipherParams;
  recordId: string;
  collection: string;
  dataKey: string;
  nonce: string;
  plaintext: number[];
  ciphertext: string;
  tag: string;
  query: string;
  decrypted: string;
}
type InvalidCase = Partial<ValidCase> & { name: string; of: string; error: string };

const kat = JSON.parse(readFileSync(new URL('../../../../fixtures/kat/vector-cipher.json', import.meta.url), 'utf8')) as {
  valid: ValidCase[];
  invalid: InvalidCase[];
};
const f32 = (s: string) => {
  const b = fromBase64url(s);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

describe('vector cipher known-answer vectors (fixtures/kat/vector-cipher.json)', () => {
  it('has cases', () => {
    expect(kat.valid.length).toBeGreaterThanOrEqual(4);
    expect(kat.invalid.length).toBeGreaterThanOrEqual(6);
  });
  it.each(kat.valid.map((c) => [c.name, c] as const))('reproduces %s exactly', (_, c) => {
    const key = importVectorKey(c.key);
    expect(key.kid).toBe(c.kid);
    const cipher = createVectorCipher(key, c.params);
    const binding = { recordId: c.recordId, dataKey: fromHex(c.dataKey), collection: c.collection };
    const ct = cipher.encrypt(c.plaintext, { ...binding, nonce: fromHex(c.nonce) });
    expect(Array.from(ct.vector)).toEqual(Array.from(f32(c.ciphertext)));
    expect(toHex(ct.tag)).toBe(c.tag);
    expect(Array.from(cipher.encryptQuery(c.plaintext))).toEqual(Array.from(f32(c.query)));
    const dec = cipher.decrypt({ kid: c.kid, nonce: fromHex(c.nonce), vector: f32(c.ciphertext), tag: fromHex(c.tag) }, binding);
    expect(Array.from(dec)).toEqual(Array.from(f32(c.decrypted)));
  });
  it.each(kat.invalid.map((c) => [c.name, c] as const))('rejects %s with its coded error', (_, bad) => {
    const c = { ...kat.valid.find((v) => v.name === bad.of)!, ...bad };
    const cipher = createVectorCipher(importVectorKey(c.key), c.params);
    let code: string | undefined;
    try {
      cipher.decrypt(
        { kid: c.kid, nonce: fromHex(c.nonce), vector: f32(c.ciphertext), tag: fromHex(c.tag) },
        { recordId: c.recordId, dataKey: fromHex(c.dataKey), collection: c.collection },
      );
    } catch (e) {
      code = e instanceof SealvecError ? e.code : String(e);
    }
    expect(code).toBe(bad.error);
  });
});
