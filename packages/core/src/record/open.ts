/**
 * Opening sealed records with a user key: the exact vector and the payload, or one generic
 * DecryptionFailed for every way it can fail (no matching tuple, other epoch or tenant, edited
 * header, payload, token, tag or vector, record moved to another id, collection or tenant).
 * Malformed (structure) and DimensionMismatch (a vector of the wrong length) are the only other
 * errors, and they depend only on public structure.
 */
import { primitives } from '#primitives';
import { userMaterial, type UserKey, type WriterKey } from '../authority/keys.js';
import { DecryptionFailed, DimensionMismatch, Malformed } from '../errors.js';
import { AEAD_TAG_LENGTH, EXACT_VECTOR_F32, EXACT_VECTOR_NORM, FORMAT_VERSION, SEAL_NONCE_LENGTH } from '../format/constants.js';
import type { JsonValue } from '../format/json.js';
import { checkBinding } from '../header/binding.js';
import { decodeHeader } from '../header/format.js';
import { openEscrowDecoded, unwrapDecoded } from '../header/wrap.js';
import type { Policy } from '../policy/policy.js';
import { tupleToken } from '../tokens/prefilter.js';
import { fromUtf8, isBytes } from '../utils.js';
import type { VectorCipher } from '../vector/cipher.js';
import { blindIndexDigest, cleanRecordKeys, exactVectorAad, payloadAad, recordKeys, tokensDigest, type RecordScope } from './binding.js';
import type { OpenedRecord, SealedRecord } from './types.js';

export interface OpenOptions {
  /**
   * Recover the vector too (default true). With false only the header, tokens and payload are
   * checked and decrypted: cheaper when only payloads are needed, but an edited ciphertext
   * vector is then not noticed.
   */
  vector?: boolean;
}

export interface OpenerOptions {
  /** The vector cipher of the record's key id and tenant. */
  cipher: VectorCipher;
  /** Collection the records were sealed for. Default ''. */
  collection?: string;
}

export interface Opener {
  readonly collection: string;
  open(record: SealedRecord, userKey: UserKey, options?: OpenOptions): OpenedRecord;
  /** Opens with the writer key of the record's epoch (for re-encryption); also returns the policy. */
  openWithWriter(record: SealedRecord, writer: WriterKey): OpenedRecord & { policy: Policy };
  /** Like `open`, but null instead of DecryptionFailed (for filtering search candidates). */
  tryOpen(record: SealedRecord, userKey: UserKey, options?: OpenOptions): OpenedRecord | null;
}

function splitSealed(b: Uint8Array): [Uint8Array, Uint8Array] {
  if (!isBytes(b) || b.length < SEAL_NONCE_LENGTH + AEAD_TAG_LENGTH) throw new Malformed('sealed field is too short');
  return [b.subarray(0, SEAL_NONCE_LENGTH), b.subarray(SEAL_NONCE_LENGTH)];
}

