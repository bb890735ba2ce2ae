/**
 * A keyed pseudo-random stream: the ChaCha20 keystream under a 32-byte seed (zero nonce; every
 * seed is used for exactly one stream). All keyed randomness of the vector cipher (mix signs and
 * permutations, noise directions and radii) comes from here.
 */
import { primitives } from '#primitives';

const ZERO_NONCE = new Uint8Array(12);
const BLOCK = 64;

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `length` bytes of keystream starting at 64-byte block `counter`. */
export function prfBytes(seed: Uint8Array, length: number, counter = 0): Uint8Array {
  return primitives.chacha20Keystream(seed, ZERO_NONCE, length, counter);
}

/** `count` uniform 32-bit words of keystream. */
export function prfWords(seed: Uint8Array, count: number, counter = 0): Uint32Array {
  return littleEndianWords(prfBytes(seed, count * 4, counter));
}

export function littleEndianWords(bytes: Uint8Array): Uint32Array {
  const n = bytes.length >>> 2;
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, n);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = (bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24)) >>> 0;
  }
  return out;
}

/** A word source over one keystream, for draws whose count is not known up front. */
export function wordSource(seed: Uint8Array, chunkWords = 1024, startBlock = 0): () => number {
  const chunk = Math.max(16, Math.ceil(chunkWords / 16) * 16); // whole 64-byte blocks
  let counter = startBlock;
  let words = prfWords(seed, chunk, counter);
  let i = 0;
  return () => {
    if (i === words.length) {
      counter += (chunk * 4) / BLOCK;
      words = prfWords(seed, chunk, counter);
      i = 0;
    }
    return words[i++]!;
  };
}

/** An unbiased uniform integer in [0, n) (rejection sampling on 32-bit words). */
export function uniformInt(next: () => number, n: number): number {
  if (n <= 1) return 0;
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
  for (;;) {
    const w = next();
    if (w < limit) return w % n;
  }
}
