/**
 * Per-tuple key material, derived once per key object and cached: the subkeys a tuple key is
 * used through. A tuple key itself is never used directly for anything but these derivations.
 * Internal: not exported from the package.
 */
import { primitives } from '#primitives';
import { deriveKey, LABELS } from '../kdf.js';
import { tupleId, type Tuple } from '../policy/tuples.js';

/** HMAC-SHA256 under a fixed key (see primitives/api.ts `hmacKey`). */
export type KeyedMac = (message: Uint8Array) => Uint8Array;

export function keyedMac(key: Uint8Array): KeyedMac {
  return primitives.hmacKey(key);
}

export interface TupleMaterial {
  readonly tuple: Tuple;
  readonly id: string;
  /** Keyed MAC that computes a header entry's locator (and wrap nonce) for one record. */
  readonly locator: KeyedMac;
  /** XChaCha20-Poly1305 key that wraps data keys for this tuple. */
  readonly wrapKey: Uint8Array;
  /** Keyed MAC that computes this tuple's pre-filter token. */
  readonly prefilter: KeyedMac;
  /** Pre-filter tokens already computed, by collection. */
  readonly tokens: Map<string, string>;
}

export function tupleMaterial(tuple: Tuple, tupleKey: Uint8Array): TupleMaterial {
  return {
    tuple,
    id: tupleId(tuple),
    locator: keyedMac(deriveKey(tupleKey, LABELS.headerLocator)),
    wrapKey: deriveKey(tupleKey, LABELS.headerWrap),
    prefilter: keyedMac(deriveKey(tupleKey, LABELS.prefilterToken)),
    tokens: new Map(),
  };
}
