/**
 * Sealing records: vector ciphertext, policy header, sealed payload, sealed exact vector and
 * tokens, all from one fresh random 32-byte data key per record.
 *
 *   data key      32 random bytes; wrapped in the header for every tuple the policy allows
 *   vector        cipher.encrypt(x, { recordId, dataKey, collection }): noise seed and tag key
 *                 are derived from the data key inside the cipher
 *   payload (p)   XChaCha20-Poly1305(HKDF-Expand(data key, "record/payload"), 24-byte random nonce,
 *                 AAD = payload binding)(UTF-8 JSON)
 *   exact (x)     XChaCha20-Poly1305(HKDF-Expand(data key, "record/vector"), 24-byte random nonce,
 *                 AAD = exact-vector binding)(0x01 || float32 LE input)   [exactVector: true]
 *                 or (0x02 || float64 LE norm) for cosine with exactVector: false, since the
 *                 cipher only returns the unit vector; absent otherwise
 *   pf            pre-filter tokens of the policy's tuples, padded with random tokens to the
 *                 header's entry count, sorted                            [prefilter: true]
 *   bi            blind-index tokens of the configured payload fields     [blindIndex: [...]]
 * See binding.ts for what authenticates what.
 */
import { checkFieldNames } from '../authority/authority.js';
import { checkTenant, type WriterKey } from '../authority/keys.js';
import { InputTooLarge, SchemeMismatch } from '../errors.js';
import { checkJsonValue, type JsonValue } from '../format/json.js';
import {
  DATA_KEY_LENGTH,
  EXACT_VECTOR_F32,
  EXACT_VECTOR_NORM,
  FORMAT_VERSION,
  HEADER_NONCE_LENGTH,
  MAX_HEADER_ENTRIES,
  MAX_PAYLOAD_BYTES,
  SEAL_NONCE_LENGTH,
  VECTOR_NONCE_LENGTH,
} from '../format/constants.js';
import { checkBinding } from '../header/binding.js';
import { bucketOf, wrapChecked, type RandomSource } from '../header/wrap.js';
import { blindIndexTokens } from '../tokens/blind-index.js';
import { recordPrefilterTokens } from '../tokens/prefilter.js';
import { aint, concatBytes, randomBytes, utf8 } from '../utils.js';
import { float32Bytes, type VectorCipher } from '../vector/cipher.js';
import { primitives } from '#primitives';
import { blindIndexDigest, cleanRecordKeys, exactVectorAad, payloadAad, recordKeys, tokensDigest, type RecordScope } from './binding.js';
import { PolicyCache } from './policy-cache.js';
import type { SealedRecord, SealInput } from './types.js';

export interface SealerOptions {
  writer: WriterKey;
  cipher: VectorCipher;
  /** Collection the records are bound to. Default ''. */
  collection?: string;
  /** Store pre-filter tokens (`pf`). Default true; false = post-filter mode, no token leakage. */
  prefilter?: boolean;
  /** Top-level payload fields to blind-index (`bi`). Default none. */
  blindIndex?: readonly string[];
  /**
   * Seal the exact float32 input vector (`x`), so `open` returns it bit for bit. Default true.
   * Costs 4 * dimension + 41 bytes per record. When false, `open` returns the cipher's
   * decryption (exact up to float32 rounding), and cosine records keep only their norm.
   */
  exactVector?: boolean;
  /** Pad headers (and `pf`) to at least this many entries. Default 1. */
  minEntries?: number;
  /** TEST ONLY: deterministic randomness for known-answer vectors. Never in production. */
  testOnlyRandom?: RandomSource;
}

export interface Sealer {
  readonly collection: string;
  readonly tenant: string;
  readonly epoch: number;
  readonly kid: string;
  seal(input: SealInput): SealedRecord;
  /** Seals every input or throws on the first bad one (nothing is returned half-done). */
  sealBatch(inputs: readonly SealInput[]): SealedRecord[];
}

