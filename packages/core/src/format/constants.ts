/**
 * Every version number, length and limit of the policy, header and stored-record formats, in one
 * place. Limits exist so that a malformed or hostile input can never make a reader do unbounded
 * work or allocate unbounded memory; each one says what it bounds and why it has its value.
 * docs/format.md restates them; change both together.
 */

import { DATA_KEY_LENGTH, MAX_DIMENSION, NONCE_LENGTH, TAG_LENGTH } from '../vector/cipher.js';

/** Per-record data key length: defined by the vector cipher, which derives the noise seed from it. */
export { DATA_KEY_LENGTH };

/** Version of the stored record (the `sv` field) and of every binding that names it (written today). */
export const FORMAT_VERSION = 2;
/** Stored record versions this build reads: 1 (no writer signature; read-only, migrate it) and 2. */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];
/** First byte of every encoded header written today; 1 is still read. */
export const HEADER_VERSION = 2;
export const READABLE_HEADER_VERSIONS: readonly number[] = [1, 2];
/** Version of the canonical policy encoding (inside the header's escrow). */
export const POLICY_ENCODING_VERSION = 1;

// ---- Policies ---------------------------------------------------------------------------------

/** Dimensions per schema. Eight is far more than role/group/department and keeps tuples small. */
export const MAX_DIMENSIONS = 8;
/** Dimension names: lowercase ASCII identifiers of at most this many characters. */
export const MAX_DIMENSION_NAME_LENGTH = 32;
/** One attribute value, in UTF-8 bytes after NFC normalization. */
export const MAX_VALUE_BYTES = 128;
/** Values one policy may list in one dimension (also bounded by MAX_POLICY_TUPLES). */
export const MAX_VALUES_PER_DIMENSION = 256;
/**
 * Tuples one policy may allow: the product over dimensions of max(1, listed values). Equal to
 * the header entry cap, since the data key is wrapped once per tuple.
 */
export const MAX_POLICY_TUPLES = 256;
/**
 * Tuples one user key may hold: the product over dimensions of (values held + 1). Bounds the
 * key's size (32 bytes per tuple) and the per-record work of `unwrap` (one MAC per tuple).
 */
export const MAX_USER_TUPLES = 4096;
/** Policy or attribute text (JSON or CLI syntax) accepted by the parsers, in characters. */
export const MAX_POLICY_TEXT_LENGTH = 65_536;
/** The reserved value meaning "unconstrained" in a tuple and in policy strings. */
export const WILDCARD = '*';

// ---- Identifiers bound into headers and payloads ---------------------------------------------

/** Record id, in UTF-8 bytes. Non-empty. */
export const MAX_RECORD_ID_BYTES = 512;
/** Tenant name, in UTF-8 bytes. May be empty (the default tenant is ''). */
export const MAX_TENANT_BYTES = 256;
/** Collection name, in UTF-8 bytes. May be empty. */
export const MAX_COLLECTION_BYTES = 256;
/** Epochs are u32 in the header; 0 is never used so that a zeroed field is never valid. */
export const MIN_EPOCH = 1;
export const MAX_EPOCH = 0xffff_ffff;

// ---- Keys --------------------------------------------------------------------------------------

/** Master secret, epoch secrets, tuple keys and blind-index keys are all 32 bytes. */
export const SECRET_LENGTH = 32;

// ---- Header ------------------------------------------------------------------------------------

/** Random per-header nonce: salts every locator and is the escrow's XChaCha20 nonce. */
export const HEADER_NONCE_LENGTH = 24;
/** Per-entry keyed tag a reader looks entries up by (128 bits: no accidental collisions). */
export const LOCATOR_LENGTH = 16;
/** An entry's wrapped data key: 32-byte key + 16-byte Poly1305 tag. */
export const WRAPPED_KEY_LENGTH = DATA_KEY_LENGTH + 16;
export const ENTRY_LENGTH = LOCATOR_LENGTH + WRAPPED_KEY_LENGTH;
/** Entries per header: a power of two (the padding bucket) from 1 to this cap. */
export const MAX_HEADER_ENTRIES = MAX_POLICY_TUPLES;
/**
 * Smallest escrow plaintext bucket (data key + policy length + policy, zero padded). The escrow's
 * length reveals the canonical policy's length rounded up to a power of two; 256 bytes covers the
 * encoding overhead (about 80 bytes for three dimensions) plus several short values, so typical
 * policies all fall in the same bucket.
 */
