import { describe, expect, it } from 'vitest';
import { MAX_DIMENSION, NONCE_LENGTH, TAG_LENGTH } from '../vector/cipher.js';
import * as C from './constants.js';

describe('format constants', () => {
  it('are consistent with each other and with the vector cipher', () => {
    expect(C.ENTRY_LENGTH).toBe(64);
    expect(C.MAX_HEADER_ENTRIES).toBe(C.MAX_POLICY_TUPLES);
    expect(C.MAX_HEADER_BYTES).toBe(C.HEADER_FIXED_LENGTH + C.MAX_HEADER_ENTRIES * C.ENTRY_LENGTH + C.MAX_ESCROW_PLAINTEXT + C.AEAD_TAG_LENGTH);
    // The escrow length field is a u16 and must hold the largest bucket plus its tag.
    expect(C.MAX_ESCROW_PLAINTEXT + C.AEAD_TAG_LENGTH).toBeLessThan(2 ** 16);
    expect(C.VECTOR_NONCE_LENGTH).toBe(NONCE_LENGTH);
    expect(C.VECTOR_TAG_LENGTH).toBe(TAG_LENGTH);
    expect(C.MAX_VECTOR_DIMENSION).toBe(MAX_DIMENSION);
  });
});
