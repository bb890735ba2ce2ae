/**
 * The store's point id of a record, for a sealed .npy sidecar: the same UUID as @sealvec/qdrant's
 * pointIdOf (version 8 from SHA-256 of lp("sealvec/v1/point-id"), lp(tenant), lp(id); a test
 * pins the two together). Here because `encrypt` would otherwise load all of @sealvec/qdrant (the
 * Qdrant client, the embedded store) for this one function: about half a second per process.
 */
import { createHash } from 'node:crypto';

const LABEL = lpBytes('sealvec/v1/point-id');

function lpBytes(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const out = Buffer.alloc(4 + b.length);
  out.writeUInt32BE(b.length, 0);
  b.copy(out, 4);
  return out;
}

export function pointIdOf(tenant: string, recordId: string): string {
  const h = createHash('sha256').update(LABEL).update(lpBytes(tenant)).update(lpBytes(recordId)).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = h.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