export const MIN_ESCROW_PLAINTEXT = 256;
/**
 * Largest escrow plaintext bucket. Buckets are powers of two from MIN_ESCROW_PLAINTEXT; a
 * policy whose canonical encoding does not fit is InputTooLarge.
 */
export const MAX_ESCROW_PLAINTEXT = 32_768;
export const AEAD_TAG_LENGTH = 16;
/** Header MAC (HMAC-SHA256 truncated to 128 bits). */
export const HEADER_MAC_LENGTH = 16;
/** Fixed part of a header: version(1) epoch(4) nonce(24) entryCount(2) escrowLength(2) mac(16). */
export const HEADER_FIXED_LENGTH = 1 + 4 + HEADER_NONCE_LENGTH + 2 + 2 + HEADER_MAC_LENGTH;
/** Largest header a reader accepts; checked before anything else is parsed. */
export const MAX_HEADER_BYTES =
  HEADER_FIXED_LENGTH + MAX_HEADER_ENTRIES * ENTRY_LENGTH + MAX_ESCROW_PLAINTEXT + AEAD_TAG_LENGTH;

// ---- Sealed payload and exact vector ---------------------------------------------------------

/** XChaCha20-Poly1305 nonce of the sealed payload and sealed vector (random per record). */
export const SEAL_NONCE_LENGTH = 24;
/** The payload's JSON text, in UTF-8 bytes. */
export const MAX_PAYLOAD_BYTES = 1_048_576;
/** Largest plaintext vector dimension the sealed exact vector may hold (the cipher's own cap). */
export const MAX_VECTOR_DIMENSION = MAX_DIMENSION;
/** First byte of the sealed exact-vector plaintext: what follows. */
export const EXACT_VECTOR_F32 = 1;
export const EXACT_VECTOR_NORM = 2;

// ---- Vector ciphertext fields (the cipher's own lengths) -------------------------------------------

export const VECTOR_NONCE_LENGTH = NONCE_LENGTH;
export const VECTOR_TAG_LENGTH = TAG_LENGTH;
/** The writer's Ed25519 signature over a record (format v2, the `s` field). */
export const RECORD_SIGNATURE_LENGTH = 64;
/** The vector key id: 16 lowercase hex characters. */
export const KID_PATTERN = /^[0-9a-f]{16}$/;

// ---- Tokens ------------------------------------------------------------------------------------

/** Pre-filter token: HMAC-SHA256 truncated to 128 bits, 22 base64url characters. */
export const PREFILTER_TOKEN_BYTES = 16;
/**
 * Blind-index token: HMAC-SHA256 truncated to 96 bits, 16 base64url characters. The chance that
 * a given token matches a record holding a different value is 2^-96 per record (no false
 * positives in practice); shorter tokens would not hide more, since equal values always collide.
 */
export const BLIND_INDEX_TOKEN_BYTES = 12;
/** Blind-indexed fields per record. */
export const MAX_BLIND_INDEX_FIELDS = 32;
/** Tokens per blind-indexed field (one per distinct array element). */
export const MAX_BLIND_INDEX_VALUES = 64;
/** Field names: what Qdrant accepts as a plain key, without dots or brackets. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** A blind-indexed value: its canonical encoding, in UTF-8 bytes. */
export const MAX_BLIND_INDEX_VALUE_BYTES = 1024;

// ---- Stored record ---------------------------------------------------------------------------

/** Fields of the stored payload written by this version, in documentation order. */
export const STORED_FIELDS = ['sv', 'id', 'tnt', 'kid', 'ep', 'n', 't', 'h', 'p', 'x', 'pf', 'bi', 's'] as const;
/**
 * The fields a search candidate needs for the exact re-rank (format v2, lean path): no ciphertext
 * vector, payload or signature; those are fetched for the final k only.
 */
export const CANDIDATE_FIELDS = ['sv', 'id', 'tnt', 'kid', 'ep', 'n', 't', 'h', 'x', 'pf'] as const;
