/**
 * The authority's key schedule (every step is HKDF-SHA256 with its own label, see kdf.ts):
 *
 *   master ──epochSecret(epoch, tenant)──> epoch secret   (= a writer key's secret)
 *   epoch secret ──tupleKey(tuple)───────> tuple key       (a user key holds these)
 *   epoch secret ──headerEscrow──────────> escrow key      (writers only: rewrap)
 *   tuple key ──headerLocator / headerWrap / prefilterToken──> per-tuple subkeys
 *   master ──blindIndexRoot(tenant)──────> blind-index root (epoch-independent; writers)
 *   blind-index root ──blindIndex(field)─> field key        (writers; users issued that field)
 *
 * Tenants are bound at the epoch secret, so keys of one tenant never open another's records, and
 * a writer key for one tenant cannot derive anything of another tenant.
 */
import { deriveKey, LABELS } from '../kdf.js';
import { toHex } from '../utils.js';
import { encodeTuple, type Tuple } from '../policy/tuples.js';
import type { PolicySchema } from '../policy/schema.js';

export function authorityIdOf(master: Uint8Array): string {
  return toHex(deriveKey(master, LABELS.keyId, ['authority'], 8));
}

export function deriveEpochSecret(master: Uint8Array, epoch: number, tenant: string): Uint8Array {
  return deriveKey(master, LABELS.epochSecret, [String(epoch), tenant]);
}

export function deriveTupleKey(epochSecret: Uint8Array, schema: PolicySchema, tuple: Tuple): Uint8Array {
  return deriveKey(epochSecret, LABELS.tupleKey, [encodeTuple(schema, tuple)]);
}

export function deriveEscrowKey(epochSecret: Uint8Array): Uint8Array {
  return deriveKey(epochSecret, LABELS.headerEscrow);
}

export function deriveBlindIndexRoot(master: Uint8Array, tenant: string): Uint8Array {
  return deriveKey(master, LABELS.blindIndexRoot, [tenant]);
}

export function deriveFieldKey(blindIndexRoot: Uint8Array, field: string): Uint8Array {
  return deriveKey(blindIndexRoot, LABELS.blindIndex, [field]);
}
