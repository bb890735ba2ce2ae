/**
 * Pre-filter tokens: one deterministic token per (tuple, epoch, tenant, collection), stored in an
 * indexed payload field so the database returns only records a user can open and top-k stays
 * full under selective policies.
 *
 *   token = base64url(HMAC-SHA256(K_pf, lp("sealvec/prefilter/v1", collection))[0..16])
 *   K_pf  = HKDF(tuple key, "prefilter")            (tuple keys are per epoch and tenant)
 *
 * A record carries the tokens of its policy's tuples; a user key computes the tokens of its own
 * tuples; the filter is `match any`. Tokens are one-way functions of tuple keys: publishing a
 * user's token list (it is sent to the database with every query) reveals no tuple key.
 * Leakage, by design: records that share a tuple share a token, so the store sees which records
 * have a tuple in common, and which queries could open which records. It is not an access check:
 * the database is untrusted, and `open` is the boundary. The mode can be turned off (post-filter).
 */
import type { TupleMaterial } from '../authority/material.js';
import { lp } from '../format/lp.js';
import { userMaterial, writerTuple, type UserKey, type WriterKey } from '../authority/keys.js';
import { PREFILTER_TOKEN_BYTES } from '../format/constants.js';
import type { Policy } from '../policy/policy.js';
import { policyTuples, tupleId, type Tuple } from '../policy/tuples.js';
import { astring, toBase64url } from '../utils.js';

/** Characters of a pre-filter token (base64url of PREFILTER_TOKEN_BYTES). */
export const PREFILTER_TOKEN_LENGTH = Math.ceil((PREFILTER_TOKEN_BYTES * 4) / 3);

/** The token of one tuple in one collection (cached on the tuple's material). */
export function tupleToken(m: TupleMaterial, collection: string): string {
  let t = m.tokens.get(collection);
  if (t === undefined) {
    t = toBase64url(m.prefilter(lp('sealvec/prefilter/v1', collection)).subarray(0, PREFILTER_TOKEN_BYTES));
    m.tokens.set(collection, t);
  }
  return t;
}

/** The tokens a record sealed for `policy` carries (sorted, no padding). */
export function policyPrefilterTokens(writer: WriterKey, policy: Policy, collection = ''): string[] {
  astring(collection, 'collection');
  return policyTuples(policy)
    .map((t) => tupleToken(writerTuple(writer, t, tupleId(t)), collection))
    .sort();
}

/** The tokens to send with a user's queries: one per tuple the key holds (sorted). */
export function userPrefilterTokens(userKey: UserKey, collection = ''): string[] {
  astring(collection, 'collection');
  return userMaterial(userKey)
    .map((m) => tupleToken(m, collection))
    .sort();
}

/**
 * The `pf` field of a record: the tokens of its policy's tuples, padded with random tokens to the
 * header's entry count `n` (so the field's length says no more than the header's), sorted.
 * Padding is weak against frequency analysis: a random token appears on one record only, while
 * real tokens repeat across records. It hides the count on a single record, not across a store.
 */
export function recordPrefilterTokens(
  writer: WriterKey,
  tuples: readonly Tuple[],
  ids: readonly string[],
  n: number,
  collection: string,
  random: (n: number) => Uint8Array,
): string[] {
  const pf = tuples.map((t, i) => tupleToken(writerTuple(writer, t, ids[i] as string), collection));
  if (n > pf.length) {
    const pad = random((n - pf.length) * PREFILTER_TOKEN_BYTES);
    for (let i = 0; pf.length < n; i++) pf.push(toBase64url(pad.subarray(i * PREFILTER_TOKEN_BYTES, (i + 1) * PREFILTER_TOKEN_BYTES)));
  }
  return pf.sort();
}
