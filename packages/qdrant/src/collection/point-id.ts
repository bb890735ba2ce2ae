/**
 * Qdrant accepts only unsigned integers or UUIDs as point ids, while callers use any string.
 * A point id is a deterministic UUID (version 8, RFC 9562 "custom") made from SHA-256 of the
 * tenant and the caller's id, so re-upserting a record replaces it (idempotent ingest) and two
 * tenants' equal ids never collide. The caller's id itself is kept in the stored payload (`id`),
 * which is how it is recovered; the mapping is one-way.
 */
import { primitives } from '@sealvec/core/internal';

const encoder = new TextEncoder();

function lp(s: string): Uint8Array {
  const b = encoder.encode(s);
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length, false);
  out.set(b, 4);
  return out;
}

export function pointIdOf(tenant: string, recordId: string): string {
  const parts = [lp('sealvec/v1/point-id'), lp(tenant), lp(recordId)];
  const total = parts.reduce((n, p) => n + p.length, 0);
  const msg = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    msg.set(p, off);
    off += p.length;
  }
  const h = primitives.sha256(msg).subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 9562 variant
  let hex = '';
  for (const b of h) hex += b.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
