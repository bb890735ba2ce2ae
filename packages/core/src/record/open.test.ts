import { describe, expect, it } from 'vitest';
import { createWriterKey, generateAuthority, issueUserKey } from '../authority/authority.js';
import { DecryptionFailed, DimensionMismatch, Malformed, SealvecError } from '../errors.js';
import { decodeStoredPoint, encodeStoredPoint, type StoredPayload } from '../format/record.js';
import { generateVectorKey } from '../keys/vector-key.js';
import { fromBase64url, toBase64url } from '../utils.js';
import { createVectorCipher } from '../vector/cipher.js';
import { createOpener } from './open.js';
import { createSealer } from './seal.js';

const D = 6;
const authority = generateAuthority();
const writer = createWriterKey(authority);
const vectorKey = generateVectorKey();
const cipher = createVectorCipher(vectorKey, { dimension: D, metric: 'cosine', beta: 0.5, collection: 'docs' });
const sealer = createSealer({ writer, cipher, collection: 'docs', blindIndex: ['status'] });
const opener = createOpener({ cipher, collection: 'docs' });
const user = issueUserKey(authority, { role: ['admin'], group: ['team_hr'] });
const policy = 'role=admin,hr_manager;group=team_hr';
const vec = [0.5, -1, 2, 0.25, 3, -0.75];
const A = sealer.seal({ id: 'doc-A', vector: vec, payload: { status: 'open', body: 'alpha' }, policy });
const B = sealer.seal({ id: 'doc-B', vector: vec.map((x) => -x), payload: { status: 'open', body: 'beta' }, policy });

type Point = { payload: StoredPayload; vector: number[] };
const stored = (r = A): Point => JSON.parse(JSON.stringify(encodeStoredPoint(r)));

/** Open a stored point; return 'opened' or the error code. */
function attempt(p: Point, o = opener, u = user): string {
  try {
    o.open(decodeStoredPoint(p.payload, p.vector), u);
    return 'opened';
  } catch (e) {
    if (!(e instanceof SealvecError)) throw e;
    return e.code;
  }
}

const flipBit = (s: string, byte: number, bit = 0): string => {
  const b = fromBase64url(s);
  const i = byte % b.length;
  b[i] = (b[i] as number) ^ (1 << bit);
  return toBase64url(b);
};

describe('open: untouched records', () => {
  it('open after a JSON round trip through the stored format', () => {
    expect(attempt(stored())).toBe('opened');
    expect(opener.open(decodeStoredPoint(stored().payload, stored().vector), user).payload).toEqual({ status: 'open', body: 'alpha' });
  });
});

describe('open: tampering any field is denied', () => {
  const denied = (p: Point) => expect(['ERR_DECRYPTION_FAILED', 'ERR_MALFORMED', 'ERR_UNSUPPORTED_VERSION']).toContain(attempt(p));

  it('every byte position of h, p, x, n and t: a flipped bit gives DecryptionFailed or Malformed', () => {
    for (const field of ['h', 'p', 'x', 'n', 't'] as const) {
      const len = fromBase64url(stored().payload[field] as string).length;
      for (let i = 0; i < len; i++) {
        const p = stored();
        p.payload[field] = flipBit(p.payload[field] as string, i, i % 8);
        denied(p);
      }
    }
  });

  it('authenticated fields that still decode give exactly DecryptionFailed', () => {
    const cases: [string, (p: Point) => void][] = [
      ['payload byte', (p) => (p.payload.p = flipBit(p.payload.p, 30))],
      ['exact-vector byte', (p) => (p.payload.x = flipBit(p.payload.x!, 30))],
      ['header MAC', (p) => (p.payload.h = flipBit(p.payload.h, fromBase64url(p.payload.h).length - 1))],
      ['header nonce', (p) => (p.payload.h = flipBit(p.payload.h, 10))],
      ['vector nonce', (p) => (p.payload.n = flipBit(p.payload.n, 0))],
      ['vector tag', (p) => (p.payload.t = flipBit(p.payload.t, 0))],
      ['one vector coordinate', (p) => (p.vector[0] = Math.fround((p.vector[0] as number) * 1.001))],
      ['two coordinates swapped', (p) => ([p.vector[0], p.vector[1]] = [p.vector[1] as number, p.vector[0] as number])],
      ['record id', (p) => (p.payload.id = 'doc-Z')],
      ['tenant', (p) => (p.payload.tnt = 'other')],
      ['key id', (p) => (p.payload.kid = '0123456789abcdef')],
      // '-' is the lowest base64url character, so the list stays sorted (a sort error would be Malformed).
      ['a pre-filter token replaced', (p) => (p.payload.pf![0] = '-'.repeat(21) + 'A')],
      ['pre-filter tokens removed', (p) => delete p.payload.pf],
      ['a blind-index token replaced', (p) => (p.payload.bi!.status = ['A'.repeat(16)])],
      ['blind-index field added', (p) => (p.payload.bi!.other = ['A'.repeat(16)])],
      ['blind-index removed', (p) => delete p.payload.bi],
      ['exact vector removed', (p) => delete p.payload.x],
      ['exact vector of record B', (p) => (p.payload.x = stored(B).payload.x!)],
      ['payload of record B', (p) => (p.payload.p = stored(B).payload.p)],
      ['header and tokens of record B', (p) => ((p.payload.h = stored(B).payload.h), (p.payload.pf = stored(B).payload.pf!))],
      ['vector, nonce and tag of record B', (p) => ((p.vector = stored(B).vector), (p.payload.n = stored(B).payload.n), (p.payload.t = stored(B).payload.t))],
      ['everything of record B but its id', (p) => (p.payload = { ...stored(B).payload, id: 'doc-A' }) && (p.vector = stored(B).vector)],
    ];
    for (const [name, edit] of cases) {
      const p = stored();
      edit(p);
      expect(attempt(p), name).toBe('ERR_DECRYPTION_FAILED');
    }
  });

  it('structural edits give Malformed or UnsupportedVersion before any cryptography', () => {
    const cases: [string, (p: Point) => void, string][] = [
      ['epoch', (p) => (p.payload.ep = 2), 'ERR_MALFORMED'],
      ['version', (p) => (p.payload.sv = 3), 'ERR_UNSUPPORTED_VERSION'],
      ['pf reordered', (p) => p.payload.pf!.reverse(), 'ERR_MALFORMED'],
      ['pf token added', (p) => p.payload.pf!.push('_'.repeat(22)), 'ERR_MALFORMED'],
      ['h truncated', (p) => (p.payload.h = p.payload.h.slice(0, -4)), 'ERR_MALFORMED'],
      ['p truncated to nothing', (p) => (p.payload.p = ''), 'ERR_MALFORMED'],
      ['vector shortened', (p) => p.vector.pop(), 'ERR_DIMENSION_MISMATCH'],
    ];
    for (const [name, edit, code] of cases) {
      const p = stored();
      edit(p);
      expect(attempt(p), name).toBe(code);
    }
  });
});

