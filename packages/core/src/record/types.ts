/** The in-memory sealed record and what goes in and comes out of seal/open. */
import type { JsonValue } from '../format/json.js';
import type { DimensionMap, Policy } from '../policy/policy.js';

export interface SealedRecord {
  /** Stored format version (FORMAT_VERSION). */
  version: number;
  /** The caller's record id (bound into everything). */
  id: string;
  tenant: string;
  /** Id of the vector key that encrypted `vector`. */
  kid: string;
  /** Epoch of the header (the authority's epoch the record is wrapped for). */
  epoch: number;
  /** The ciphertext vector to index (float32, the cipher's storedDimension). */
  vector: Float32Array;
  /** Vector nonce (16 bytes) and tag (16 bytes). */
  nonce: Uint8Array;
  tag: Uint8Array;
  /** Policy header (see header/format.ts). */
  header: Uint8Array;
  /** Sealed payload: nonce (24) || XChaCha20-Poly1305 ciphertext || tag (16). */
  payload: Uint8Array;
  /** Sealed exact vector or norm, same framing; absent when neither is kept. */
  exact?: Uint8Array;
  /** Pre-filter tokens (sorted, padded to the header's entry count); absent in post-filter mode. */
  prefilter?: string[];
  /** Blind-index tokens per indexed field present in the payload (sorted). */
  blindIndex?: Record<string, string[]>;
  /** The writer's Ed25519 signature over every field above (format v2; absent in v1). */
  signature?: Uint8Array;
}

/**
 * What the exact re-rank needs of a search candidate (format v2, lean path): the fields of a
 * SealedRecord except the ciphertext vector, the sealed payload, the blind-index tokens and the
 * signature. Opening one gives its exact vector only; nothing of it is returned to a caller
 * before the full record has been fetched and its signature verified.
 */
export interface CandidateRecord {
  version: number;
  id: string;
  tenant: string;
  kid: string;
  epoch: number;
  nonce: Uint8Array;
  tag: Uint8Array;
  header: Uint8Array;
  exact: Uint8Array;
  prefilter?: string[];
}

export interface SealInput {
  id: string;
  vector: ArrayLike<number>;
  /** Any JSON value; must be an object when blind-indexed fields are configured. Default {}. */
  payload?: JsonValue;
  /** A policy, a `{ role: [...] }` map, or a policy string (JSON or CLI syntax). */
  policy: Policy | DimensionMap | string;
}

export interface OpenedRecord {
  id: string;
  /** The plaintext vector: the exact float32 input when sealed with exactVector (default). */
  vector: Float32Array | undefined;
  payload: JsonValue;
}
