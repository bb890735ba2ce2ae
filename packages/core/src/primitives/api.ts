/**
 * The one layer through which @sealvec/core reaches cryptographic primitives. Two
 * implementations produce identical bytes for identical inputs:
 *
 * - `node.ts`: the platform's native implementations (node:crypto / OpenSSL), chosen on Node and
 *   on runtimes that provide node:crypto under the `node` export condition;
 * - `portable.ts`: @noble/ciphers, @noble/hashes and @noble/curves, chosen everywhere else
 *   (browsers, bundlers, edge runtimes), and on Node when the `sealvec-portable` condition is set
 *   (`node --conditions=sealvec-portable`, or NODE_OPTIONS).
 *
 * Code in core imports the selected one as `import { primitives } from '#primitives'` (the
 * package.json `imports` field picks the file). Nothing here is home-made: every function is a
 * standard construction (RFC 8439 ChaCha20 and ChaCha20-Poly1305, XChaCha20-Poly1305 per
 * draft-irtf-cfrg-xchacha, RFC 2104 HMAC, RFC 5869 HKDF, FIPS 180-4 SHA-256, RFC 8032 Ed25519)
 * delegated to the platform or to noble; primitives.test.ts checks the two against each other
 * on random inputs and against published test vectors.
 *
 * Failures of authentication (an AEAD tag, a signature) are a `null` or `false` result, never an
 * exception carrying library internals: callers turn them into one generic error.
 */

/** A signing key made from a 32-byte Ed25519 seed (RFC 8032 "private key"). */
export interface Ed25519Signer {
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** The 64-byte signature of `message` (deterministic: the same bytes in both implementations). */
  sign(message: Uint8Array): Uint8Array;
}

/** A verifier bound to one public key (implementations may cache a parsed key). */
export interface Ed25519Verifier {
  readonly publicKey: Uint8Array;
  /** True only for a valid RFC 8032 signature; false for anything else (never throws on data). */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** HMAC-SHA256 under a fixed key; the implementation may keep the key schedule between calls. */
export type KeyedHmac = (...message: Uint8Array[]) => Uint8Array;

export interface Primitives {
  /** Which implementation this is. */
  readonly name: 'node' | 'portable';
  /** Cryptographically secure random bytes (any length). */
  randomBytes(n: number): Uint8Array;
  /** SHA-256 of the concatenation of `parts`. */
  sha256(...parts: Uint8Array[]): Uint8Array;
  /** HMAC-SHA256(key, concatenation of `parts`). */
  hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array;
  /** A reusable HMAC-SHA256 under `key`. */
  hmacKey(key: Uint8Array): KeyedHmac;
  /** HKDF-SHA256 (RFC 5869): Extract(salt, ikm) then Expand(info, length). */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** HKDF-SHA256 Extract only: the 32-byte pseudo-random key HMAC(salt, ikm) (RFC 5869 section 2.2). */
  hkdfExtract(ikm: Uint8Array, salt: Uint8Array): Uint8Array;
  /** HKDF-SHA256 Expand only, from a pseudo-random (or uniformly random) key `prk` of >= 32 bytes. */
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** `length` bytes of the RFC 8439 ChaCha20 keystream (32-byte key, 12-byte nonce) from block `counter`. */
  chacha20Keystream(key: Uint8Array, nonce: Uint8Array, length: number, counter?: number): Uint8Array;
  /** RFC 8439 AEAD: ciphertext || 16-byte tag. */
  chacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** The plaintext, or null when the tag does not verify. */
  chacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | null;
  /** XChaCha20-Poly1305 (24-byte nonce): ciphertext || 16-byte tag. */
  xchacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** The plaintext, or null when the tag does not verify. */
  xchacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | null;
  /** An Ed25519 signing key from a 32-byte seed. */
  ed25519Signer(seed: Uint8Array): Ed25519Signer;
  /** An Ed25519 verifier for a 32-byte public key (an invalid key verifies nothing). */
  ed25519Verifier(publicKey: Uint8Array): Ed25519Verifier;
}

export const KEY_LENGTH = 32;
export const CHACHA_NONCE_LENGTH = 12;
export const XCHACHA_NONCE_LENGTH = 24;
export const AEAD_TAG_LENGTH = 16;
export const ED25519_SIGNATURE_LENGTH = 64;
export const ED25519_PUBLIC_KEY_LENGTH = 32;

const EMPTY = new Uint8Array(0);
export { EMPTY as EMPTY_BYTES };

/** Argument checks shared by both implementations, so both reject the same misuse the same way. */
export function checkBytes(value: unknown, name: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${name}" expected Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${name}" expected Uint8Array of length ${length}, got length=${value.length}`);
  }
  return value;
}

export function checkLength(n: unknown, name: string, max = 0x3fff_ffff): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > max) {
    throw new RangeError(`"${name}" expected integer in [0, ${max}], got ${String(n)}`);
  }
  return n;
}

/** HKDF-Expand may produce at most 255 blocks (RFC 5869 section 2.3). */
export const MAX_HKDF_LENGTH = 255 * 32;
