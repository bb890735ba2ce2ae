/**
 * Blind-index tokens: keyed, truncated, deterministic tokens of chosen payload fields, so the
 * database can run equality filters on encrypted payloads.
 *
 *   token = base64url(HMAC-SHA256(K_field, lp("sealvec/blind-index/v1", collection, field, v))[0..12])
 *   K_field = HKDF(blind-index root of the tenant, "blind-index", field)
 *   v       = the canonical encoding of the value (see `canonicalIndexValue`)
 *
 * Keys do not depend on the epoch, so tokens survive rotation and rewrap. Writers derive any
 * field's key; users hold the keys of the fields they were issued. Neither can derive a tuple key
 * from them.
 * Truncation: 96 bits. A query token matches a record holding a different value with probability
 * 2^-96 per record, so false positives do not happen in practice.
 * Leakage, by design: equal values (in one field, tenant and collection) have equal tokens, so
 * the store sees which records share a value, its frequency, and which records a filtered query
 * matched. Anyone holding a field key can test any guessed value against every record of the
 * tenant, including records they cannot open. Low-entropy fields are therefore only as private as
 * their field keys. Index only what needs it.
 */
import { lp } from '../format/lp.js';
import { fieldKeyOf, type UserKey, type WriterKey } from '../authority/keys.js';
import { KeyNotFound, Malformed } from '../errors.js';
import { BLIND_INDEX_TOKEN_BYTES, MAX_BLIND_INDEX_VALUE_BYTES, MAX_BLIND_INDEX_VALUES } from '../format/constants.js';
import { primitives } from '#primitives';
import { astring, concatBytes, isWellFormed, toBase64url, utf8 } from '../utils.js';

export type IndexValue = string | number | boolean;

/** Characters of a blind-index token. */
export const BLIND_INDEX_TOKEN_LENGTH = Math.ceil((BLIND_INDEX_TOKEN_BYTES * 4) / 3);

/**
 * One encoding per value, with its type: strings are NFC-normalized ("s" + UTF-8), numbers use
 * the shortest round-trip decimal of the float64 with -0 as 0 ("n" + text), booleans "b1"/"b0".
 * A string with a lone surrogate is Malformed, on the record side and the query side alike.
 * So `"1"`, `1` and `true` never collide, and `1` and `1.0` (the same number) always do.
 */
export function canonicalIndexValue(value: unknown, what = 'value'): Uint8Array {
  let out: Uint8Array;
  if (typeof value === 'string') {
    // UTF-8 turns a lone surrogate into U+FFFD: the token would match records holding that instead.
    if (!isWellFormed(value)) throw new Malformed(`${what} is not well-formed Unicode (it has a lone surrogate)`);
    out = concatBytes(utf8('s'), utf8(value.normalize('NFC')));
  }
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Malformed(`${what} is not a finite number`);
    out = utf8(`n${Object.is(value, -0) ? 0 : value}`);
  } else if (typeof value === 'boolean') out = utf8(value ? 'b1' : 'b0');
  else throw new Malformed(`${what} must be a string, number or boolean to be blind-indexed`);
  if (out.length > MAX_BLIND_INDEX_VALUE_BYTES) throw new Malformed(`${what} is longer than ${MAX_BLIND_INDEX_VALUE_BYTES} bytes`);
  return out;
}

function fieldKey(key: WriterKey | UserKey, field: string): Uint8Array {
  const k = fieldKeyOf(key, field);
  if (k === undefined) throw new KeyNotFound(`this key holds no blind-index key for field ${JSON.stringify(field)}`);
  return k;
}

function token(k: Uint8Array, collection: string, field: string, v: Uint8Array): string {
  const mac = primitives.hmacSha256(k, lp('sealvec/blind-index/v1', collection, field, v));
  return toBase64url(mac.subarray(0, BLIND_INDEX_TOKEN_BYTES));
}

/** The token to filter on for `field == value` (also what a record holding `value` stores). */
export function blindIndexToken(key: WriterKey | UserKey, field: string, value: IndexValue, collection = ''): string {
  astring(field, 'field');
  astring(collection, 'collection');
  return token(fieldKey(key, field), collection, field, canonicalIndexValue(value, `blind-index value of "${field}"`));
}

/**
 * The tokens a record stores for each indexed field present in its payload: one per distinct
 * scalar (an array field gets one token per distinct element, sorted, so any element matches).
 * Absent and null fields get no entry.
 */
export function blindIndexTokens(writer: WriterKey, payload: unknown, fields: readonly string[], collection = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (fields.length === 0) return out;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new Malformed('blind-indexed payloads must be JSON objects');
  }
  for (const field of fields) {
    if (!Object.prototype.hasOwnProperty.call(payload, field)) continue;
    const raw = (payload as Record<string, unknown>)[field];
    if (raw === null || raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > MAX_BLIND_INDEX_VALUES) {
      throw new Malformed(`blind-indexed field "${field}" has ${values.length} values, above ${MAX_BLIND_INDEX_VALUES}`);
    }
    const k = fieldKey(writer, field);
    const set = new Set<string>();
    values.forEach((v, i) => set.add(token(k, collection, field, canonicalIndexValue(v, `payload.${field}[${i}]`))));
    if (set.size > 0) out[field] = [...set].sort();
  }
  return out;
}
