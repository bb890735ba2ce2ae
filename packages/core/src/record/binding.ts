/**
 * Associated data of the sealed payload and the sealed exact vector, and the digests that bind
 * the token fields. Together with the header MAC and the vector tag these authenticate every
 * field of a stored record:
 *
 *   field        authenticated, against the store, by
 *   h, ep        header MAC (ep must equal the header's epoch)
 *   pf           header MAC (associated data = digest of the token list; rewrap replaces both)
 *   p            its own AEAD; AAD = payload binding below
 *   bi           payload AAD (digest of the token map; tokens do not change on rewrap)
 *   x            its own AEAD; AAD = exact-vector binding below: the record's scope, the vector
 *                nonce and tag (v2), which the tag ties to the ciphertext vector; v1 also put the
 *                whole ciphertext vector in it. v2 leaves the vector out so the exact re-rank can
 *                open x without fetching the (large) ciphertext vector.
 *   vector,n,t   the x AAD holds n and t; the vector itself is checked by the vector tag only when
 *                it is decrypted (no x, or x holding a norm), and by the signature always
 *   id,tnt,kid   all of the above (collection, from the caller, too)
 *   everything   the writer's signature `s` (v2, signature.ts), against readers too: every key
 *                above derives from the data key, which every reader of the record holds.
 */
import { lp } from '../format/lp.js';
import { primitives } from '#primitives';
import { expanderFrom, LABELS } from '../kdf.js';
import { float32Bytes } from '../vector/cipher.js';

export interface RecordScope {
  tenant: string;
  collection: string;
  recordId: string;
  kid: string;
}

export function tokensDigest(tokens: readonly string[] | undefined): Uint8Array {
  if (tokens === undefined) return primitives.sha256(lp('sealvec/pf', 'absent'));
  return primitives.sha256(lp('sealvec/pf', String(tokens.length), ...tokens));
}

export function blindIndexDigest(bi: Readonly<Record<string, readonly string[]>> | undefined): Uint8Array {
  if (bi === undefined) return primitives.sha256(lp('sealvec/bi', 'absent'));
  const fields: string[] = ['sealvec/bi', String(Object.keys(bi).length)];
  for (const f of Object.keys(bi).sort()) {
    const t = bi[f] as readonly string[];
    fields.push(f, String(t.length), ...t);
  }
  return primitives.sha256(lp(...fields));
}

/** `hasExact` says whether the record has an `x` field, so deleting it is detected. */
export function payloadAad(s: RecordScope, hasExact: boolean, biDigest: Uint8Array, version: number): Uint8Array {
  return lp('sealvec/payload', String(version), s.tenant, s.collection, s.recordId, s.kid, hasExact ? 'x' : '-', biDigest);
}

/** v2: the record's scope, vector nonce and tag. v1 (read only): also the ciphertext vector. */
export function exactVectorAad(s: RecordScope, nonce: Uint8Array, tag: Uint8Array, version: number, vector?: Float32Array): Uint8Array {
  if (version === 1) {
    if (vector === undefined) throw new TypeError('"vector" is required for a v1 exact-vector binding');
    return lp('sealvec/exact-vector', '1', s.tenant, s.collection, s.recordId, s.kid, nonce, tag, float32Bytes(vector));
  }
  return lp('sealvec/exact-vector', String(version), s.tenant, s.collection, s.recordId, s.kid, nonce, tag);
}

export interface RecordKeys {
  headerAuth: Uint8Array;
  payload: Uint8Array;
  vector: Uint8Array;
}

/**
 * The per-record subkeys of a data key: HKDF-Expand only (one HMAC key schedule for all three),
 * since the data key is 32 uniformly random bytes (RFC 5869 section 3.3), as the vector cipher
 * does for its noise seed and tag key.
 */
export function recordKeys(dataKey: Uint8Array): RecordKeys {
  const kdf = expanderFrom(dataKey);
  const keys = { headerAuth: kdf.derive(LABELS.headerAuth), payload: kdf.derive(LABELS.recordPayload), vector: kdf.derive(LABELS.recordVector) };
  kdf.destroy();
  return keys;
}

/** Only the exact-vector key (the lean re-rank path needs nothing else). */
export function exactVectorKey(dataKey: Uint8Array): Uint8Array {
  const kdf = expanderFrom(dataKey);
  const k = kdf.derive(LABELS.recordVector);
  kdf.destroy();
  return k;
}

export function cleanRecordKeys(k: RecordKeys): void {
  k.headerAuth.fill(0);
  k.payload.fill(0);
  k.vector.fill(0);
}
