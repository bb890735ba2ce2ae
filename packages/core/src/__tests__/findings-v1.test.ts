// Issue #9 findings written as attacks against the v1 code (temporary file: each test moves to
// its home file once the fix lands). Every test here states the HONEST expectation.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createWriterKey, generateAuthority, issueUserKey, checkFieldNames } from '../authority/authority.js';
import { exportAuthority, importAuthority } from '../authority/serialize.js';
import { DecryptionFailed, SealvecError } from '../errors.js';
import { validateStoredPayload, encodeStoredPayload } from '../format/record.js';
import { unwrapDataKey } from '../header/wrap.js';
import { generateVectorKey } from '../keys/vector-key.js';
import { createPolicy } from '../policy/policy.js';
import { DEFAULT_SCHEMA } from '../policy/schema.js';
import { primitives } from '#primitives';
import { blindIndexDigest, payloadAad, recordKeys, tokensDigest } from '../record/binding.js';
import { createOpener } from '../record/open.js';
import { createSealer } from '../record/seal.js';
import { concatBytes, toBase64url, utf8 } from '../utils.js';
import { createVectorCipher } from '../vector/cipher.js';

const authority = generateAuthority();
const writer = createWriterKey(authority);
const key = generateVectorKey();
const cipher = createVectorCipher(key, { dimension: 8, metric: 'cosine', beta: 1 });
const sealer = createSealer({ writer, cipher, collection: 'docs', blindIndex: ['status'] });
const opener = createOpener({ cipher, collection: 'docs' });
const alice = issueUserKey(authority, { role: ['hr'] });
const bob = issueUserKey(authority, { role: ['admin'] });
const vec = [1, 2, 3, 4, 5, 6, 7, 8];
const rec = sealer.seal({ id: 'r1', vector: vec, payload: { status: 'open', body: 'genuine' }, policy: 'role=hr,admin' });

describe('finding 2: a reader forges a record for other readers', () => {
  const dk = unwrapDataKey(rec.header, { recordId: 'r1', collection: 'docs', associatedData: tokensDigest(rec.prefilter) }, alice)!;
  const keys = recordKeys(dk);
  const n = primitives.randomBytes(24);
  const forgedPayload = concatBytes(n, primitives.xchacha20poly1305Seal(keys.payload, n, utf8(JSON.stringify({ status: 'open', body: 'FORGED by alice' })),
    payloadAad({ tenant: '', collection: 'docs', recordId: 'r1', kid: rec.kid }, true, blindIndexDigest(rec.blindIndex))));
  const forged = { ...rec, payload: forgedPayload };
  it('bob must not accept alice\'s forgery', () => {
    expect(() => opener.open(forged, bob)).toThrow(DecryptionFailed);
  });
  it('the writer path (rotateKey) must not accept it either', () => {
    expect(() => opener.openWithWriter(forged, writer)).toThrow(DecryptionFailed);
  });
});

describe('finding 4: oracles in errors', () => {
  const errorOf = (f: () => unknown) => { try { f(); } catch (e) { return e as Error; } throw new Error('no error'); };
  it('"not for me" and "tampered" fail identically, without a cause', () => {
    const notForMe = errorOf(() => opener.open(rec, issueUserKey(authority, { role: ['nobody'] })));
    const p = Uint8Array.from(rec.payload); p[30]! ^= 1;
    const tampered = errorOf(() => opener.open({ ...rec, payload: p }, alice));
    expect(tampered.cause).toBe(notForMe.cause);
    expect(tampered.cause).toBeUndefined();
  });
  it('a corrupt key file puts no part of the secret into the error or its cause', () => {
    const text = exportAuthority(authority);
    const master = JSON.parse(text).master as string;
    const corrupt = text.replace(`"${master}"`, master); // the quotes around the secret lost
    const e = errorOf(() => importAuthority(corrupt));
    expect(inspect(e, { depth: 10 })).not.toContain(master.slice(0, 6));
  });
});

