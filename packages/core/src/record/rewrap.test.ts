import { describe, expect, it } from 'vitest';
import { createWriterKey, generateAuthority, issueUserKey, rotateEpoch } from '../authority/authority.js';
import { DecryptionFailed, KeyNotFound, SchemeMismatch } from '../errors.js';
import { decodeStoredPoint, encodeStoredPoint } from '../format/record.js';
import { decodeHeader } from '../header/format.js';
import { generateVectorKey } from '../keys/vector-key.js';
import { userPrefilterTokens } from '../tokens/prefilter.js';
import { createVectorCipher } from '../vector/cipher.js';
import { createOpener } from './open.js';
import { createRewrapper, rewrapRecord } from './rewrap.js';
import { createSealer } from './seal.js';

const a1 = generateAuthority();
const a2 = rotateEpoch(a1);
const w1 = createWriterKey(a1);
const w2 = createWriterKey(a2);
const cipher = createVectorCipher(generateVectorKey(), { dimension: 4, metric: 'euclid', beta: 1, collection: 'c' });
const opener = createOpener({ cipher, collection: 'c' });
const attrs = { role: ['admin'], group: ['g'] };
const sealer = createSealer({ writer: w1, cipher, collection: 'c', blindIndex: ['k'], minEntries: 2 });
const r1 = sealer.seal({ id: 'r', vector: [1, 2, 3, 4], payload: { k: 'v', body: 'secret' }, policy: 'role=admin;group=g' });

describe('rewrap', () => {
  const rw = createRewrapper({ from: w1, to: w2, collection: 'c' });
  const r2 = rw.rewrap(r1);

  it('replaces only the header, epoch and pre-filter tokens', () => {
    expect(r2.epoch).toBe(2);
    expect(decodeHeader(r2.header).epoch).toBe(2);
    expect(decodeHeader(r2.header).entryCount).toBe(decodeHeader(r1.header).entryCount);
    expect(r2.header).not.toEqual(r1.header);
    expect(r2.prefilter).not.toEqual(r1.prefilter);
    expect(r2.prefilter).toHaveLength(r1.prefilter!.length);
    for (const k of ['vector', 'nonce', 'tag', 'payload', 'exact', 'blindIndex', 'id', 'tenant', 'kid'] as const) expect(r2[k]).toEqual(r1[k]);
  });

  it('current users open rewrapped records (also after a round trip through the stored format)', () => {
    const cur = issueUserKey(a2, attrs);
    expect(opener.open(r2, cur).payload).toEqual({ k: 'v', body: 'secret' });
    const back = decodeStoredPoint(JSON.parse(JSON.stringify(encodeStoredPoint(r2).payload)), encodeStoredPoint(r2).vector);
    expect(Array.from(opener.open(back, cur).vector!)).toEqual([1, 2, 3, 4]);
    // The new epoch's pre-filter tokens match the new user key's, not the old one's.
    expect(userPrefilterTokens(cur, 'c').some((t) => r2.prefilter!.includes(t))).toBe(true);
    expect(userPrefilterTokens(issueUserKey(a1, attrs), 'c').some((t) => r2.prefilter!.includes(t))).toBe(false);
  });

  it('after rotation, old-epoch keys cannot open rewrapped records; a revoked user keeps only old copies', () => {
    const old = issueUserKey(a1, attrs);
    expect(() => opener.open(r2, old)).toThrow(DecryptionFailed);
    // What a revoked user keeps: a copy of the record as it was before the rewrap still opens.
    expect(opener.open(r1, old).payload).toEqual({ k: 'v', body: 'secret' });
    // And records sealed in the new epoch are out of reach.
    const fresh = createSealer({ writer: w2, cipher, collection: 'c' }).seal({ id: 'n', vector: [1, 1, 1, 1], policy: 'role=admin;group=g' });
    expect(() => opener.open(fresh, old)).toThrow(DecryptionFailed);
    expect(opener.open(fresh, issueUserKey(a2, attrs)).id).toBe('n');
  });

  it('chains across epochs and is idempotent per target epoch in behaviour', () => {
    const a3 = rotateEpoch(a2);
    const r3 = rewrapRecord(r2, { from: w2, to: createWriterKey(a3), collection: 'c' });
    expect(opener.open(r3, issueUserKey(a3, attrs)).payload).toEqual({ k: 'v', body: 'secret' });
    expect(() => opener.open(r3, issueUserKey(a2, attrs))).toThrow(DecryptionFailed);
  });

  it('refuses records of another epoch, foreign writer keys, tampered tokens and moved records', () => {
    expect(() => rw.rewrap(r2)).toThrow(KeyNotFound);
    expect(() => createRewrapper({ from: w1, to: createWriterKey(generateAuthority()), collection: 'c' })).toThrow(SchemeMismatch);
    expect(() => createRewrapper({ from: w1, to: createWriterKey(a2, { tenant: 't' }), collection: 'c' })).toThrow(SchemeMismatch);
    expect(() => rw.rewrap({ ...r1, prefilter: r1.prefilter!.slice().reverse() })).toThrow(DecryptionFailed);
    expect(() => rw.rewrap({ ...r1, id: 'other' })).toThrow(DecryptionFailed);
    expect(() => createRewrapper({ from: w1, to: w2, collection: 'elsewhere' }).rewrap(r1)).toThrow(DecryptionFailed);
    expect(() => rw.rewrap({ ...r1, epoch: 2 })).toThrow(DecryptionFailed);
    expect(() => createRewrapper({ from: {} as never, to: w2, collection: 'c' })).toThrow(TypeError);
  });

  it('needs the collection named: there is no cipher to take it from, and a wrong one fails every record', () => {
    expect(() => createRewrapper({ from: w1, to: w2 } as never)).toThrow(/"collection" expected/);
    expect(() => createRewrapper({ from: w1, to: w2 } as never)).toThrow(TypeError);
    expect(() => rewrapRecord(r1, { from: w1, to: w2, collection: undefined } as never)).toThrow(TypeError);
    expect(() => createRewrapper({ from: w1, to: w2, collection: 7 } as never)).toThrow(TypeError);
    // '' is a collection like any other, given explicitly.
    const s = createSealer({ writer: w1, cipher: createVectorCipher(generateVectorKey(), { dimension: 4, metric: 'euclid', beta: 1, collection: '' }) });
    expect(createRewrapper({ from: w1, to: w2, collection: '' }).rewrap(s.seal({ id: 'e', vector: [1, 2, 3, 4], policy: '*' })).epoch).toBe(2);
  });

  it('keeps post-filter records without tokens', () => {
    const s = createSealer({ writer: w1, cipher, collection: 'c', prefilter: false });
    const r = rw.rewrap(s.seal({ id: 'p', vector: [1, 2, 3, 4], policy: '*' }));
    expect(r.prefilter).toBeUndefined();
    expect(opener.open(r, issueUserKey(a2, {})).id).toBe('p');
  });
});
