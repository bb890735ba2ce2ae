import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns, seededRandom, worldArb } from '../__tests__/arbitraries.js';
import { authorityFromMaster, createWriterKey, generateAuthority, issueUserKey, rotateEpoch } from '../authority/authority.js';
import { userSecrets, UserKey } from '../authority/keys.js';
import { DecryptionFailed, InputTooLarge, KeyNotFound, Malformed, SchemeMismatch, SealvecError } from '../errors.js';
import { ENTRY_LENGTH, HEADER_FIXED_LENGTH, MIN_ESCROW_PLAINTEXT } from '../format/constants.js';
import { evaluate } from '../policy/evaluate.js';
import { createAttributes, createPolicy, policiesEqual } from '../policy/policy.js';
import { DEFAULT_SCHEMA } from '../policy/schema.js';
import { tupleId } from '../policy/tuples.js';
import { randomBytes } from '../utils.js';
import { decodeHeader } from './format.js';
import { bucketOf, openEscrow, rewrapHeader, unwrapDataKey, wrapDataKey } from './wrap.js';

const S = DEFAULT_SCHEMA;
const B = { recordId: 'rec-1', collection: 'docs', tenant: '' };

/** The key a coalition would hold by pooling its members' tuple keys. */
function pool(keys: readonly UserKey[]): UserKey {
  const byId = new Map<string, [readonly string[], Uint8Array]>();
  for (const k of keys) {
    const s = userSecrets(k);
    k.tuples.forEach((t, i) => byId.set(tupleId(t), [t, s.tupleKeys[i] as Uint8Array]));
  }
  const first = keys[0] as UserKey;
  const entries = [...byId.values()];
  return new UserKey(first.authorityId, first.tenant, first.epoch, first.attributes, entries.map((e) => e[0]), entries.map((e) => e[1]), new Map());
}

describe('unwrap agrees with evaluate', () => {
  it('unwrap returns the data key exactly when evaluate allows, else null (random schemas, policies, users)', () => {
    fc.assert(
      fc.property(worldArb({ min: 1, max: 3 }, { min: 1, max: 4 }), fc.string({ minLength: 1, maxLength: 8 }), ({ schema, policies, users }, id) => {
        const a = generateAuthority({ schema });
        const w = createWriterKey(a);
        const keys = users.map((u) => issueUserKey(a, u));
        for (const p of policies) {
          const dk = randomBytes(32);
          const h = wrapDataKey(dk, p, w, { recordId: id });
          users.forEach((u, i) => {
            const got = unwrapDataKey(h, { recordId: id }, keys[i] as UserKey);
            if (evaluate(u, p)) expect(got).toEqual(dk);
            else expect(got).toBeNull();
          });
        }
      }),
      { numRuns: numRuns(60) },
    );
  });

  it('collusion: pooling any set of user keys opens exactly the union of what each opens alone', () => {
    fc.assert(
      fc.property(worldArb({ min: 1, max: 5 }, { min: 2, max: 4 }), ({ schema, policies, users }) => {
        const a = generateAuthority({ schema });
        const w = createWriterKey(a);
        const keys = users.map((u) => issueUserKey(a, u));
        const pooled = pool(keys);
        for (const p of policies) {
          const h = wrapDataKey(randomBytes(32), p, w, { recordId: 'r' });
          const alone = keys.some((k) => unwrapDataKey(h, { recordId: 'r' }, k) !== null);
          expect(alone).toBe(users.some((u) => evaluate(u, p)));
          expect(unwrapDataKey(h, { recordId: 'r' }, pooled) !== null).toBe(alone);
        }
      }),
      { numRuns: numRuns(60) },
    );
  });

  it('collusion: an admin outside HR and an HR member who is not admin cannot open "admin AND HR" together', () => {
    const a = generateAuthority();
    const w = createWriterKey(a);
    const p = createPolicy(S, { role: ['admin'], group: ['team_hr'] });
    const h = wrapDataKey(randomBytes(32), p, w, B);
    const admin = issueUserKey(a, { role: ['admin'], group: ['sales'] });
    const hr = issueUserKey(a, { role: ['clerk'], group: ['team_hr'] });
    expect(unwrapDataKey(h, B, admin)).toBeNull();
    expect(unwrapDataKey(h, B, hr)).toBeNull();
    expect(unwrapDataKey(h, B, pool([admin, hr]))).toBeNull();
    // Whereas one user actually holding both attributes opens it.
    expect(evaluate(createAttributes(S, { role: ['admin', 'clerk'], group: ['sales', 'team_hr'] }), p)).toBe(true);
    expect(unwrapDataKey(h, B, issueUserKey(a, { role: ['admin'], group: ['team_hr'] }))).not.toBeNull();
  });

  it('the `prefer` hint changes only the order of work, never the answer', () => {
    const a = generateAuthority();
    const w = createWriterKey(a);
    const u = issueUserKey(a, { role: ['admin', 'hr'], group: ['g'] });
    const h = wrapDataKey(new Uint8Array(32).fill(4), createPolicy(S, { role: ['hr'] }), w, B);
    const ids = new Set(u.tuples.map(tupleId));
    expect(unwrapDataKey(h, B, u, { prefer: ids })).toEqual(new Uint8Array(32).fill(4));
    expect(unwrapDataKey(h, B, u, { prefer: new Set(['["nope"]']) })).toEqual(new Uint8Array(32).fill(4));
  });
});

