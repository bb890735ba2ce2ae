/**
 * Issue #9, finding 2: readers are not writers. Every reader of a record holds its data key, so
 * a reader can re-seal the payload, the exact vector or the vector itself under the unchanged
 * header. These are those forgeries, written as the attack; format v2 refuses each of them for
 * every other reader and for the writer path, because the writer's signature covers every field.
 */
import { describe, expect, it } from 'vitest';
import { primitives } from '#primitives';
import { createWriterKey, generateAuthority, issueUserKey, rotateEpoch } from '../authority/authority.js';
import { DecryptionFailed } from '../errors.js';
import { unwrapDataKey } from '../header/wrap.js';
import { generateVectorKey } from '../keys/vector-key.js';
import { concatBytes, utf8 } from '../utils.js';
import { createVectorCipher } from '../vector/cipher.js';
import { blindIndexDigest, exactVectorAad, payloadAad, recordKeys, tokensDigest } from './binding.js';
import { createOpener } from './open.js';
import { createRewrapper } from './rewrap.js';
import { createSealer } from './seal.js';
import type { SealedRecord } from './types.js';

const D = 8;
const authority = generateAuthority();
const writer = createWriterKey(authority);
const cipher = createVectorCipher(generateVectorKey(), { dimension: D, metric: 'cosine', beta: 1, collection: 'docs' });
const sealer = createSealer({ writer, cipher, blindIndex: ['status'] });
const opener = createOpener({ cipher });
const alice = issueUserKey(authority, { role: ['hr'] });
const bob = issueUserKey(authority, { role: ['admin'] });
const vec = Array.from({ length: D }, (_, i) => i + 1);
const rec = sealer.seal({ id: 'r1', vector: vec, payload: { status: 'open', body: 'genuine' }, policy: 'role=hr,admin' });

/** What alice can do with the data key she unwraps: re-seal fields under the same header. */
function forge(r: SealedRecord, by: typeof alice, change: 'payload' | 'exact' | 'vector'): SealedRecord {
  const dk = unwrapDataKey(r.header, { recordId: r.id, collection: 'docs', associatedData: tokensDigest(r.prefilter) }, by);
  if (dk === null) throw new Error('the forger must be a reader of the record');
  const keys = recordKeys(dk);
  const scope = { tenant: '', collection: 'docs', recordId: r.id, kid: r.kid };
  const n = primitives.randomBytes(24);
  if (change === 'payload') {
    const text = utf8(JSON.stringify({ status: 'open', body: 'FORGED by a reader' }));
    return { ...r, payload: concatBytes(n, primitives.xchacha20poly1305Seal(keys.payload, n, text, payloadAad(scope, true, blindIndexDigest(r.blindIndex), 2))) };
  }
  if (change === 'exact') {
    const plain = new Uint8Array(1 + 4 * D);
    plain[0] = 1;
    new DataView(plain.buffer).setFloat32(1, 1234, true);
    return { ...r, exact: concatBytes(n, primitives.xchacha20poly1305Seal(keys.vector, n, plain, exactVectorAad(scope, r.nonce, r.tag, 2))) };
  }
  // A new ciphertext vector with a matching tag (the cipher derives the tag key from the data key).
  const moved = cipher.encrypt(vec.map((x) => -x), { recordId: r.id, dataKey: dk, nonce: r.nonce });
  return { ...r, vector: moved.vector, tag: moved.tag };
}

describe('a reader cannot forge records for other readers (issue #9, finding 2)', () => {
  for (const change of ['payload', 'exact', 'vector'] as const) {
    it(`a forged ${change} is refused by every other reader and by the writer path`, () => {
      const forged = forge(rec, alice, change);
      expect(() => opener.open(forged, bob)).toThrow(DecryptionFailed);
      expect(() => opener.open(forged, alice)).toThrow(DecryptionFailed);
      expect(() => opener.openWithWriter(forged, writer)).toThrow(DecryptionFailed);
      // Rewrap checks the old signature before signing anew: no laundering.
      expect(() => createRewrapper({ from: writer, to: createWriterKey(rotateEpoch(authority)), collection: 'docs' }).rewrap(forged)).toThrow(DecryptionFailed);
    });
  }

  it('the untouched record opens for both readers', () => {
    expect(opener.open(rec, bob).payload).toEqual({ status: 'open', body: 'genuine' });
    expect(opener.open(rec, alice).payload).toEqual({ status: 'open', body: 'genuine' });
  });

  it('after a rewrap, a revoked reader who kept the old data key still cannot forge for the new epoch', () => {
    const a2 = rotateEpoch(authority);
    const r2 = createRewrapper({ from: writer, to: createWriterKey(a2), collection: 'docs' }).rewrap(rec);
    const bob2 = issueUserKey(a2, { role: ['admin'] });
    expect(opener.open(r2, bob2).payload).toEqual({ status: 'open', body: 'genuine' });
    // Alice (epoch 1, not re-issued) still knows the data key: rewrap keeps it.
    const dk = unwrapDataKey(rec.header, { recordId: 'r1', collection: 'docs', associatedData: tokensDigest(rec.prefilter) }, alice)!;
    const keys = recordKeys(dk);
    const n = primitives.randomBytes(24);
    const forged = {
      ...r2,
      payload: concatBytes(n, primitives.xchacha20poly1305Seal(keys.payload, n, utf8('{"body":"FORGED after revocation"}'), payloadAad({ tenant: '', collection: 'docs', recordId: 'r1', kid: r2.kid }, true, blindIndexDigest(r2.blindIndex), 2))),
    };
    expect(() => opener.open(forged, bob2)).toThrow(DecryptionFailed);
    // And she cannot open the rewrapped record at all.
    expect(opener.tryOpen(r2, alice)).toBeNull();
  });

  it('a signature made by another writer (another epoch, tenant or authority) is refused', () => {
    const otherWriters = [createWriterKey(rotateEpoch(authority)), createWriterKey(generateAuthority())];
    for (const w of otherWriters) {
      const s2 = createSealer({ writer: w, cipher });
      const theirs = s2.seal({ id: 'r1', vector: vec, payload: {}, policy: '*' });
      expect(() => opener.open({ ...rec, signature: theirs.signature! }, bob)).toThrow(DecryptionFailed);
    }
  });
});