describe('finding 5: secrets printed by accident', () => {
  it('console.log / util.inspect / JSON / spread of a vector key show no secret bytes', () => {
    const k = generateVectorKey();
    const secretList = Array.from((k as unknown as { secret: Uint8Array }).secret).slice(0, 6).join(', ');
    const b64 = toBase64url((k as unknown as { secret: Uint8Array }).secret);
    expect(inspect(k)).not.toContain(secretList);
    expect(JSON.stringify({ ...k })).not.toContain(b64.slice(0, 10));
    expect(Object.keys(k)).not.toContain('secret');
  });
});

describe('finding 6: the cipher leaks more than the threat model says', () => {
  it('the same key gives unrelated transforms in two collections', () => {
    const a = createVectorCipher(key, { dimension: 8, metric: 'euclid', beta: 0, collection: 'public' } as never);
    const b = createVectorCipher(key, { dimension: 8, metric: 'euclid', beta: 0, collection: 'private' } as never);
    expect(Array.from(a.encryptQuery(vec))).not.toEqual(Array.from(b.encryptQuery(vec)));
  });
  it('near-repeat queries (1-ulp jitter) share their noise', () => {
    const c = createVectorCipher(key, { dimension: 64, metric: 'cosine', beta: 1 });
    const q = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i + 1));
    const seen = new Set<string>();
    for (let j = 0; j < 256; j++) {
      const v = Float32Array.from(q);
      const i = j % 64;
      const bits = new Uint32Array(v.buffer);
      bits[i] = bits[i]! + (j < 128 ? 1 : -1);
      seen.add(Buffer.from(c.encryptQuery(v).buffer).toString('hex'));
    }
    expect(seen.size).toBeLessThanOrEqual(8);
  });
  it('for a power-of-two d, H*R is not a +-1/sqrt(d) sign matrix', async () => {
    const { createMix } = await import('../vector/mix.js');
    const { applyMix, fastMix } = await import('../vector/mix-fast.js');
    const d = 64;
    const mix = fastMix(createMix(new Uint8Array(32).fill(3), d));
    const e = new Float64Array(d); e[5] = 1;
    const y = new Float64Array(d); const t = new Float64Array(d);
    applyMix(mix, e, y, t);
    // Undo the public Hadamard: H y (normalized)
    const h = Float64Array.from(y);
    for (let len = 1; len < d; len <<= 1) for (let i = 0; i < d; i += len << 1) for (let j = i; j < i + len; j++) { const a = h[j]!, b = h[j + len]!; h[j] = a + b; h[j + len] = a - b; }
    const onGrid = Array.from(h).every((v) => Math.abs(Math.abs(v / Math.sqrt(d)) - 1 / Math.sqrt(d)) < 1e-12 || Math.abs(v) < 1e-12);
    expect(onGrid).toBe(false);
  });
  it('euclid: ciphertext norms do not track plaintext norms exactly', () => {
    const c = createVectorCipher(key, { dimension: 8, metric: 'euclid', beta: 0 });
    const r1 = Math.hypot(...c.encryptQuery(vec)) / Math.hypot(...vec);
    const r2 = Math.hypot(...c.encryptQuery(vec.map((x) => x * 3 - 1))) / Math.hypot(...vec.map((x) => x * 3 - 1));
    expect(Math.abs(r1 - r2)).toBeGreaterThan(1e-4);
  });
});

describe('finding 7: smaller holes', () => {
  it('a blind-index field named __proto__ is refused', () => {
    expect(() => checkFieldNames(['__proto__'])).toThrow();
  });
  it('a stored bi.__proto__ is not silently dropped', () => {
    const stored = encodeStoredPayload(rec) as unknown as Record<string, unknown>;
    const text = JSON.stringify(stored).replace('"bi":{', '"bi":{"__proto__":["AAAAAAAAAAAAAAAA"],');
    let out: unknown;
    try { out = validateStoredPayload(JSON.parse(text)); } catch (e) { expect(e).toBeInstanceOf(SealvecError); return; }
    expect(Object.keys((out as { bi: object }).bi)).toContain('__proto__');
  });
  it('record ids and tenants with lone surrogates are refused', () => {
    expect(() => sealer.seal({ id: 'a\uD800', vector: vec, policy: 'role=hr' })).toThrow();
  });
  it('a policy listing an empty array is refused, like an empty policy string', () => {
    expect(() => createPolicy(DEFAULT_SCHEMA, { role: [] })).toThrow();
  });
});