describe('open: records moved elsewhere are denied', () => {
  it('another collection', () => {
    const elsewhere = createVectorCipher(vectorKey, { dimension: D, metric: 'cosine', beta: 0.5, collection: 'other' });
    expect(attempt(stored(), createOpener({ cipher: elsewhere }))).toBe('ERR_DECRYPTION_FAILED');
    expect(() => createOpener({ cipher, collection: 'other' })).toThrow(TypeError);
  });

  it('another tenant, even with that tenant\'s cipher and a matching user', () => {
    const t2 = createVectorCipher(generateVectorKey(), { dimension: D, metric: 'cosine', beta: 0.5, tenant: 't2', collection: 'docs' });
    const p = stored();
    p.payload.tnt = 't2';
    p.payload.kid = t2.kid;
    expect(attempt(p, createOpener({ cipher: t2, collection: 'docs' }), issueUserKey(authority, { role: ['admin'], group: ['team_hr'] }, { tenant: 't2' }))).toBe(
      'ERR_DECRYPTION_FAILED',
    );
  });

  it('a cipher of another vector key', () => {
    const other = createVectorCipher(generateVectorKey(), { dimension: D, metric: 'cosine', beta: 0.5, collection: 'docs' });
    expect(attempt(stored(), createOpener({ cipher: other, collection: 'docs' }))).toBe('ERR_DECRYPTION_FAILED');
  });
});

describe('open: argument checks', () => {
  it('rejects non-records, non-keys and wrong dimensions with the right error', () => {
    expect(() => opener.open(null as never, user)).toThrow(TypeError);
    expect(() => opener.open(A, {} as never)).toThrow(TypeError);
    expect(() => opener.open({ ...A, vector: new Float32Array(3) }, user)).toThrow(DimensionMismatch);
    expect(() => opener.open({ ...A, version: 3 }, user)).toThrow(Malformed);
    expect(() => opener.open({ ...A, payload: new Uint8Array(10) }, user)).toThrow(Malformed);
    expect(() => opener.tryOpen({ ...A, payload: new Uint8Array(10) }, user)).toThrow(Malformed);
    expect(() => opener.open({ ...A, header: A.header.subarray(0, 10) }, user)).toThrow(Malformed);
    expect(() => opener.open(A, issueUserKey(authority, {}))).toThrow(DecryptionFailed);
  });
});

describe('openWithWriter', () => {
  it('opens any record of its epoch through the escrow and returns the policy', () => {
    const got = opener.openWithWriter(A, writer);
    expect(got.payload).toEqual({ status: 'open', body: 'alpha' });
    expect(Array.from(got.vector as Float32Array)).toEqual(vec.map(Math.fround));
    expect(got.policy.allowed[0]).toEqual(['admin', 'hr_manager']);
  });

  it('refuses another epoch (KeyNotFound), another authority and tampered records (DecryptionFailed)', () => {
    const other = createWriterKey(generateAuthority());
    expect(() => opener.openWithWriter(A, other)).toThrow(DecryptionFailed);
    expect(() => opener.openWithWriter({ ...A, id: 'doc-B' }, writer)).toThrow(DecryptionFailed);
    expect(() => opener.openWithWriter({ ...A, payload: B.payload }, writer)).toThrow(DecryptionFailed);
    expect(() => opener.openWithWriter(A, user as never)).toThrow(TypeError);
  });
});