describe('header hides and bounds the policy', () => {
  const a = authorityFromMaster(new Uint8Array(32).fill(1));
  const w = createWriterKey(a);

  it('pads entries to a power-of-two bucket, with minEntries, and caps them', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    for (const [roles, n] of [[1, 1], [2, 2], [3, 4], [5, 8], [24, 32], [256, 256]] as const) {
      const h = wrapDataKey(randomBytes(32), createPolicy(S, { role: many(roles) }), w, B);
      expect(decodeHeader(h).entryCount).toBe(n);
    }
    expect(decodeHeader(wrapDataKey(randomBytes(32), createPolicy(S, { role: ['x'] }), w, B, { minEntries: 5 })).entryCount).toBe(8);
    expect(() => wrapDataKey(randomBytes(32), createPolicy(S, { role: many(20), group: many(20) }), w, B)).toThrow(InputTooLarge);
    expect(bucketOf(0)).toBe(1);
    expect(bucketOf(9, 4)).toBe(16);
  });

  it('two headers for the same policy share no bytes an observer could link (fresh nonce, locators, ciphertexts)', () => {
    const p = createPolicy(S, { role: ['admin'] });
    const h1 = decodeHeader(wrapDataKey(randomBytes(32), p, w, B));
    const h2 = decodeHeader(wrapDataKey(randomBytes(32), p, w, B));
    expect(h1.nonce).not.toEqual(h2.nonce);
    expect(h1.entries).not.toEqual(h2.entries);
    // Headers of policies in the same entry bucket and escrow bucket have equal length.
    const h3 = wrapDataKey(randomBytes(32), createPolicy(S, { department: ['a much longer department name'], group: ['some group'] }), w, B);
    expect(h3.length).toBe(h1.bytes.length);
    expect(h1.bytes.length).toBe(HEADER_FIXED_LENGTH + ENTRY_LENGTH + MIN_ESCROW_PLAINTEXT + 16);
    // A policy with a long encoding moves to the next escrow bucket (the documented leak).
    const long = wrapDataKey(randomBytes(32), createPolicy(S, { role: ['x'.repeat(100), 'y'.repeat(100)] }), w, B);
    expect(decodeHeader(long).escrow.length).toBe(2 * MIN_ESCROW_PLAINTEXT + 16);
  });

  it('is deterministic under a pinned random source (for known-answer vectors)', () => {
    const p = createPolicy(S, { role: ['admin', 'hr'], group: ['g'] });
    const dk = new Uint8Array(32).fill(7);
    const x = wrapDataKey(dk, p, w, B, { testOnlyRandom: seededRandom('h'), minEntries: 4 });
    const y = wrapDataKey(dk, p, w, B, { testOnlyRandom: seededRandom('h'), minEntries: 4 });
    expect(x).toEqual(y);
  });

  it('rejects a writer of another tenant and a policy of another schema', () => {
    const p = createPolicy(S, { role: ['admin'] });
    expect(() => wrapDataKey(randomBytes(32), p, w, { ...B, tenant: 'other' })).toThrow(SchemeMismatch);
    const a2 = generateAuthority({ schema: ['team'] });
    expect(() => wrapDataKey(randomBytes(32), p, createWriterKey(a2), B)).toThrow(SchemeMismatch);
    expect(() => wrapDataKey(new Uint8Array(31), p, w, B)).toThrow(RangeError);
    expect(() => wrapDataKey(randomBytes(32), p, w, { recordId: '' })).toThrow(RangeError);
  });
});

