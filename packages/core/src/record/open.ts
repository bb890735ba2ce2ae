/**
 * Opening sealed records with a user key: the exact vector and the payload, or one generic
 * DecryptionFailed for every way it can fail (no matching tuple, other epoch or tenant, edited
 * header, payload, token, tag, vector or signature, record moved to another id, collection or
 * tenant, forged by another reader). Malformed (structure), DimensionMismatch (a vector of the
 * wrong length) and InvalidKey (a v1 user key, which cannot check signatures) are the only other
 * errors, and they depend only on public structure or on the key itself.
 *
 * Format v2 records are checked against the writer's signature (signature.ts) with the writer
 * public key the user key carries; v1 records (read only, until migrated) have none, and are
 * authenticated against the store only.
 */
import { primitives } from '#primitives';
import { userMaterial, verifyByWriter, verifyForUser, type UserKey, type WriterKey } from '../authority/keys.js';
import { DecryptionFailed, DimensionMismatch, InvalidKey, Malformed } from '../errors.js';
import { AEAD_TAG_LENGTH, EXACT_VECTOR_F32, EXACT_VECTOR_NORM, READABLE_FORMAT_VERSIONS, RECORD_SIGNATURE_LENGTH, SEAL_NONCE_LENGTH } from '../format/constants.js';
import type { JsonValue } from '../format/json.js';
import { checkBinding, type CheckedBinding } from '../header/binding.js';
import { decodeHeader, type DecodedHeader } from '../header/format.js';
import { openEscrowDecoded, unwrapDecoded } from '../header/wrap.js';
import type { Policy } from '../policy/policy.js';
import { tupleToken } from '../tokens/prefilter.js';
import { fromUtf8, isBytes } from '../utils.js';
import type { VectorCipher } from '../vector/cipher.js';
import { blindIndexDigest, cleanRecordKeys, exactVectorAad, exactVectorKey, payloadAad, recordKeys, tokensDigest, type RecordScope } from './binding.js';

const EMPTY = new Uint8Array(0);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
import { recordDigest } from './signature.js';
import type { CandidateRecord, OpenedRecord, SealedRecord } from './types.js';

export interface OpenOptions {
  /**
   * Recover the vector too (default true). With false only the header, tokens, signature and
   * payload are checked and decrypted: cheaper when only payloads are needed.
   */
  vector?: boolean;
}

export interface OpenerOptions {
  /** The vector cipher of the records' key id, tenant and collection (v2 for v2 records, v1 for v1). */
  cipher: VectorCipher;
  /** Collection the records were sealed for. Default: the cipher's (v2); '' (v1). */
  collection?: string;
}

export interface Opener {
  readonly collection: string;
  /** The record format this opener reads (its cipher's version). */
  readonly version: number;
  open(record: SealedRecord, userKey: UserKey, options?: OpenOptions): OpenedRecord;
  /** Opens with the writer key of the record's epoch (for re-encryption); also returns the policy. */
  openWithWriter(record: SealedRecord, writer: WriterKey): OpenedRecord & { policy: Policy };
  /** Like `open`, but null instead of DecryptionFailed (for filtering search candidates). */
  tryOpen(record: SealedRecord, userKey: UserKey, options?: OpenOptions): OpenedRecord | null;
  /**
   * The exact vector of a search candidate (v2 records with a sealed exact vector): one header
   * unwrap (without the header MAC), one AEAD, no signature check. Null when this key cannot
   * open it, or when the record keeps only a norm (cosine with exactVector false). For
   * ranking only: a candidate's vector or score is never returned to a caller before its full
   * record is fetched and opened with `open` (which checks the writer's signature).
   */
  candidateVector(candidate: CandidateRecord, userKey: UserKey): Float32Array | null;
}

function splitSealed(b: Uint8Array): [Uint8Array, Uint8Array] {
  if (!isBytes(b) || b.length < SEAL_NONCE_LENGTH + AEAD_TAG_LENGTH) throw new Malformed('sealed field is too short');
  return [b.subarray(0, SEAL_NONCE_LENGTH), b.subarray(SEAL_NONCE_LENGTH)];
}

