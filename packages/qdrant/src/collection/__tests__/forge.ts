/**
 * What a reader who opens a record can do with its data key: re-seal the payload under the
 * unchanged header (test-only: the attacker of issue #9, finding 2).
 */
import type { SealedRecord, UserKey } from '@sealvec/core';
import { blindIndexDigest, payloadAad, primitives, recordKeys, tokensDigest, unwrapDataKey } from '@sealvec/core/internal';

export function forgePayload(r: SealedRecord, reader: UserKey, collection: string, payload: unknown): SealedRecord {
  const dk = unwrapDataKey(r.header, { recordId: r.id, collection, tenant: r.tenant, associatedData: tokensDigest(r.prefilter) }, reader);
  if (dk === null) throw new Error('the forger must be a reader of the record');
  const keys = recordKeys(dk);
  const n = primitives.randomBytes(24);
  const text = new TextEncoder().encode(JSON.stringify(payload));
  const aad = payloadAad({ tenant: r.tenant, collection, recordId: r.id, kid: r.kid }, r.exact !== undefined, blindIndexDigest(r.blindIndex), r.version);
  const sealed = primitives.xchacha20poly1305Seal(keys.payload, n, text, aad);
  const p = new Uint8Array(n.length + sealed.length);
  p.set(n);
  p.set(sealed, n.length);
  return { ...r, payload: p };
}
