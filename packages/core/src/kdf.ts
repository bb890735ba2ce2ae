/**
 * Every subkey in Sealvec comes from HKDF-SHA256 with one of the labels below. One label, one
 * purpose: no key's bytes are ever used for two jobs. Labels and all context fields are
 * length-prefixed (see `lengthPrefixed`) so no two contexts can collide.
 */
import { primitives } from '#primitives';
import { lp } from './format/lp.js';
import { utf8 } from './utils.js';

/** HKDF salt shared by all derivations: a domain separator for this protocol version. */
const SALT = utf8('sealvec/v1');

export const LABELS = {
  /** vector root -> per-tenant vector key. */
  tenantVector: 'sealvec/v1/vector/tenant',
  /** tenant vector key -> seed of the keyed orthogonal mix R (signs, permutations). */
  vectorMix: 'sealvec/v1/vector/mix',
  /** tenant vector key -> the scale factor s. */
  vectorScale: 'sealvec/v1/vector/scale',
  /** tenant vector key -> MAC key that makes query noise a deterministic function of the query. */
  queryNoise: 'sealvec/v1/vector/query-noise',
  /** per-record data key -> seed of that record's noise stream (with the record's nonce). */
  recordNoise: 'sealvec/v1/record/noise',
  /** per-record data key -> MAC key for the vector ciphertext tag. */
  recordTag: 'sealvec/v1/record/tag',
  /** per-record data key -> AEAD key for the sealed payload. */
  recordPayload: 'sealvec/v1/record/payload',
  /** per-record data key -> AEAD key for the sealed exact vector. */
  recordVector: 'sealvec/v1/record/vector',
  /** key id derivation (a public fingerprint of a key; not secret). */
  keyId: 'sealvec/v1/key-id',
  /** authority master -> the secret of one (epoch, tenant): the writer key. */
  epochSecret: 'sealvec/v1/policy/epoch',
  /** epoch secret -> one tuple key (context: the canonical tuple encoding). */
  tupleKey: 'sealvec/v1/policy/tuple-key',
  /** epoch secret -> AEAD key of the header's escrow (data key + policy, for rewrap). */
  headerEscrow: 'sealvec/v1/policy/header-escrow',
  /** tuple key -> per-record header entry locator tag. */
  headerLocator: 'sealvec/v1/policy/header-locator',
  /** tuple key -> per-record key-wrapping key. */
  headerWrap: 'sealvec/v1/policy/header-wrap',
  /** data key -> header authentication key. */
  headerAuth: 'sealvec/v1/policy/header-auth',
  /** tuple key -> that tuple's pre-filter token key. */
  prefilterToken: 'sealvec/v1/token/prefilter',
  /** tenant vector key -> seed of the v2 mix R (context: stored dimension, metric, collection). */
  vectorMixV2: 'sealvec/v2/vector/mix',
  /** tenant vector key -> the v2 scale s (same context). */
  vectorScaleV2: 'sealvec/v2/vector/scale',
  /** tenant vector key -> the v2 query-noise MAC key (same context). */
  queryNoiseV2: 'sealvec/v2/vector/query-noise',
  /** tenant vector key -> seed of the v2 keyed offset o (same context). */
  vectorOffsetV2: 'sealvec/v2/vector/offset',
  /** authority master -> the authority's Ed25519 signing seed (certifies writer keys). */
  authoritySign: 'sealvec/v2/authority/sign',
  /** epoch secret -> the writer's Ed25519 signing seed for that (epoch, tenant). */
  writerSign: 'sealvec/v2/writer/sign',
  /** authority master -> per-tenant blind-index root (epoch-independent). */
  blindIndexRoot: 'sealvec/v1/token/blind-index-root',
  /** blind-index root -> per-field blind-index key. */
  blindIndex: 'sealvec/v1/token/blind-index',
} as const;

export type Label = (typeof LABELS)[keyof typeof LABELS];

/** HKDF-SHA256(ikm, salt="sealvec/v1", info=lp(label, ...context)) -> `length` bytes. */
export function deriveKey(ikm: Uint8Array, label: Label, context: (Uint8Array | string)[] = [], length = 32): Uint8Array {
  return primitives.hkdf(ikm, SALT, lp(label, ...context), length);
}

/**
 * HKDF with the extract step done once, for deriving several subkeys (each with its own label)
 * from one input key. `kdf.derive(label, ctx)` equals `deriveKey(ikm, label, ctx)` exactly.
 */
export interface Kdf {
  derive(label: Label, context?: (Uint8Array | string)[], length?: number): Uint8Array;
  /** Zeroizes the pseudo-random key. */
  destroy(): void;
}

export function kdfFrom(ikm: Uint8Array): Kdf {
  const prk = primitives.hkdfExtract(ikm, SALT);
  return {
    derive: (label, context = [], length = 32) => primitives.hkdfExpand(prk, lp(label, ...context), length),
    destroy: () => prk.fill(0),
  };
}

const ONE = new Uint8Array([1]);

/**
 * HKDF-Expand only (RFC 5869 section 3.3: Extract may be skipped when the input is already a
 * uniformly random key), for the per-record hot path where the input is a random 32-byte data
 * key. A 32-byte output is the first Expand block, T(1) = HMAC(key, info || 0x01), computed with
 * one keyed HMAC (whose key schedule the portable primitives keep between labels).
 * `expanderFrom(k).derive(label, ctx)` equals `hkdfExpand(k, lp(label, ...ctx), 32)` exactly
 * (kdf.test.ts checks it).
 */
export function expanderFrom(uniformKey: Uint8Array): Kdf {
  let mac: ((...m: Uint8Array[]) => Uint8Array) | null = primitives.hmacKey(uniformKey);
  return {
    derive: (label, context = [], length = 32) => {
      if (length !== 32) throw new RangeError('"length" expected 32 for the expander');
      if (mac === null) throw new TypeError('this key derivation was destroyed');
      return mac(lp(label, ...context), ONE);
    },
    destroy: () => {
      mac = null;
    },
  };
}
