import { describe, expect, it } from 'vitest';
import { createWriterKey, generateAuthority, issueUserKey, rotateEpoch } from '../authority/authority.js';
import { KeyNotFound, Malformed } from '../errors.js';
import { BLIND_INDEX_TOKEN_LENGTH, blindIndexToken, blindIndexTokens, canonicalIndexValue } from './blind-index.js';

describe('blind-index tokens', () => {
  const a = generateAuthority();
  const w = createWriterKey(a);
  const u = issueUserKey(a, {}, { blindIndexFields: ['status'] });

  it('writer and user compute the same token for field == value; tokens are 16 base64url characters', () => {
    const t = blindIndexToken(w, 'status', 'open', 'c');
    expect(t).toMatch(new RegExp(`^[A-Za-z0-9_-]{${BLIND_INDEX_TOKEN_LENGTH}}$`));
    expect(blindIndexToken(u, 'status', 'open', 'c')).toBe(t);
    expect(blindIndexTokens(w, { status: 'open', other: 1 }, ['status'], 'c')).toEqual({ status: [t] });
  });

  it('survive epoch rotation but differ per field, collection, tenant and value type', () => {
    const t = blindIndexToken(w, 'status', 'open', 'c');
    expect(blindIndexToken(createWriterKey(rotateEpoch(a)), 'status', 'open', 'c')).toBe(t);
    expect(blindIndexToken(w, 'state', 'open', 'c')).not.toBe(t);
    expect(blindIndexToken(w, 'status', 'open', 'd')).not.toBe(t);
    expect(blindIndexToken(createWriterKey(a, { tenant: 'x' }), 'status', 'open', 'c')).not.toBe(t);
    const typed = new Set([blindIndexToken(w, 'f', '1'), blindIndexToken(w, 'f', 1), blindIndexToken(w, 'f', true), blindIndexToken(w, 'f', 'true')]);
    expect(typed.size).toBe(4);
  });

  it('canonicalize values: NFC strings, one spelling per number, -0 as 0', () => {
    expect(blindIndexToken(w, 'f', 'Cafe\u0301')).toBe(blindIndexToken(w, 'f', 'Caf\u00e9'));
    expect(blindIndexToken(w, 'f', 1.0)).toBe(blindIndexToken(w, 'f', 1));
    expect(blindIndexToken(w, 'f', -0)).toBe(blindIndexToken(w, 'f', 0));
    expect(new TextDecoder().decode(canonicalIndexValue(1e21))).toBe('n1e+21');
  });

  it('index arrays element-wise (sorted, distinct) and skip absent or null fields', () => {
    const out = blindIndexTokens(w, { tags: ['b', 'a', 'b'], gone: null }, ['tags', 'gone', 'missing'], '');
    expect(Object.keys(out)).toEqual(['tags']);
    expect(out.tags).toEqual([blindIndexToken(w, 'tags', 'a'), blindIndexToken(w, 'tags', 'b')].sort());
  });

  it('reject values that cannot be indexed, and users without the field key', () => {
    expect(() => blindIndexTokens(w, { f: { nested: 1 } }, ['f'])).toThrow(Malformed);
    expect(() => blindIndexTokens(w, { f: [[1]] }, ['f'])).toThrow(Malformed);
    expect(() => blindIndexTokens(w, { f: Array.from({ length: 65 }, (_, i) => i) }, ['f'])).toThrow(Malformed);
    expect(() => blindIndexTokens(w, ['not an object'], ['f'])).toThrow(Malformed);
    expect(() => blindIndexToken(w, 'f', Number.NaN)).toThrow(Malformed);
    expect(() => blindIndexToken(w, 'f', 'x'.repeat(2000))).toThrow(Malformed);
    expect(() => blindIndexToken(u, 'owner', 'bob')).toThrow(KeyNotFound);
  });

  it('refuse a string value with a lone surrogate on both sides, as seal refuses it in a payload (it would alias U+FFFD)', () => {
    for (const v of ['x\uD800', '\uDC00', 'a\uDBFFb']) {
      expect(() => blindIndexToken(u, 'status', v), JSON.stringify(v)).toThrow(Malformed);
      expect(() => blindIndexToken(u, 'status', v)).toThrow(/blind-index value of "status" is not well-formed Unicode/);
      expect(() => blindIndexTokens(w, { status: v }, ['status'])).toThrow(Malformed);
      expect(() => blindIndexTokens(w, { status: ['ok', v] }, ['status'])).toThrow(/payload\.status\[1\]/);
    }
    // Before the check, the query side matched records holding U+FFFD.
    expect(() => blindIndexToken(w, 'status', 'x\uD800')).toThrow(Malformed);
    expect(blindIndexToken(w, 'status', 'x\uFFFD')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(blindIndexToken(w, 'status', 'emoji \uD83D\uDE00')).toBe(blindIndexToken(u, 'status', 'emoji \uD83D\uDE00'));
  });
});
