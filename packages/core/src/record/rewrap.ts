/**
 * Rewrap: moving a sealed record to a new epoch by replacing its header (and pre-filter tokens,
 * which are per epoch), leaving the vector, payload, exact vector and blind-index tokens as they
 * are. Their bindings do not include the epoch, so they stay valid. The record is re-signed by the
 * new epoch's writer, after its old signature is checked with the old one's: a record forged by a
 * reader is refused, never laundered into a genuine one. Format v1 records (no signature) are not
 * rewrapped: they are migrated by re-sealing (SealedCollection.rotateKey).
 *
 * Key material: the writer key of the record's current epoch (`from`) opens the header's escrow,
 * which holds the data key and the policy; the writer key of the new epoch (`to`) wraps them
 * again. Both must belong to the same authority and tenant. Neither the authority's master nor
 * any user key is needed, and no plaintext payload or vector is ever decrypted.
 */
import { checkTenant, verifyByWriter, writerSigning, type WriterKey } from '../authority/keys.js';
import { DecryptionFailed, Malformed, SchemeMismatch } from '../errors.js';
import { FORMAT_VERSION, MAX_HEADER_ENTRIES, READABLE_FORMAT_VERSIONS, RECORD_SIGNATURE_LENGTH } from '../format/constants.js';
import { checkBinding } from '../header/binding.js';
import { decodeHeader } from '../header/format.js';
import { bucketOf, openEscrowDecoded, wrapChecked, type RandomSource } from '../header/wrap.js';
import { sameSchema } from '../policy/schema.js';
import { recordPrefilterTokens } from '../tokens/prefilter.js';
import { aint, isBytes, randomBytes } from '../utils.js';
import { tokensDigest } from './binding.js';
import { recordDigest } from './signature.js';
import type { SealedRecord } from './types.js';

export interface RewrapOptions {
  /** Writer key of the records' current epoch. */
  from: WriterKey;
  /** Writer key of the new epoch. */
  to: WriterKey;
  /**
   * Collection the records were sealed for (required: unlike the sealer and the opener, which
   * default to their cipher's, a rewrapper has no cipher to take it from).
   */
  collection: string;
  /** Pad new headers to at least this many entries (never fewer than the old header had). */
  minEntries?: number;
  /** TEST ONLY: deterministic randomness for known-answer vectors. Never in production. */
  testOnlyRandom?: RandomSource;
}

export interface Rewrapper {
  /** A copy of `record` wrapped for the new epoch. Throws KeyNotFound if it is not at `from`'s epoch. */
  rewrap(record: SealedRecord): SealedRecord;
}

export function createRewrapper(options: RewrapOptions): Rewrapper {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object');
  const { from, to } = options;
  if (from?.kind !== 'writer' || to?.kind !== 'writer') throw new TypeError('"from" and "to" expected WriterKeys');
  if (from.authorityId !== to.authorityId || from.tenant !== to.tenant || !sameSchema(from.schema, to.schema)) {
    throw new SchemeMismatch('rewrap needs two writer keys of the same authority, schema and tenant');
  }
  // Records do not store their collection: a default would fail every record of any other
  // collection as DecryptionFailed, which reads like forgery. So the caller names it.
  if (typeof options.collection !== 'string') throw new TypeError('"collection" expected string: the collection the records were sealed for');
  const collection = checkBinding({ recordId: '-', collection: options.collection }).collection;
  const minEntries = aint(options.minEntries ?? 1, 'minEntries', 1, MAX_HEADER_ENTRIES);
  const random = options.testOnlyRandom ?? randomBytes;
  const signer = writerSigning(to);

  return Object.freeze({
    rewrap(record: SealedRecord): SealedRecord {
      if (typeof record !== 'object' || record === null) throw new TypeError('"record" expected a SealedRecord');
      if (!READABLE_FORMAT_VERSIONS.includes(record.version)) throw new Malformed(`record format version ${String(record.version)} is not supported`);
      if (record.version !== FORMAT_VERSION) {
        throw new SchemeMismatch(`format v${record.version} records are migrated by re-sealing them (rotateKey / sealvec rotate), not rewrapped`);
      }
      if (!isBytes(record.signature) || record.signature.length !== RECORD_SIGNATURE_LENGTH) throw new DecryptionFailed();
      const b = checkBinding({ recordId: record.id, collection, tenant: checkTenant(record.tenant) });
      const h = decodeHeader(record.header);
      if (h.epoch !== record.epoch) throw new DecryptionFailed();
      const { dataKey, resolved, authKey } = openEscrowDecoded(h, { ...b, associatedData: tokensDigest(record.prefilter) }, from);
      try {
        if (!verifyByWriter(from, recordDigest(record, collection), record.signature)) throw new DecryptionFailed();
        const min = Math.max(minEntries, h.entryCount);
        const n = bucketOf(resolved.tuples.length, min);
        let pf: string[] | undefined;
        if (record.prefilter !== undefined) {
          pf = recordPrefilterTokens(to, resolved.tuples, resolved.ids, n, collection, random);
        }
        const { header } = wrapChecked(dataKey, resolved, to, { ...b, associatedData: tokensDigest(pf) }, min, random, authKey);
        const out: SealedRecord = { ...record, epoch: to.epoch, header };
        if (pf !== undefined) out.prefilter = pf;
        out.signature = signer.sign(recordDigest(out, collection));
        return out;
      } finally {
        dataKey.fill(0);
      }
    },
  });
}

/** One-off form of `createRewrapper(options).rewrap(record)`. */
export function rewrapRecord(record: SealedRecord, options: RewrapOptions): SealedRecord {
  return createRewrapper(options).rewrap(record);
}
