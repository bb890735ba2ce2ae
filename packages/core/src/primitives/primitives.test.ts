/**
 * The two primitive implementations against published test vectors and against each other on
 * random inputs: identical bytes, identical failures.
 *
 * Vectors: RFC 8439 sections 2.4.2 (ChaCha20) and 2.8.2 (AEAD); draft-irtf-cfrg-xchacha-03
 * appendix A.3.1 (XChaCha20-Poly1305); RFC 4231 test case 2 (HMAC-SHA256); RFC 5869 test case 1
 * (HKDF); FIPS 180-2 "abc" (SHA-256); RFC 8032 section 7.1 tests 1 and 3 (Ed25519).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import type { Primitives } from './api.js';
import { primitives as native } from './node.js';
import { primitives as portable } from './portable.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);

const IMPLS: [string, Primitives][] = [
  ['node', native],
  ['portable', portable],
];

const SUNSCREEN = ascii(
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
);

describe.each(IMPLS)('%s primitives: published test vectors', (_, p) => {
  it('SHA-256 "abc" (FIPS 180-2), also split into parts', () => {
    const want = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(toHex(p.sha256(ascii('abc')))).toBe(want);
    expect(toHex(p.sha256(ascii('a'), ascii(''), ascii('bc')))).toBe(want);
  });

  it('HMAC-SHA256, RFC 4231 test case 2, one-shot and keyed', () => {
    const want = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(toHex(p.hmacSha256(ascii('Jefe'), ascii('what do ya want '), ascii('for nothing?')))).toBe(want);
    const mac = p.hmacKey(ascii('Jefe'));
    expect(toHex(mac(ascii('what do ya want for nothing?')))).toBe(want);
    expect(toHex(mac(ascii('what do ya want for nothing?')))).toBe(want); // reusable
  });

  it('HKDF-SHA256, RFC 5869 test case 1 (and its Expand step on the given PRK)', () => {
    const ikm = hex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b');
    const salt = hex('000102030405060708090a0b0c');
    const info = hex('f0f1f2f3f4f5f6f7f8f9');
    const okm = '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865';
    expect(toHex(p.hkdf(ikm, salt, info, 42))).toBe(okm);
    const prk = hex('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    expect(toHex(p.hkdfExpand(prk, info, 42))).toBe(okm);
  });

  it('ChaCha20 keystream, RFC 8439 section 2.4.2 (counter 1)', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const nonce = hex('000000000000004a00000000');
    const ks = p.chacha20Keystream(key, nonce, SUNSCREEN.length, 1);
    const ct = SUNSCREEN.map((b, i) => b ^ ks[i]!);
    expect(toHex(ct).slice(0, 64)).toBe('6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b');
    expect(toHex(ct).slice(-20)).toBe('b40b8eedf2785e42874d');
  });

  it('ChaCha20-Poly1305, RFC 8439 section 2.8.2', () => {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('070000004041424344454647');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const sealed = p.chacha20poly1305Seal(key, nonce, SUNSCREEN, aad);
    expect(toHex(sealed.subarray(sealed.length - 16))).toBe('1ae10b594f09e26a7e902ecbd0600691');
    expect(toHex(sealed).slice(0, 32)).toBe('d31a8d34648e60db7b86afbc53ef7ec2');
    expect(p.chacha20poly1305Open(key, nonce, sealed, aad)).toEqual(SUNSCREEN);
  });

  it('XChaCha20-Poly1305, draft-irtf-cfrg-xchacha-03 appendix A.3.1', () => {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const sealed = p.xchacha20poly1305Seal(key, nonce, SUNSCREEN, aad);
    expect(toHex(sealed).slice(0, 32)).toBe('bd6d179d3e83d43b9576579493c0e939');
    expect(toHex(sealed.subarray(sealed.length - 16))).toBe('c0875924c1c7987947deafd8780acf49');
    expect(p.xchacha20poly1305Open(key, nonce, sealed, aad)).toEqual(SUNSCREEN);
  });

  it('Ed25519, RFC 8032 section 7.1 tests 1 and 3', () => {
    const t1 = p.ed25519Signer(hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
    expect(toHex(t1.publicKey)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig1 = t1.sign(new Uint8Array(0));
    expect(toHex(sig1)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(p.ed25519Verifier(t1.publicKey).verify(new Uint8Array(0), sig1)).toBe(true);
    const t3 = p.ed25519Signer(hex('c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7'));
    expect(toHex(t3.publicKey)).toBe('fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025');
    const sig3 = t3.sign(hex('af82'));
    expect(toHex(sig3)).toBe(
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    );
  });

  it('failed authentication is null / false, never an exception', () => {
    const key = new Uint8Array(32).fill(1);
    const n12 = new Uint8Array(12);
    const n24 = new Uint8Array(24);
    const s = p.chacha20poly1305Seal(key, n12, ascii('hi'));
    const x = p.xchacha20poly1305Seal(key, n24, ascii('hi'));
    for (const bad of [s.subarray(0, 15), Uint8Array.from(s, (b, i) => (i === 0 ? b ^ 1 : b)), new Uint8Array(0)]) {
      expect(p.chacha20poly1305Open(key, n12, bad)).toBeNull();
    }
    expect(p.chacha20poly1305Open(key, n12, s, ascii('aad'))).toBeNull();
    expect(p.xchacha20poly1305Open(key, n24, Uint8Array.from(x, (b, i) => (i === x.length - 1 ? b ^ 1 : b)))).toBeNull();
    const signer = p.ed25519Signer(new Uint8Array(32).fill(3));
    const v = p.ed25519Verifier(signer.publicKey);
    const sig = signer.sign(ascii('m'));
    expect(v.verify(ascii('m'), sig)).toBe(true);
    expect(v.verify(ascii('n'), sig)).toBe(false);
    expect(v.verify(ascii('m'), sig.subarray(0, 63))).toBe(false);
    expect(v.verify(ascii('m'), new Uint8Array(64))).toBe(false);
    // An all-0xff public key is not a curve point: it verifies nothing.
    expect(p.ed25519Verifier(new Uint8Array(32).fill(0xff)).verify(ascii('m'), sig)).toBe(false);
  });

  it('rejects misuse with TypeError/RangeError naming the argument', () => {
    expect(() => p.chacha20poly1305Seal(new Uint8Array(31), new Uint8Array(12), new Uint8Array(1))).toThrow(/"key"/);
    expect(() => p.xchacha20poly1305Seal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(1))).toThrow(/"nonce"/);
    expect(() => p.ed25519Signer(new Uint8Array(31))).toThrow(/"seed"/);
    expect(() => p.hkdfExpand(new Uint8Array(16), new Uint8Array(0), 32)).toThrow(/"prk"/);
    expect(() => p.hkdf(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1)).toThrow(RangeError);
    expect(() => p.sha256('abc' as never)).toThrow(TypeError);
  });

  it('random bytes: requested length, not constant, beyond one getRandomValues call', () => {
    const a = p.randomBytes(70_000);
    expect(a.length).toBe(70_000);
    expect(a.subarray(66_000).some((b) => b !== 0)).toBe(true);
    expect(p.randomBytes(32)).not.toEqual(p.randomBytes(32));
    expect(p.randomBytes(0).length).toBe(0);
  });
});

describe('node and portable primitives agree byte for byte on random inputs', () => {
  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
  const key = bytes(32, 32);
  const runs = { numRuns: numRuns(100) };

  it('sha256, hmac (one-shot and keyed), hkdf and hkdfExpand (including infos over 1024 bytes)', () => {
    fc.assert(
      fc.property(bytes(0, 300), bytes(0, 100), bytes(0, 1500), fc.integer({ min: 0, max: 200 }), (a, b, info, len) => {
        expect(native.sha256(a, b)).toEqual(portable.sha256(a, b));
        expect(native.hmacSha256(b, a)).toEqual(portable.hmacSha256(b, a));
        expect(native.hmacKey(b)(a, b)).toEqual(portable.hmacKey(b)(a, b));
        expect(native.hkdf(a, b, info, len)).toEqual(portable.hkdf(a, b, info, len));
        const prk = portable.sha256(a);
        expect(native.hkdfExpand(prk, info, len)).toEqual(portable.hkdfExpand(prk, info, len));
      }),
      runs,
    );
  });

  it('chacha20 keystream at any counter and length', () => {
    fc.assert(
      fc.property(key, bytes(12, 12), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 20 }), (k, n, len, ctr) => {
        expect(native.chacha20Keystream(k, n, len, ctr)).toEqual(portable.chacha20Keystream(k, n, len, ctr));
      }),
      runs,
    );
  });

  it('chacha20-poly1305 and xchacha20-poly1305: same sealed bytes, each opens the other', () => {
    fc.assert(
      fc.property(key, bytes(24, 24), bytes(0, 3000), bytes(0, 300), (k, n24, pt, aad) => {
        const n12 = n24.subarray(0, 12);
        const a = native.chacha20poly1305Seal(k, n12, pt, aad);
        expect(a).toEqual(portable.chacha20poly1305Seal(k, n12, pt, aad));
        expect(portable.chacha20poly1305Open(k, n12, a, aad)).toEqual(pt);
        expect(native.chacha20poly1305Open(k, n12, a, aad)).toEqual(pt);
        const x = native.xchacha20poly1305Seal(k, n24, pt, aad);
        expect(x).toEqual(portable.xchacha20poly1305Seal(k, n24, pt, aad));
        expect(portable.xchacha20poly1305Open(k, n24, x, aad)).toEqual(pt);
        expect(native.xchacha20poly1305Open(k, n24, x, aad)).toEqual(pt);
        const bad = Uint8Array.from(x);
        bad[bad.length - 1]! ^= 1;
        expect(native.xchacha20poly1305Open(k, n24, bad, aad)).toBeNull();
        expect(portable.xchacha20poly1305Open(k, n24, bad, aad)).toBeNull();
      }),
      runs,
    );
  });

  it('ed25519: same public keys and signatures; each verifies the other and both refuse the same forgeries', () => {
    fc.assert(
      fc.property(key, bytes(0, 500), fc.nat(63), fc.integer({ min: 1, max: 255 }), (seed, msg, at, flip) => {
        const a = native.ed25519Signer(seed);
        const b = portable.ed25519Signer(seed);
        expect(a.publicKey).toEqual(b.publicKey);
        const sig = a.sign(msg);
        expect(sig).toEqual(b.sign(msg));
        expect(portable.ed25519Verifier(a.publicKey).verify(msg, sig)).toBe(true);
        expect(native.ed25519Verifier(b.publicKey).verify(msg, sig)).toBe(true);
        const bad = Uint8Array.from(sig);
        bad[at]! ^= flip;
        expect(native.ed25519Verifier(a.publicKey).verify(msg, bad)).toBe(portable.ed25519Verifier(a.publicKey).verify(msg, bad));
        expect(native.ed25519Verifier(a.publicKey).verify(msg, bad)).toBe(false);
      }),
      { numRuns: numRuns(40) },
    );
  });

  it('ed25519: non-canonical S (S + L) is refused by both', () => {
    const signer = native.ed25519Signer(new Uint8Array(32).fill(9));
    const msg = ascii('malleable?');
    const sig = signer.sign(msg);
    // Add the group order L to S (little-endian, bytes 32..63): a valid-looking but non-canonical S.
    const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    const s = Uint8Array.from(sig);
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const v = s[32 + i]! + L[i]! + carry;
      s[32 + i] = v & 0xff;
      carry = v >> 8;
    }
    expect(native.ed25519Verifier(signer.publicKey).verify(msg, s)).toBe(false);
    expect(portable.ed25519Verifier(signer.publicKey).verify(msg, s)).toBe(false);
  });
});
