import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SealvecError } from '../errors.js';
import { importVectorKey } from '../keys/vector-key.js';
import { fromBase64url, fromHex, toHex } from '../utils.js';
import { createVectorCipher, type VectorCipherParams } from './cipher.js';
import { getMixBackend, setMixBackend } from './mix-wasm.js';

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

interface KatFile {
  valid: ValidCase[];
  invalid: InvalidCase[];
}
const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../../fixtures/kat/${name}`, import.meta.url), 'utf8')) as KatFile;
// v2 (what is written today) and v1 (still read, for collections not yet migrated). v1 vectors
// predate the `version` parameter: they are v1 by definition.
const files: [string, KatFile][] = [
  ['vector-cipher.json', load('vector-cipher.json')],
  ['vector-cipher-v1.json', (() => {
    const f = load('vector-cipher-v1.json');
    for (const c of f.valid) c.params = { ...c.params, version: 1 };
    return f;
  })()],
];
const f32 = (s: string) => {
  const b = fromBase64url(s);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

describe.each(files)('vector cipher known-answer vectors (fixtures/kat/%s)', (_, kat) => {
  it('has cases', () => {
    expect(kat.valid.length).toBeGreaterThanOrEqual(4);
    expect(kat.invalid.length).toBeGreaterThanOrEqual(6);
  });
  // Both mix implementations (WebAssembly SIMD, the default here, and mix-fast.ts) must give these bits.
  const cases = kat.valid.flatMap((c) => (['auto', 'js'] as const).map((mix) => [c.name, mix, c] as const));
  it.each(cases)('reproduces %s exactly (mix backend %s)', (_, mix, c) => {
    const before = getMixBackend();
    setMixBackend(mix);
    onTestFinished(() => setMixBackend(before));
    const key = importVectorKey(c.key);
    expect(key.kid).toBe(c.kid);
    const cipher = createVectorCipher(key, c.params);
    const binding = { recordId: c.recordId, dataKey: fromHex(c.dataKey), collection: c.collection };
    if (c.params.version === 2) expect(c.params.collection).toBe(c.collection);
    const ct = cipher.encrypt(c.plaintext, { ...binding, nonce: fromHex(c.nonce) });
    expect(Array.from(ct.vector)).toEqual(Array.from(f32(c.ciphertext)));
    expect(toHex(ct.tag)).toBe(c.tag);
    expect(Array.from(cipher.encryptQuery(c.plaintext))).toEqual(Array.from(f32(c.query)));
    const dec = cipher.decrypt({ kid: c.kid, nonce: fromHex(c.nonce), vector: f32(c.ciphertext), tag: fromHex(c.tag) }, binding);
    expect(Array.from(dec)).toEqual(Array.from(f32(c.decrypted)));
  });
  it.each(kat.invalid.map((c) => [c.name, c] as const))('rejects %s with its coded error', (_, bad) => {
    const c = { ...kat.valid.find((v) => v.name === bad.of)!, ...bad };
    // v2 ciphers belong to one collection: "collection changed" means a cipher for the other one.
    const params = c.params.version === 2 ? { ...c.params, collection: c.collection } : c.params;
    const cipher = createVectorCipher(importVectorKey(c.key), params);
    let code: string | undefined;
    try {
      cipher.decrypt(
        { kid: c.kid, nonce: fromHex(c.nonce), vector: f32(c.ciphertext), tag: fromHex(c.tag) },
        { recordId: c.recordId, dataKey: fromHex(c.dataKey), ...(c.params.version === 2 ? {} : { collection: c.collection }) },
      );
    } catch (e) {
      code = e instanceof SealvecError ? e.code : String(e);
    }
    expect(code).toBe(bad.error);
  });
});
