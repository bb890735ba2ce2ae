/**
 * The writer's signature over a stored record (format v2, the `s` field).
 *
 *   s = Ed25519-Sign(W, SHA-256(lp("sealvec/v2/record", collection, tenant, id, kid, epoch,
 *         vector nonce, vector tag, float32 LE ciphertext vector, header, sealed payload,
 *         "x" | "-", sealed exact vector | "", digest(pf), digest(bi))))
 *
 * W is the writer key of the record's (epoch, tenant) (authority/signing.ts). It covers every
 * stored field, so a reader, who holds the record's data key and can therefore rebuild the header
 * MAC, the payload AEAD, the exact-vector AEAD and the vector tag, still cannot change any of them
 * without the writer. Rewrap re-signs (the header, epoch and tokens change); readers verify with
 * the writer public key of their own (epoch, tenant), so after a rewrap a revoked reader's
 * forgeries under an old data key fail too.
 */
import { primitives } from '#primitives';
import { float32Bytes } from '../vector/cipher.js';
import { u32be } from '../utils.js';
import { blindIndexDigest, tokensDigest } from './binding.js';
import type { SealedRecord } from './types.js';

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** SHA-256 of the length-prefixed fields, streamed: the large ones (vector, x) are not copied. */
function lpDigest(fields: (Uint8Array | string)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    const b = typeof f === 'string' ? encoder.encode(f) : f;
    parts.push(u32be(b.length), b);
  }
  return primitives.sha256(...parts);
}

/** The 32 bytes the writer signs for `record` sealed into `collection`. */
export function recordDigest(record: SealedRecord, collection: string): Uint8Array {
  return lpDigest([
    'sealvec/v2/record',
    collection,
    record.tenant,
    record.id,
    record.kid,
    String(record.epoch),
    record.nonce,
    record.tag,
    float32Bytes(record.vector),
    record.header,
    record.payload,
    record.exact === undefined ? '-' : 'x',
    record.exact ?? EMPTY,
    tokensDigest(record.prefilter),
    blindIndexDigest(record.blindIndex),
  ]);
}