export function createOpener(options: OpenerOptions): Opener {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object');
  const { cipher } = options;
  if (typeof cipher !== 'object' || cipher === null || typeof cipher.decrypt !== 'function') throw new TypeError('"cipher" expected a VectorCipher');
  const collection = checkBinding({ recordId: '-', collection: options.collection ?? '' }).collection;

  function preferred(record: SealedRecord, userKey: UserKey): Set<string> | undefined {
    if (record.prefilter === undefined) return undefined;
    const have = new Set(record.prefilter);
    const ids = new Set<string>();
    for (const m of userMaterial(userKey)) if (have.has(tupleToken(m, collection))) ids.add(m.id);
    return ids;
  }

  /** Structural checks shared by both ways of opening; returns what the crypto needs. */
  function prepare(record: SealedRecord) {
    if (typeof record !== 'object' || record === null) throw new TypeError('"record" expected a SealedRecord');
    if (record.version !== FORMAT_VERSION) throw new Malformed(`record format version ${String(record.version)} is not supported`);
    const b = checkBinding({ recordId: record.id, collection, tenant: record.tenant });
    if (!(record.vector instanceof Float32Array)) throw new Malformed('record vector must be a Float32Array');
    if (record.vector.length !== cipher.storedDimension) {
      throw new DimensionMismatch(`record vector has dimension ${record.vector.length}, expected ${cipher.storedDimension}`);
    }
    const sealedPayload = splitSealed(record.payload);
    const x = record.exact === undefined ? undefined : splitSealed(record.exact);
    const h = decodeHeader(record.header);
    // Routing mismatches are public, but answering them differently from a failed check would
    // tell an attacker which field they edited: every one of them is the same denial.
    if (record.kid !== cipher.kid || record.tenant !== cipher.tenant || record.epoch !== h.epoch) throw new DecryptionFailed();
    return { b, h, sealedPayload, x };
  }

  /** Decrypts payload (and vector) under an unwrapped data key; zeroizes the key. */
  function withDataKey(record: SealedRecord, dataKey: Uint8Array, prep: ReturnType<typeof prepare>, opts: OpenOptions): OpenedRecord {
    const { b, sealedPayload, x } = prep;
    const [pNonce, pCt] = sealedPayload;
    const keys = recordKeys(dataKey);
    try {
      const scope: RecordScope = { tenant: b.tenant, collection, recordId: b.recordId, kid: record.kid };
      let payload: JsonValue;
      const text = primitives.xchacha20poly1305Open(keys.payload, pNonce, pCt, payloadAad(scope, x !== undefined, blindIndexDigest(record.blindIndex)));
      if (text === null) throw new DecryptionFailed();
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
    if (typeof userKey !== 'object' || userKey === null || userKey.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    const prep = prepare(record);
    const dataKey = unwrapDecoded(prep.h, { ...prep.b, associatedData: tokensDigest(record.prefilter) }, userKey, { prefer: preferred(record, userKey) ?? new Set() });
    if (dataKey === null) throw new DecryptionFailed();
    return withDataKey(record, dataKey, prep, opts);
  }

  /**
   * Opens a record with the writer key of its epoch (through the header's escrow) and returns its
   * policy as well: what re-encrypting under a new vector key needs. The writer already sees
   * plaintext at ingest, so this gives it nothing new.
   */
  function openWithWriter(record: SealedRecord, writer: WriterKey): OpenedRecord & { policy: Policy } {
    if (typeof writer !== 'object' || writer === null || writer.kind !== 'writer') throw new TypeError('"writer" expected a WriterKey');
    const prep = prepare(record);
    const { dataKey, policy } = openEscrowDecoded(prep.h, { ...prep.b, associatedData: tokensDigest(record.prefilter) }, writer);
    return { ...withDataKey(record, dataKey, prep, {}), policy };
  }

  function recoverVector(record: SealedRecord, x: [Uint8Array, Uint8Array] | undefined, dataKey: Uint8Array, xKey: Uint8Array, scope: RecordScope): Float32Array {
    const ct = { kid: record.kid, nonce: record.nonce, tag: record.tag, vector: record.vector };
    const binding = { recordId: record.id, dataKey, collection };
    if (x === undefined) {
      // Cosine records are always sealed with x (the cipher alone cannot give back the norm).
      if (cipher.metric === 'cosine') throw new DecryptionFailed();
      return cipher.decrypt(ct, binding);
    }
    const plain = primitives.xchacha20poly1305Open(xKey, x[0], x[1], exactVectorAad(scope, record.nonce, record.tag, record.vector));
    if (plain === null) throw new DecryptionFailed();
    try {
      const d = cipher.dimension;
      if (plain[0] === EXACT_VECTOR_F32 && plain.length === 1 + 4 * d) {
        const dv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
        const out = new Float32Array(d);
        for (let i = 0; i < d; i++) out[i] = dv.getFloat32(1 + 4 * i, true);
        return out;
      }
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
    open,
    openWithWriter,
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
