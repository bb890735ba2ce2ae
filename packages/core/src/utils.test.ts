import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Malformed } from './errors.js';
import { abytes, equalBytes, fromBase64url, fromBase64urlPortable, fromHex, lengthPrefixed, toBase64url, toBase64urlPortable, toHex, utf8Length } from './utils.js';

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

describe('base64url: native and portable codecs', () => {
  it('encode identically and accept and reject the same strings (lengths on both sides of the native threshold)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 9000 }), (b) => {
        const s = toBase64urlPortable(b);
        expect(toBase64url(b)).toBe(s);
        expect(fromBase64url(s)).toEqual(fromBase64urlPortable(s));
      }),
      { numRuns: 60 },
    );
  });
  it('reject every non-canonical long string (padding, foreign characters, trailing bits, impossible length)', () => {
    const good = toBase64urlPortable(new Uint8Array(100).map((_, i) => i * 7));
    const bad = [good + '==', good.slice(0, -1) + '+', good.slice(0, 50) + '/' + good.slice(51), good.slice(0, 50) + ' ' + good.slice(51), good + 'AAA', good.slice(0, -1) + 'h', good.slice(0, 60) + 'é' + good.slice(61), good.slice(0, 60) + '\u0130' + good.slice(61), good + '\n'];
    for (const s of bad) {
      expect(() => fromBase64urlPortable(s)).toThrow(Malformed);
      expect(() => fromBase64url(s)).toThrow(Malformed);
    }
  });
  it('returns bytes that own their memory (never a view into a shared pool)', () => {
    const s = toBase64urlPortable(new Uint8Array(300).fill(9));
    const b = fromBase64url(s);
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(300);
  });
});

describe('utf8Length', () => {
  it('equals the length of the UTF-8 encoding for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
      }),
    );
    for (const s of ['', 'abc', 'é', '\u20ac', '\ud83d\ude00', '\ud83d', '\ude00', '\ud83dx', 'x\ude00\ud83d']) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});