export function createOpener(options: OpenerOptions): Opener {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object');
  const { cipher } = options;
  if (typeof cipher !== 'object' || cipher === null || typeof cipher.decrypt !== 'function') throw new TypeError('"cipher" expected a VectorCipher');
  const version = cipher.version;
  const collection = checkBinding({ recordId: '-', collection: options.collection ?? (version === 2 ? cipher.collection : '') }).collection;
  if (version === 2 && collection !== cipher.collection) {
    throw new TypeError(`"collection" expected the cipher's collection ${JSON.stringify(cipher.collection)}, got ${JSON.stringify(collection)}`);
  }

  /** The user's tuples whose pre-filter token the record carries: tried first (public information). */
  function preferred(prefilter: readonly string[] | undefined, userKey: UserKey): Set<string> | undefined {
    if (prefilter === undefined) return undefined;
    const have = new Set(prefilter);
    const ids = new Set<string>();
    for (const m of userMaterial(userKey)) if (have.has(tupleToken(m, collection))) ids.add(m.id);
    return ids;
  }

  function checkUser(userKey: UserKey): void {
    if (typeof userKey !== 'object' || userKey === null || userKey.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    // A property of the key alone, checked before any record is touched: not an oracle.
    if (version === 2 && userKey.writerPublicKey === null) {
      throw new InvalidKey('this user key predates writer signatures (key format v1) and cannot check v2 records; issue it again');
    }
  }

  /** Structural checks shared by every way of opening; returns what the crypto needs. */
  function prepare(record: SealedRecord | CandidateRecord): { b: CheckedBinding; h: DecodedHeader } {
    if (typeof record !== 'object' || record === null) throw new TypeError('"record" expected a SealedRecord');
    if (!READABLE_FORMAT_VERSIONS.includes(record.version)) throw new Malformed(`record format version ${String(record.version)} is not supported`);
    const b = checkBinding({ recordId: record.id, collection, tenant: record.tenant });
    const h = decodeHeader(record.header);
    // Routing mismatches are public, but answering them differently from a failed check would
    // tell an attacker which field they edited: every one of them is the same denial. A record
    // of another format than this opener's cipher is one of them.
    if (record.version !== version || record.kid !== cipher.kid || record.tenant !== cipher.tenant || record.epoch !== h.epoch) throw new DecryptionFailed();
    if (version === 2 && h.version !== 2) throw new DecryptionFailed();
    return { b, h };
  }

  function prepareFull(record: SealedRecord) {
    const p = prepare(record);
    if (!(record.vector instanceof Float32Array)) throw new Malformed('record vector must be a Float32Array');
    if (record.vector.length !== cipher.storedDimension) {
      throw new DimensionMismatch(`record vector has dimension ${record.vector.length}, expected ${cipher.storedDimension}`);
    }
    const sealedPayload = splitSealed(record.payload);
    const x = record.exact === undefined ? undefined : splitSealed(record.exact);
    if (version === 2) {
      if (!isBytes(record.signature) || record.signature.length !== RECORD_SIGNATURE_LENGTH) throw new DecryptionFailed();
    }
    return { ...p, sealedPayload, x };
  }

  /** Decrypts payload (and vector) under an unwrapped data key; zeroizes the key. */
  function withDataKey(record: SealedRecord, dataKey: Uint8Array, prep: ReturnType<typeof prepareFull>, opts: OpenOptions): OpenedRecord {
    const { b, sealedPayload, x } = prep;
    const [pNonce, pCt] = sealedPayload;
    const keys = recordKeys(dataKey);
    try {
      const scope: RecordScope = { tenant: b.tenant, collection, recordId: b.recordId, kid: record.kid };
      const text = primitives.xchacha20poly1305Open(keys.payload, pNonce, pCt, payloadAad(scope, x !== undefined, blindIndexDigest(record.blindIndex), version));
      if (text === null) throw new DecryptionFailed();
      let payload: JsonValue;
      try {
        payload = JSON.parse(fromUtf8(text, 'payload')) as JsonValue;
      } catch {
        // Authentic but not JSON: cannot come from this library; the same generic error.
        throw new DecryptionFailed();
      }
      if (opts.vector === false) return { id: record.id, vector: undefined, payload };
      return { id: record.id, vector: recoverVector(record, x, dataKey, keys.vector, scope), payload };
    } finally {
      cleanRecordKeys(keys);
      dataKey.fill(0);
    }
  }

  function open(record: SealedRecord, userKey: UserKey, opts: OpenOptions = {}): OpenedRecord {
    checkUser(userKey);
    const prep = prepareFull(record);
    const dataKey = unwrapDecoded(prep.h, { ...prep.b, associatedData: tokensDigest(record.prefilter) }, userKey, {
      prefer: preferred(record.prefilter, userKey) ?? new Set(),
    });
    if (dataKey === null) throw new DecryptionFailed();
    // The signature last: only a key that opens the record learns anything from it failing, and
    // such a key could have forged the rest itself.
    if (version === 2 && !verifyForUser(userKey, recordDigest(record, collection), record.signature!)) {
      dataKey.fill(0);
      throw new DecryptionFailed();
    }
    return withDataKey(record, dataKey, prep, opts);
  }

  /**
   * Opens a record with the writer key of its epoch (through the header's escrow) and returns its
   * policy as well: what re-encrypting under a new vector key needs. The writer already sees
   * plaintext at ingest, so this gives it nothing new. v2 records must carry this writer's
   * signature, so a record forged by a reader is never re-sealed as genuine.
   */
  function openWithWriter(record: SealedRecord, writer: WriterKey): OpenedRecord & { policy: Policy } {
    if (typeof writer !== 'object' || writer === null || writer.kind !== 'writer') throw new TypeError('"writer" expected a WriterKey');
    const prep = prepareFull(record);
    const { dataKey, policy } = openEscrowDecoded(prep.h, { ...prep.b, associatedData: tokensDigest(record.prefilter) }, writer);
    if (version === 2 && !verifyByWriter(writer, recordDigest(record, collection), record.signature!)) {
      dataKey.fill(0);
      throw new DecryptionFailed();
    }
    return { ...withDataKey(record, dataKey, prep, {}), policy };
  }

  function candidateVector(c: CandidateRecord, userKey: UserKey): Float32Array | null {
    checkUser(userKey);
    if (version !== 2) throw new TypeError('candidateVector reads format v2 records only');
    let dataKey: Uint8Array | null = null;
    try {
      const { b, h } = prepare(c);
      const [xNonce, xCt] = splitSealed(c.exact);
      dataKey = unwrapDecoded(h, { ...b, associatedData: EMPTY }, userKey, { prefer: preferred(c.prefilter, userKey) ?? new Set(), verifyMac: false });
      if (dataKey === null) return null;
      const xKey = exactVectorKey(dataKey);
      try {
        const scope: RecordScope = { tenant: b.tenant, collection, recordId: b.recordId, kid: c.kid };
        const plain = primitives.xchacha20poly1305Open(xKey, xNonce, xCt, exactVectorAad(scope, c.nonce, c.tag, version));
        if (plain === null) return null;
        try {
          return exactFloat32(plain);
        } finally {
          plain.fill(0);
        }
      } finally {
        xKey.fill(0);
      }
    } catch (e) {
      if (e instanceof DecryptionFailed) return null;
      throw e;
    } finally {
      dataKey?.fill(0);
    }
  }

  /** The float32 vector of a sealed exact-vector plaintext (0x01 || float32 LE), else DecryptionFailed. */
  function exactFloat32(plain: Uint8Array): Float32Array {
    const d = cipher.dimension;
    if (plain[0] !== EXACT_VECTOR_F32 || plain.length !== 1 + 4 * d) throw new DecryptionFailed();
    // The stored bytes are little-endian; on a little-endian machine (every platform Node runs
    // on) one copy is the conversion.
    if (LITTLE_ENDIAN) return new Float32Array(plain.slice(1).buffer);
    const dv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    const out = new Float32Array(d);
    for (let i = 0; i < d; i++) out[i] = dv.getFloat32(1 + 4 * i, true);
    return out;
  }

  function recoverVector(record: SealedRecord, x: [Uint8Array, Uint8Array] | undefined, dataKey: Uint8Array, xKey: Uint8Array, scope: RecordScope): Float32Array {
    const ct = { kid: record.kid, nonce: record.nonce, tag: record.tag, vector: record.vector };
    const binding = version === 2 ? { recordId: record.id, dataKey } : { recordId: record.id, dataKey, collection };
    if (x === undefined) {
      // Cosine records are always sealed with x (the cipher alone cannot give back the norm).
      if (cipher.metric === 'cosine') throw new DecryptionFailed();
      return cipher.decrypt(ct, binding);
    }
    const plain = primitives.xchacha20poly1305Open(xKey, x[0], x[1], exactVectorAad(scope, record.nonce, record.tag, version, record.vector));
    if (plain === null) throw new DecryptionFailed();
    try {
      if (plain[0] === EXACT_VECTOR_F32) return exactFloat32(plain);
      if (plain[0] === EXACT_VECTOR_NORM && plain.length === 9 && cipher.metric === 'cosine') {
        const norm = new DataView(plain.buffer, plain.byteOffset, plain.byteLength).getFloat64(1, true);
        const unit = cipher.decrypt(ct, binding);
        for (let i = 0; i < unit.length; i++) unit[i] = (unit[i] as number) * norm;
        return unit;
      }
      // Authentic but not what this cipher expects (e.g. another dimension): same denial.
      throw new DecryptionFailed();
    } finally {
      plain.fill(0);
    }
  }

  return Object.freeze({
    collection,
    version,
    open,
    openWithWriter,
    candidateVector,
    tryOpen(record: SealedRecord, userKey: UserKey, opts?: OpenOptions): OpenedRecord | null {
      try {
        return open(record, userKey, opts);
      } catch (e) {
        if (e instanceof DecryptionFailed) return null;
        throw e;
      }
    },
  });
}
