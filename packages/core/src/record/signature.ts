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
import { lp } from '../format/lp.js';
import { u32be } from '../utils.js';
import { blindIndexDigest, tokensDigest } from './binding.js';
import type { SealedRecord } from './types.js';

const EMPTY = new Uint8Array(0);

/**
 * The 32 bytes the writer signs for `record` sealed into `collection`: SHA-256 of
 * lp(every field above). The small fields are encoded together and the large ones (vector,
 * header, payload, x) streamed after their length, so nothing large is copied; the bytes hashed
 * are exactly lp(...) of the whole list.
 */
export function recordDigest(record: SealedRecord, collection: string): Uint8Array {
  const exact = record.exact ?? EMPTY;
  const vector = float32Bytes(record.vector);
  return primitives.sha256(
    lp('sealvec/v2/record', collection, record.tenant, record.id, record.kid, String(record.epoch), record.nonce, record.tag),
    u32be(vector.length),
    vector,
    u32be(record.header.length),
    record.header,
    u32be(record.payload.length),
    record.payload,
    lp(record.exact === undefined ? '-' : 'x'),
    u32be(exact.length),
    exact,
    lp(tokensDigest(record.prefilter), blindIndexDigest(record.blindIndex)),
  );
}
