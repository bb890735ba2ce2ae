/**
 * What a header is bound to: the record id, collection and tenant it was sealed for, plus (taken
 * from the header itself) the format version, epoch and nonce. Every locator, wrapped key, escrow
 * and the header MAC use these bytes as input or associated data, so a header moved to another
 * record, collection or tenant, or edited to claim another epoch, fails to unwrap.
 */
import { lp } from '../format/lp.js';
import { MAX_COLLECTION_BYTES, MAX_RECORD_ID_BYTES } from '../format/constants.js';
import { checkTenant } from '../authority/keys.js';
import { abytes, astring, isWellFormed, utf8Length } from '../utils.js';

const EMPTY = new Uint8Array(0);

export interface RecordBinding {
  recordId: string;
  /** Default ''. */
  collection?: string;
  /** Default ''. */
  tenant?: string;
  /**
   * Extra bytes the header MAC authenticates (not stored in the header). The record layer passes
   * a digest of the record's pre-filter tokens, so they change together with the header on rewrap
   * and cannot be edited on their own. Default empty.
   */
  associatedData?: Uint8Array;
}

export interface CheckedBinding {
  recordId: string;
  collection: string;
  tenant: string;
  associatedData: Uint8Array;
}

/** A string with a lone surrogate encodes to the same UTF-8 as another string (U+FFFD): refused. */
export function checkWellFormed(s: string, name: string): string {
  if (!isWellFormed(s)) throw new RangeError(`"${name}" is not well-formed Unicode (it has a lone surrogate)`);
  return s;
}

export function checkBinding(b: RecordBinding): CheckedBinding {
  if (typeof b !== 'object' || b === null) throw new TypeError('"binding" expected object');
  const recordId = checkWellFormed(astring(b.recordId, 'recordId'), 'recordId');
  const idBytes = utf8Length(recordId);
  if (idBytes === 0 || idBytes > MAX_RECORD_ID_BYTES) {
    throw new RangeError(`"recordId" expected 1 to ${MAX_RECORD_ID_BYTES} UTF-8 bytes, got ${idBytes}`);
  }
  const collection = checkWellFormed(astring(b.collection ?? '', 'collection'), 'collection');
  const cBytes = utf8Length(collection);
  if (cBytes > MAX_COLLECTION_BYTES) throw new RangeError(`"collection" expected at most ${MAX_COLLECTION_BYTES} UTF-8 bytes, got ${cBytes}`);
  const associatedData = b.associatedData === undefined ? EMPTY : abytes(b.associatedData, 'associatedData');
  return { recordId, collection, tenant: checkTenant(b.tenant ?? ''), associatedData };
}

/** lp("sealvec/header", version, tenant, collection, recordId, epoch, nonce). */
export function headerContext(b: CheckedBinding, version: number, epoch: number, nonce: Uint8Array): Uint8Array {
  return lp('sealvec/header', String(version), b.tenant, b.collection, b.recordId, String(epoch), nonce);
}
