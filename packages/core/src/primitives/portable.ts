/**
 * The portable primitives: @noble/ciphers, @noble/hashes and @noble/curves, pure JavaScript with
 * no platform imports. See api.ts for the contract and how this one is selected.
 */
import { chacha20, chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { expand, extract, hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
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

// The Web Crypto API: present in browsers, Deno, Bun, workers and Node >= 19 as a global.
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };

/** getRandomValues fills at most 65,536 bytes per call. */
const RANDOM_CHUNK = 65_536;

/** Small requests come from a pool refilled 4 KiB at a time (see node.ts), copied out and wiped. */
const POOL_SIZE = 4096;
const POOL_MAX_REQUEST = 256;
const pool = new Uint8Array(POOL_SIZE);
let poolUsed = POOL_SIZE;

function randomBytes(n: number): Uint8Array {
  checkLength(n, 'n');
  const out = new Uint8Array(n);
  if (n === 0) return out;
  if (n <= POOL_MAX_REQUEST) {
    if (poolUsed + n > POOL_SIZE) {
      crypto.getRandomValues(pool);
      poolUsed = 0;
    }
    out.set(pool.subarray(poolUsed, poolUsed + n));
    pool.fill(0, poolUsed, poolUsed + n);
    poolUsed += n;
    return out;
  }
  for (let o = 0; o < n; o += RANDOM_CHUNK) crypto.getRandomValues(out.subarray(o, Math.min(n, o + RANDOM_CHUNK)));
  return out;
}


function aeadOpen(open: () => Uint8Array): Uint8Array | null {
  try {
    return open();
  } catch {
    return null;
  }
}

export const primitives: Primitives = Object.freeze({
  name: 'portable' as const,
  randomBytes,
  sha256(...parts: Uint8Array[]): Uint8Array {
    const h = sha256.create();
    for (const p of parts) h.update(checkBytes(p, 'part'));
    return h.digest();
  },
  hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
    const h = hmac.create(sha256, checkBytes(key, 'key'));
    for (const p of parts) h.update(checkBytes(p, 'part'));
    return h.digest();
  },
  hmacKey(key: Uint8Array): KeyedHmac {
    const template = hmac.create(sha256, checkBytes(key, 'key'));
    return (...parts: Uint8Array[]) => {
      const h = template.clone();
      for (const p of parts) h.update(p);
      return h.digest();
    };
  },
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkLength(length, 'length', MAX_HKDF_LENGTH);
    return hkdf(sha256, checkBytes(ikm, 'ikm'), checkBytes(salt, 'salt'), checkBytes(info, 'info'), length);
  },
  hkdfExtract(ikm: Uint8Array, salt: Uint8Array): Uint8Array {
    return extract(sha256, checkBytes(ikm, 'ikm'), checkBytes(salt, 'salt'));
  },
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    checkLength(length, 'length', MAX_HKDF_LENGTH);
    checkBytes(prk, 'prk');
    if (prk.length < 32) throw new RangeError(`"prk" expected at least 32 bytes, got length=${prk.length}`);
    return expand(sha256, prk, checkBytes(info, 'info'), length);
  },
  chacha20Keystream(key: Uint8Array, nonce: Uint8Array, length: number, counter = 0): Uint8Array {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', CHACHA_NONCE_LENGTH);
    checkLength(length, 'length');
    checkLength(counter, 'counter', 0xffff_ffff);
    const buf = new Uint8Array(length);
    return chacha20(key, nonce, buf, buf, counter);
  },
  chacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', CHACHA_NONCE_LENGTH);
    return chacha20poly1305(key, nonce, checkBytes(aad, 'aad')).encrypt(checkBytes(plaintext, 'plaintext'));
  },
  chacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array | null {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', CHACHA_NONCE_LENGTH);
    checkBytes(sealed, 'sealed');
    checkBytes(aad, 'aad');
    if (sealed.length < AEAD_TAG_LENGTH) return null;
    return aeadOpen(() => chacha20poly1305(key, nonce, aad).decrypt(sealed));
  },
  xchacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', XCHACHA_NONCE_LENGTH);
    return xchacha20poly1305(key, nonce, checkBytes(aad, 'aad')).encrypt(checkBytes(plaintext, 'plaintext'));
  },
  xchacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY_BYTES): Uint8Array | null {
    checkBytes(key, 'key', KEY_LENGTH);
    checkBytes(nonce, 'nonce', XCHACHA_NONCE_LENGTH);
    checkBytes(sealed, 'sealed');
    checkBytes(aad, 'aad');
    if (sealed.length < AEAD_TAG_LENGTH) return null;
    return aeadOpen(() => xchacha20poly1305(key, nonce, aad).decrypt(sealed));
  },
  ed25519Signer(seed: Uint8Array): Ed25519Signer {
    const secret = Uint8Array.from(checkBytes(seed, 'seed', KEY_LENGTH));
    const publicKey = ed25519.getPublicKey(secret);
    return Object.freeze({
      publicKey,
      sign: (message: Uint8Array) => ed25519.sign(checkBytes(message, 'message'), secret),
    });
  },
  ed25519Verifier(publicKey: Uint8Array): Ed25519Verifier {
    const pub = Uint8Array.from(checkBytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH));
    return Object.freeze({
      publicKey: pub,
      verify(message: Uint8Array, signature: Uint8Array): boolean {
        checkBytes(message, 'message');
        checkBytes(signature, 'signature');
        if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
        try {
          // RFC 8032 / FIPS 186-5 rules (not ZIP-215), as OpenSSL applies them.
          return ed25519.verify(signature, message, pub, { zip215: false });
        } catch {
          return false;
        }
      },
    });
  },
});