describe('header tampering and moving', () => {
  const a = generateAuthority();
  const w = createWriterKey(a);
  const p = createPolicy(S, { role: ['admin', 'hr'], group: ['g'] });
  const u = issueUserKey(a, { role: ['hr'], group: ['g'] });
  const dk = randomBytes(32);
  const h = wrapDataKey(dk, p, w, B, { minEntries: 4 });

  it('opens untouched', () => {
    expect(unwrapDataKey(h, B, u)).toEqual(dk);
  });

  it('any flipped bit anywhere gives null or a coded error, never the key', () => {
    for (let i = 0; i < h.length; i++) {
      for (const bit of [0, 7]) {
        const t = Uint8Array.from(h);
        t[i] = (t[i] as number) ^ (1 << bit);
        try {
          expect(unwrapDataKey(t, B, u)).toBeNull();
        } catch (e) {
          expect(e).toBeInstanceOf(SealvecError);
          expect(['ERR_MALFORMED', 'ERR_UNSUPPORTED_VERSION']).toContain((e as SealvecError).code);
        }
      }
    }
  });

  it('moving the header to another record id, collection or tenant, or changing its associated data, gives null', () => {
    expect(unwrapDataKey(h, { ...B, recordId: 'rec-2' }, u)).toBeNull();
    expect(unwrapDataKey(h, { ...B, collection: 'other' }, u)).toBeNull();
    expect(unwrapDataKey(h, { ...B, associatedData: new Uint8Array([1]) }, u)).toBeNull();
    const ut = issueUserKey(a, { role: ['hr'], group: ['g'] }, { tenant: 't2' });
    expect(unwrapDataKey(h, { ...B, tenant: 't2' }, ut)).toBeNull();
  });

  it('a key of another authority, epoch or tenant gives null', () => {
    expect(unwrapDataKey(h, B, issueUserKey(generateAuthority(), { role: ['hr'], group: ['g'] }))).toBeNull();
    const a2 = rotateEpoch(a);
    expect(unwrapDataKey(h, B, issueUserKey(a2, { role: ['hr'], group: ['g'] }))).toBeNull();
    expect(unwrapDataKey(h, B, issueUserKey(a, { role: ['hr'], group: ['g'] }, { tenant: 'x' }))).toBeNull();
  });

  it('malformed headers throw Malformed (not null)', () => {
    expect(() => unwrapDataKey(h.subarray(0, 40), B, u)).toThrow(Malformed);
  });
});

describe('escrow and rewrap', () => {
  const a1 = generateAuthority();
  const a2 = rotateEpoch(a1);
  const w1 = createWriterKey(a1);
  const w2 = createWriterKey(a2);
  const p = createPolicy(S, { role: ['hr'], department: ['Caf\u00e9'] });
  const dk = randomBytes(32);
  const h = wrapDataKey(dk, p, w1, B, { minEntries: 2 });

  it('the writer key of the header epoch recovers the data key and the policy', () => {
    const e = openEscrow(h, B, w1);
    expect(e.dataKey).toEqual(dk);
    expect(policiesEqual(e.policy, p)).toBe(true);
  });

  it('escrow refuses another epoch or tenant (KeyNotFound), another authority or a moved header (DecryptionFailed)', () => {
    expect(() => openEscrow(h, B, w2)).toThrow(KeyNotFound);
    expect(() => openEscrow(h, B, createWriterKey(a1, { tenant: 't' }))).toThrow(KeyNotFound);
    expect(() => openEscrow(h, { ...B, tenant: 't' }, createWriterKey(a1, { tenant: 't' }))).toThrow(DecryptionFailed);
    expect(() => openEscrow(h, B, createWriterKey(generateAuthority()))).toThrow(DecryptionFailed);
    expect(() => openEscrow(h, { ...B, recordId: 'x' }, w1)).toThrow(DecryptionFailed);
    const t = Uint8Array.from(h);
    t[t.length - 20] = (t[t.length - 20] as number) ^ 1; // inside the escrow ciphertext
    expect(() => openEscrow(t, B, w1)).toThrow(DecryptionFailed);
  });

  it('rewrap moves the header to the new epoch: new keys open it, old keys do not; size class kept', () => {
    const h2 = rewrapHeader(h, B, w1, w2);
    expect(decodeHeader(h2).epoch).toBe(2);
    expect(decodeHeader(h2).entryCount).toBe(2);
    const old = issueUserKey(a1, { role: ['hr'], department: ['Caf\u00e9'] });
    const cur = issueUserKey(a2, { role: ['hr'], department: ['Caf\u00e9'] });
    expect(unwrapDataKey(h, B, old)).toEqual(dk);
    expect(unwrapDataKey(h2, B, old)).toBeNull();
    expect(unwrapDataKey(h2, B, cur)).toEqual(dk);
    expect(unwrapDataKey(h, B, cur)).toBeNull();
    // Round trip through another epoch and back to a fresh header of the same epoch.
    const a3 = rotateEpoch(a2);
    const h3 = rewrapHeader(h2, B, w2, createWriterKey(a3));
    expect(unwrapDataKey(h3, B, issueUserKey(a3, { role: ['hr'], department: ['Caf\u00e9'] }))).toEqual(dk);
    expect(() => rewrapHeader(h, B, w2, createWriterKey(a3))).toThrow(KeyNotFound);
    expect(() => rewrapHeader(h, B, w1, createWriterKey(generateAuthority()))).toThrow(SchemeMismatch);
  });
});