export function createSealer(options: SealerOptions): Sealer {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object');
  const { writer, cipher } = options;
  if (typeof writer !== 'object' || writer === null || writer.kind !== 'writer') throw new TypeError('"writer" expected a WriterKey');
  if (typeof cipher !== 'object' || cipher === null || typeof cipher.encrypt !== 'function') throw new TypeError('"cipher" expected a VectorCipher');
  const collection = checkBinding({ recordId: '-', collection: options.collection ?? '' }).collection;
  const tenant = checkTenant(cipher.tenant, 'cipher.tenant');
  if (writer.tenant !== tenant) {
    throw new SchemeMismatch(`the writer key is for tenant ${JSON.stringify(writer.tenant)}, the cipher for ${JSON.stringify(tenant)}`);
  }
  const prefilter = options.prefilter ?? true;
  const fields = checkFieldNames(options.blindIndex ?? [], 'blindIndex');
  const exactVector = options.exactVector ?? true;
  const minEntries = aint(options.minEntries ?? 1, 'minEntries', 1, MAX_HEADER_ENTRIES);
  const random = options.testOnlyRandom ?? randomBytes;
  const policies = new PolicyCache(writer.schema);
  const kid = cipher.kid;

  function seal(input: SealInput): SealedRecord {
    if (typeof input !== 'object' || input === null) throw new TypeError('"input" expected object');
    const b = checkBinding({ recordId: input.id, collection, tenant });
    const resolved = policies.resolve(input.policy);
    const payload: JsonValue = input.payload === undefined ? {} : input.payload;
    checkJsonValue(payload);
    const text = utf8(JSON.stringify(payload));
    if (text.length > MAX_PAYLOAD_BYTES) throw new InputTooLarge(`payload is ${text.length} bytes of JSON, above ${MAX_PAYLOAD_BYTES}`);
    const bi = fields.length > 0 ? blindIndexTokens(writer, payload, fields, collection) : undefined;
    const scope: RecordScope = { tenant, collection, recordId: b.recordId, kid };

    // All fixed-size randomness in one call: data key, vector, header, payload and x nonces.
    const rnd = random(DATA_KEY_LENGTH + VECTOR_NONCE_LENGTH + HEADER_NONCE_LENGTH + 2 * SEAL_NONCE_LENGTH);
    let o = 0;
    const take = (n: number) => rnd.subarray(o, (o += n));
    const dataKey = take(DATA_KEY_LENGTH);
    const vNonce = take(VECTOR_NONCE_LENGTH);
    const hNonce = take(HEADER_NONCE_LENGTH);
    const pNonce = take(SEAL_NONCE_LENGTH);
    const xNonce = take(SEAL_NONCE_LENGTH);
    const keys = recordKeys(dataKey);
    try {
      const ct = cipher.encrypt(input.vector, { recordId: b.recordId, dataKey, collection, nonce: vNonce });
      const n = bucketOf(resolved.tuples.length, minEntries);
      let pf: string[] | undefined;
      if (prefilter) {
        pf = recordPrefilterTokens(writer, resolved.tuples, resolved.ids, n, collection, random);
      }
      const { header } = wrapChecked(dataKey, resolved, writer, { ...b, associatedData: tokensDigest(pf) }, minEntries, random, keys.headerAuth, hNonce);

      let exactPlain: Uint8Array | undefined;
      if (exactVector) {
        const v = Float32Array.from(input.vector);
        exactPlain = concatBytes(Uint8Array.of(EXACT_VECTOR_F32), float32Bytes(v));
      } else if (cipher.metric === 'cosine') {
        let sum = 0;
        for (let i = 0; i < input.vector.length; i++) {
          const x = Math.fround(input.vector[i] as number);
          sum += x * x;
        }
        const plain = new Uint8Array(9);
        plain[0] = EXACT_VECTOR_NORM;
        new DataView(plain.buffer).setFloat64(1, Math.sqrt(sum), true);
        exactPlain = plain;
      }

      const sealedPayload = concatBytes(pNonce, primitives.xchacha20poly1305Seal(keys.payload, pNonce, text, payloadAad(scope, exactPlain !== undefined, blindIndexDigest(bi))));

      let exact: Uint8Array | undefined;
      if (exactPlain !== undefined) {
        exact = concatBytes(xNonce, primitives.xchacha20poly1305Seal(keys.vector, xNonce, exactPlain, exactVectorAad(scope, ct.nonce, ct.tag, ct.vector)));
        exactPlain.fill(0);
      }

      const rec: SealedRecord = {
        version: FORMAT_VERSION,
        id: b.recordId,
        tenant,
        kid: ct.kid,
        epoch: writer.epoch,
        vector: ct.vector,
        nonce: ct.nonce,
        tag: ct.tag,
        header,
        payload: sealedPayload,
      };
      if (exact !== undefined) rec.exact = exact;
      if (pf !== undefined) rec.prefilter = pf;
      if (bi !== undefined) rec.blindIndex = bi;
      return rec;
    } finally {
      cleanRecordKeys(keys);
      rnd.fill(0);
    }
  }

  return Object.freeze({
    collection,
    tenant,
    epoch: writer.epoch,
    kid,
    seal,
    sealBatch(inputs: readonly SealInput[]): SealedRecord[] {
      if (!Array.isArray(inputs)) throw new TypeError('"inputs" expected array');
      return inputs.map(seal);
    },
  });
}
