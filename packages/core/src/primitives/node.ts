/**
 * The native primitives: node:crypto (OpenSSL) for SHA-256, HMAC, HKDF, ChaCha20,
 * ChaCha20-Poly1305, Ed25519 and random bytes. XChaCha20-Poly1305 is HChaCha20 (noble's, the
 * only piece OpenSSL lacks, 20 rounds on 64 bytes) followed by OpenSSL's ChaCha20-Poly1305, as
 * draft-irtf-cfrg-xchacha section 2.3 defines it. HKDF-Expand from a given pseudo-random key,
 * which node:crypto does not offer on its own, is RFC 5869's T(i) chain of HMAC calls.
 * See api.ts for the contract; primitives.test.ts proves the bytes equal the portable ones.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  randomFillSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { hchacha } from '@noble/ciphers/chacha.js';
import {
  AEAD_TAG_LENGTH,
  CHACHA_NONCE_LENGTH,
  checkBytes,
  checkLength,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  EMPTY_BYTES,
  KEY_LENGTH,
  MAX_HKDF_LENGTH,
  XCHACHA_NONCE_LENGTH,
  type Ed25519Signer,
  type Ed25519Verifier,
  type KeyedHmac,
  type Primitives,
} from './api.js';

/** A plain Uint8Array view of a Buffer (callers compare and slice without Buffer semantics). */
function u8(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

let zeros = new Uint8Array(16 * 1024);
function zeroBytes(n: number): Uint8Array {
  if (zeros.length < n) zeros = new Uint8Array(Math.max(n, zeros.length * 2));
  return zeros.subarray(0, n);
}

/**
 * Small requests are served from a pool refilled 4 KiB at a time: one randomFillSync costs
 * microseconds whatever its size (measured: about 20 us for 16 bytes on this project's build
 * machine, a fifth of a vector encryption). The bytes handed out are copied and wiped from the
 * pool, so no two callers ever share them.
 */
const POOL_SIZE = 4096;
const POOL_MAX_REQUEST = 256;
const pool = new Uint8Array(POOL_SIZE);
let poolUsed = POOL_SIZE;

function randomBytes(n: number): Uint8Array {
  checkLength(n, 'n');
  const out = new Uint8Array(n);
  if (n === 0) return out;
  if (n > POOL_MAX_REQUEST) {
    randomFillSync(out);
    return out;
  }
  if (poolUsed + n > POOL_SIZE) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  out.set(pool.subarray(poolUsed, poolUsed + n));
  pool.fill(0, poolUsed, poolUsed + n);
  poolUsed += n;
  return out;
}

function hmacParts(key: Uint8Array | KeyObject, parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return u8(h.digest());
}

/** RFC 5869 section 2.3: T(1) = HMAC(PRK, info | 0x01), T(i) = HMAC(PRK, T(i-1) | info | i). */
function expandWithHmac(prk: Uint8Array | KeyObject, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let prev: Uint8Array = EMPTY_BYTES;
  for (let i = 1, o = 0; o < length; i++) {
    prev = hmacParts(prk, [prev, info, Uint8Array.of(i)]);
    out.set(prev.subarray(0, Math.min(32, length - o)), o);
    o += 32;
  }
  return out;
}

/** RFC 5869 section 2.2: PRK = HMAC(salt, IKM), an empty salt meaning HashLen zero bytes. */
function extract(ikm: Uint8Array, salt: Uint8Array): Uint8Array {
  return hmacParts(salt.length > 0 ? salt : new Uint8Array(32), [ikm]);
}

const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

/** Words of a byte string in noble's convention (a u32 view of the bytes; hchacha fixes endianness). */
function words(bytes: Uint8Array, n: number): Uint32Array {
  const w = new Uint32Array(n);
  new Uint8Array(w.buffer).set(bytes.subarray(0, 4 * n));
  return w;
}

/** The XChaCha20 subkey and the 12-byte ChaCha20 nonce (4 zero bytes || last 8 nonce bytes). */
function xchachaSubkey(key: Uint8Array, nonce: Uint8Array): { subkey: Uint8Array; nonce12: Uint8Array } {
  const out = new Uint32Array(8);
  hchacha(SIGMA, words(key, 8), words(nonce, 4), out);
  const nonce12 = new Uint8Array(12);
  nonce12.set(nonce.subarray(16, 24), 4);
  return { subkey: new Uint8Array(out.buffer), nonce12 };
}

function seal(key: Uint8Array, nonce12: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', key, nonce12, { authTagLength: AEAD_TAG_LENGTH });
  if (aad.length > 0) c.setAAD(aad, { plaintextLength: plaintext.length });
  const out = new Uint8Array(plaintext.length + AEAD_TAG_LENGTH);
  out.set(c.update(plaintext), 0);
  c.final();
  out.set(c.getAuthTag(), plaintext.length);
  return out;
}

function open(key: Uint8Array, nonce12: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (sealed.length < AEAD_TAG_LENGTH) return null;
  const n = sealed.length - AEAD_TAG_LENGTH;
  try {
    const d = createDecipheriv('chacha20-poly1305', key, nonce12, { authTagLength: AEAD_TAG_LENGTH });
    d.setAuthTag(sealed.subarray(n));
    if (aad.length > 0) d.setAAD(aad, { plaintextLength: n });
    const out = new Uint8Array(n);
    out.set(d.update(sealed.subarray(0, n)), 0);
    d.final(); // throws when the tag does not verify; `out` is then dropped unseen
    return out;
  } catch {
    return null;
  }
}

// DER wrappings of raw Ed25519 keys (RFC 8410): PKCS#8 for a 32-byte seed, SPKI for a public key.
const PKCS8_ED25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const SPKI_ED25519 = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

function withPrefix(prefix: Uint8Array, key: Uint8Array): Uint8Array {
  const der = new Uint8Array(prefix.length + key.length);
  der.set(prefix);
  der.set(key, prefix.length);
  return der;
}

function fromBase64url(s: string): Uint8Array {
  return u8(Buffer.from(s, 'base64url'));
}

export const primitives: Primitives = Object.freeze({
  name: 'node' as const,
  randomBytes,
  sha256(...parts: Uint8Array[]): Uint8Array {
    const h = createHash('sha256');
    for (const p of parts) h.update(checkBytes(p, 'part'));
    return u8(h.digest());
  },
  hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
    checkBytes(key, 'key');
    for (const p of parts) checkBytes(p, 'part');
    return hmacParts(key, parts);
  },
  hmacKey(key: Uint8Array): KeyedHmac {
    // A raw key measured as fast as a KeyObject here; the copy keeps later edits of `key` out.
    const k = Uint8Array.from(checkBytes(key, 'key'));
    return (...parts: Uint8Array[]) => hmacParts(k, parts);
  },
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkLength(length, 'length', MAX_HKDF_LENGTH);
    checkBytes(ikm, 'ikm');
    checkBytes(salt, 'salt');
    checkBytes(info, 'info');
    if (length === 0) return new Uint8Array(0);
    // node:crypto caps info at 1024 bytes; longer infos take RFC 5869's steps explicitly.
    if (info.length <= 1024) return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
    return expandWithHmac(extract(ikm, salt), info, length);
  },
  hkdfExtract(ikm: Uint8Array, salt: Uint8Array): Uint8Array {
    return extract(checkBytes(ikm, 'ikm'), checkBytes(salt, 'salt'));
  },
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkLength(length, 'length', MAX_HKDF_LENGTH);
    checkBytes(prk, 'prk');
    if (prk.length < 32) throw new RangeError(`"prk" expected at least 32 bytes, got length=${prk.length}`);
    return expandWithHmac(prk, checkBytes(info, 'info'), length);
  },
  chacha20Keystream(key: Uint8Array, nonce: Uint8Array, length: number, counter = 0): Uint8Array {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', CHACHA_NONCE_LENGTH);
    checkLength(length, 'length');
    checkLength(counter, 'counter', 0xffff_ffff);
    const iv = new Uint8Array(16);
    new DataView(iv.buffer).setUint32(0, counter, true);
    iv.set(nonce, 4);
    const out = new Uint8Array(length);
    if (length > 0) out.set(createCipheriv('chacha20', key, iv).update(zeroBytes(length)), 0);
    return out;
  },
  chacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', CHACHA_NONCE_LENGTH);
    return seal(key, nonce, checkBytes(plaintext, 'plaintext'), checkBytes(aad, 'aad'));
  },
  chacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array | null {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', CHACHA_NONCE_LENGTH);
    return open(key, nonce, checkBytes(sealed, 'sealed'), checkBytes(aad, 'aad'));
  },
  xchacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', XCHACHA_NONCE_LENGTH);
    const x = xchachaSubkey(key, nonce);
    try {
      return seal(x.subkey, x.nonce12, checkBytes(plaintext, 'plaintext'), checkBytes(aad, 'aad'));
    } finally {
      x.subkey.fill(0);
    }
  },
  xchacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array | null {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', XCHACHA_NONCE_LENGTH);
    checkBytes(sealed, 'sealed');
    checkBytes(aad, 'aad');
    const x = xchachaSubkey(key, nonce);
    try {
      return open(x.subkey, x.nonce12, sealed, aad);
    } finally {
      x.subkey.fill(0);
    }
  },
  ed25519Signer(seed: Uint8Array): Ed25519Signer {
    checkBytes(seed, 'seed', KEY_LENGTH);
    const der = withPrefix(PKCS8_ED25519, seed);
    const privateKey = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
    der.fill(0);
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { x?: string };
    const publicKey = fromBase64url(String(jwk.x));
    return Object.freeze({
      publicKey,
      sign: (message: Uint8Array) => u8(nodeSign(null, checkBytes(message, 'message'), privateKey)),
    });
  },
  ed25519Verifier(publicKey: Uint8Array): Ed25519Verifier {
    const pub = Uint8Array.from(checkBytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH));
    let key: KeyObject | null;
    try {
      const der = withPrefix(SPKI_ED25519, pub);
      key = createPublicKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    return Object.freeze({
      publicKey: pub,
      verify(message: Uint8Array, signature: Uint8Array): boolean {
        checkBytes(message, 'message');
        checkBytes(signature, 'signature');
        if (key === null || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
        try {
          return nodeVerify(null, message, key, signature);
        } catch {
          return false;
        }
      },
    });
  },
});
