import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Malformed } from './errors.js';
import { abytes, equalBytes, fromBase64url, fromHex, lengthPrefixed, toBase64url, toHex } from './utils.js';

describe('base64url', () => {
  it('round-trips any bytes and has exactly one accepted encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const s = toBase64url(b);
        expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64url(s)).toEqual(b);
      }),
    );
  });
  it('matches RFC 4648 test vectors (url alphabet, no padding)', () => {
    const cases: [string, string][] = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
    for (const [plain, enc] of cases) expect(toBase64url(new TextEncoder().encode(plain))).toBe(enc);
    expect(toBase64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });
  it('rejects padding, foreign characters, impossible lengths and non-canonical trailing bits', () => {
    for (const bad of ['Zg==', 'Zm9v+', 'Zm9v/', 'Z', 'Zh', 'Zm9', 'é', 'Zm9\u0100', '\u20acAAA', 'AA\u0141A', 'Zm9v\u0130A']) {
      expect(() => fromBase64url(bad)).toThrow(Malformed);
    }
  });
});

describe('lengthPrefixed', () => {
  it('is injective: different field lists never encode equally', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 4 }), fc.array(fc.string(), { maxLength: 4 }), (a, b) => {
        const same = a.length === b.length && a.every((x, i) => x === b[i]);
        expect(equalBytes(lengthPrefixed(...a), lengthPrefixed(...b))).toBe(same);
      }),
    );
  });
});

describe('checks', () => {
  it('abytes names the argument and the expected length', () => {
    expect(() => abytes('x', 'key', 32)).toThrow(new TypeError('"key" expected Uint8Array, got type=string'));
    expect(() => abytes(new Uint8Array(16), 'key', 32)).toThrow(
      new RangeError('"key" expected Uint8Array of length 32, got length=16'),
    );
  });
  it('hex round-trips and rejects uppercase/odd input', () => {
    expect(fromHex(toHex(new Uint8Array([0, 1, 254, 255])))).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(() => fromHex('ABC')).toThrow(Malformed);
    expect(() => fromHex('AB')).toThrow(Malformed);
  });
});
