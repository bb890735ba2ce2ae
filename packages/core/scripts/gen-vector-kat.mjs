// Generates fixtures/kat/vector-cipher.json (format v2; the v1 file vector-cipher-v1.json was made
// by this script's v1 edition and is kept as it was) from the built package (run `pnpm -F @sealvec/core build` first):
//   node packages/core/scripts/gen-vector-kat.mjs
// Every input is pinned (key secret, data key, nonce), so the outputs are fully determined.
// Regenerate only on a deliberate format change, and say so in the commit.
import { writeFileSync } from 'node:fs';
import { createVectorCipher, exportVectorKey, toBase64url, vectorKeyFromSecret } from '../dist/index.js';

const hex = (b) => Buffer.from(b).toString('hex');
const f32b64 = (v) => toBase64url(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
const bytes = (n, f) => Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);

const cases = [
  { name: 'euclid d=8', dimension: 8, metric: 'euclid', beta: 0.5, scale: 3, tenant: '', collection: '', x: [0.5, -1, 2, 0, 3.25, -0.125, 1, 7] },
  { name: 'cosine d=12 tenant', dimension: 12, metric: 'cosine', beta: 1, tenant: 'acme', collection: 'docs', x: Array.from({ length: 12 }, (_, i) => Math.fround(Math.sin(i + 1))) },
  { name: 'dot d=5', dimension: 5, metric: 'dot', beta: 0.25, maxNorm: 4, tenant: 't', collection: 'c', x: [1, 1, 1, 1, 1] },
  { name: 'euclid d=100 (non power of two, two Hadamard blocks)', dimension: 100, metric: 'euclid', beta: 2, tenant: '', collection: 'glove', x: Array.from({ length: 100 }, (_, i) => Math.fround(Math.cos(i * 0.7) * 2)) },
];

const out = { description: 'Known-answer vectors for the Sealvec vector cipher, format version 2. See fixtures/kat/README.md.', valid: [], invalid: [] };
cases.forEach((c, idx) => {
  const secret = bytes(32, (i) => i + idx);
  const key = vectorKeyFromSecret(secret);
  const dataKey = bytes(32, (i) => 255 - i - idx);
  const nonce = bytes(16, (i) => i * 7 + idx);
  const recordId = `record-${idx}`;
  const params = { version: 2, dimension: c.dimension, metric: c.metric, beta: c.beta, tenant: c.tenant, collection: c.collection, ...(c.maxNorm ? { maxNorm: c.maxNorm } : {}), ...(c.scale ? { scale: c.scale } : {}) };
  const cipher = createVectorCipher(key, params);
  const ct = cipher.encrypt(c.x, { recordId, dataKey, nonce, collection: c.collection });
  const q = cipher.encryptQuery(c.x);
  const dec = cipher.decrypt(ct, { recordId, dataKey, collection: c.collection });
  out.valid.push({
    name: c.name,
    key: exportVectorKey(key),
    kid: key.kid,
    params,
    recordId,
    collection: c.collection,
    dataKey: hex(dataKey),
    nonce: hex(nonce),
    plaintext: c.x,
    ciphertext: f32b64(ct.vector),
    tag: hex(ct.tag),
    query: f32b64(q),
    decrypted: f32b64(dec),
  });
  if (idx === 0) {
    const v = Float32Array.from(ct.vector);
    v[3] = Math.fround(v[3] + 1e-3);
    const tag = Uint8Array.from(ct.tag);
    tag[0] ^= 0x80;
    const base = out.valid[0];
    out.invalid.push(
      { name: 'coordinate 3 changed', of: base.name, ciphertext: f32b64(v), error: 'ERR_DECRYPTION_FAILED' },
      { name: 'tag bit flipped', of: base.name, tag: hex(tag), error: 'ERR_DECRYPTION_FAILED' },
      { name: 'record id changed', of: base.name, recordId: 'record-x', error: 'ERR_DECRYPTION_FAILED' },
      { name: 'collection changed', of: base.name, collection: 'other', error: 'ERR_DECRYPTION_FAILED' },
      { name: 'nonce changed', of: base.name, nonce: hex(bytes(16, () => 0)), error: 'ERR_DECRYPTION_FAILED' },
      { name: 'truncated ciphertext', of: base.name, ciphertext: f32b64(ct.vector.subarray(0, 7)), error: 'ERR_DIMENSION_MISMATCH' },
    );
  }
});
const path = new URL('../../../fixtures/kat/vector-cipher.json', import.meta.url);
writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${out.valid.length} valid and ${out.invalid.length} invalid cases to ${path.pathname}`);
