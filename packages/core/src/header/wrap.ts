/**
 * Wrapping a record's data key for a policy, and unwrapping it with a user key.
 *
 * Sealing (writer key of epoch e, tenant T; binding B = record id, collection, tenant):
 *   nonce   = 24 random bytes;  ctx = lp("sealvec/header", version, T, collection, id, e, nonce)
 *   for each tuple t the policy allows (tuple key K_t):
 *     h_t      = HMAC(HKDF(K_t, "header-locator"), ctx)              (32 bytes)
 *     locator  = h_t[0..16]
 *     wrapped  = XChaCha20-Poly1305(HKDF(K_t, "header-wrap"), nonce = h_t[0..24], aad = ctx)(data key)
 *   dummies   = random (locator, wrapped) pairs up to the bucket (a power of two >= minEntries)
 *   escrow    = XChaCha20-Poly1305(HKDF(epoch secret, "header-escrow"), nonce, aad = ctx)
 *                 (data key || u16 policy length || canonical policy || zero padding to a bucket)
 *   mac       = HMAC(HKDF-Expand(data key, "header-auth"), lp(ctx, associated data) || header bytes before the mac)[0..16]
 *
 * Unwrapping (user key of epoch e, tenant T): for each tuple the key holds, compute h_t, look the
 * locator up among the entries (binary search over the sorted locators, not trial decryption of
 * every entry), open the entry,
 * then check the header MAC under the recovered key. One MAC per user tuple, one AEAD per match.
 * It returns the data key, or null when the key does not apply for any reason (no entry, other
 * epoch or tenant, failed AEAD, failed MAC): the same answer for "not for me" and "tampered", so
 * there is no oracle. It throws only for structurally malformed headers.
 *
 * The escrow lets a writer key of the header's epoch recover the data key and the policy without
 * knowing the policy in advance, which is what rewrap needs (the policy is hidden from the store,
 * and a writer cannot guess it from an unbounded value space).
 */
import { lp } from '../format/lp.js';
import { primitives } from '#primitives';
import type { KeyedHmac } from '../primitives/api.js';
import { userMaterial, writerSecrets, writerTuple, type UserKey, type WriterKey } from '../authority/keys.js';
import type { TupleMaterial } from '../authority/material.js';
import { DecryptionFailed, InputTooLarge, KeyNotFound, SchemeMismatch } from '../errors.js';
import {
  DATA_KEY_LENGTH,
  ENTRY_LENGTH,
  HEADER_MAC_LENGTH,
  HEADER_NONCE_LENGTH,
  HEADER_VERSION,
  LOCATOR_LENGTH,
  MAX_ESCROW_PLAINTEXT,
  MAX_HEADER_ENTRIES,
  MIN_ESCROW_PLAINTEXT,
} from '../format/constants.js';
import { expanderFrom, LABELS } from '../kdf.js';
import { decodePolicy, encodePolicy, type Policy } from '../policy/policy.js';
import { sameSchema, type PolicySchema } from '../policy/schema.js';
import { policyTuples, tupleId, type Tuple } from '../policy/tuples.js';
import { abytes, aint, concatBytes, equalBytes, randomBytes } from '../utils.js';
import { checkBinding, headerContext, type CheckedBinding, type RecordBinding } from './binding.js';
import { compareLocators, decodeHeader, encodeHeaderBody, locatorAt, wrappedAt, type DecodedHeader } from './format.js';

/** A source of random bytes. The default is the platform CSPRNG; see `testOnlyRandom`. */
export type RandomSource = (n: number) => Uint8Array;

export interface WrapOptions {
  /** Pad to at least this many entries (rounded up to a power of two). Default 1. */
  minEntries?: number;
  /**
   * TEST ONLY: a deterministic random source, for known-answer vectors. Never set it in
   * production: a repeated nonce or data key breaks every guarantee.
   */
  testOnlyRandom?: RandomSource;
}

/** Smallest power of two >= max(n, min). */
export function bucketOf(n: number, min = 1): number {
  let b = 1;
  while (b < n || b < min) b *= 2;
  return b;
}

function entryMac(m: TupleMaterial, ctx: Uint8Array): Uint8Array {
  return m.locator(ctx);
}

/** The header MAC key of a data key: HKDF-Expand only (the data key is uniformly random, RFC 5869 3.3). */
export function headerAuthKey(dataKey: Uint8Array): Uint8Array {
  const kdf = expanderFrom(dataKey);
  const k = kdf.derive(LABELS.headerAuth);
  kdf.destroy();
  return k;
}

/** The header MAC key: raw bytes, or a keyed HMAC made from them. */
export type HeaderAuth = Uint8Array | KeyedHmac;

function headerMac(auth: HeaderAuth, ctx: Uint8Array, ad: Uint8Array, body: Uint8Array): Uint8Array {
  const parts = [lp(ctx, ad), body];
  const mac = auth instanceof Uint8Array ? primitives.hmacSha256(auth, ...parts) : auth(...parts);
  return mac.slice(0, HEADER_MAC_LENGTH);
}

function escrowPlaintext(dataKey: Uint8Array, resolved: PolicyTuples): Uint8Array {
  const p = (resolved.encoded ??= encodePolicy(resolved.policy));
  const need = DATA_KEY_LENGTH + 2 + p.length;
  if (need > MAX_ESCROW_PLAINTEXT) {
    throw new InputTooLarge(`the policy's canonical encoding is ${p.length} bytes, above the escrow's ${MAX_ESCROW_PLAINTEXT - DATA_KEY_LENGTH - 2}`);
  }
  const out = new Uint8Array(bucketOf(need, MIN_ESCROW_PLAINTEXT));
  out.set(dataKey, 0);
  out[DATA_KEY_LENGTH] = p.length >>> 8;
  out[DATA_KEY_LENGTH + 1] = p.length & 0xff;
  out.set(p, DATA_KEY_LENGTH + 2);
  return out;
}

export interface SealedHeader {
  header: Uint8Array;
  /** Number of entries (real + dummy). */
  entryCount: number;
}

/** A policy with its tuples (canonical order) and their ids, as the record layer caches them. */
export interface PolicyTuples {
  policy: Policy;
  tuples: readonly Tuple[];
  ids: readonly string[];
  /** The canonical encoding, once computed (cached with the rest). */
  encoded?: Uint8Array;
}

export function withTuples(policy: Policy): PolicyTuples {
  const tuples = policyTuples(policy);
  return { policy, tuples, ids: tuples.map(tupleId) };
}

/** Internal form of `wrapDataKey` with checked inputs. */
export function wrapChecked(
  dataKey: Uint8Array,
  resolved: PolicyTuples,
  writer: WriterKey,
  b: CheckedBinding,
  minEntries: number,
  random: RandomSource,
  /** The data key's header MAC key, when the caller has derived it already. */
  authKey?: HeaderAuth,
  /** The header nonce, when the caller has drawn it already (24 bytes). */
  headerNonce?: Uint8Array,
): SealedHeader {
  const { policy, tuples, ids } = resolved;
  if (!sameSchema(policy.schema, writer.schema)) throw new SchemeMismatch('the policy uses a different schema than the writer key');
  if (b.tenant !== writer.tenant) throw new SchemeMismatch(`the writer key is for tenant ${JSON.stringify(writer.tenant)}, not ${JSON.stringify(b.tenant)}`);
  const n = bucketOf(tuples.length, minEntries);
  if (n > MAX_HEADER_ENTRIES) throw new InputTooLarge(`the header would need ${n} entries, above ${MAX_HEADER_ENTRIES}`);
  const nonce = headerNonce ?? random(HEADER_NONCE_LENGTH);
  const ctx = headerContext(b, HEADER_VERSION, writer.epoch, nonce);
  // (New headers are always written in the current version; rewrap turns a v1 header into v2.)
  const rows: Uint8Array[] = [];
  for (let i = 0; i < tuples.length; i++) {
    const m = writerTuple(writer, tuples[i] as Tuple, ids[i] as string);
    const h = entryMac(m, ctx);
    const wrapped = primitives.xchacha20poly1305Seal(m.wrapKey, h.subarray(0, 24), dataKey, ctx);
    const row = new Uint8Array(ENTRY_LENGTH);
    row.set(h.subarray(0, LOCATOR_LENGTH), 0);
    row.set(wrapped, LOCATOR_LENGTH);
    rows.push(row);
  }
  if (n > rows.length) {
    const dummies = random((n - rows.length) * ENTRY_LENGTH);
    for (let i = 0; rows.length < n; i++) rows.push(dummies.subarray(i * ENTRY_LENGTH, (i + 1) * ENTRY_LENGTH));
  }
  rows.sort(compareLocators);
  // A repeated locator (probability 2^-128 per pair) would make the header undecodable: fail loudly.
  for (let i = 1; i < rows.length; i++) {
    if (compareLocators(rows[i - 1] as Uint8Array, rows[i] as Uint8Array) === 0) throw new Error('header locator collision; retry');
  }
  const entries = concatBytes(...rows);
  const pt = escrowPlaintext(dataKey, resolved);
  const escrow = primitives.xchacha20poly1305Seal(writerSecrets(writer).escrowKey, nonce, pt, ctx);
  pt.fill(0);
  const body = encodeHeaderBody({ version: HEADER_VERSION, epoch: writer.epoch, nonce, entries, escrow });
  const header = new Uint8Array(body.length + HEADER_MAC_LENGTH);
  header.set(body);
  if (authKey === undefined) {
    const k = headerAuthKey(dataKey);
    header.set(headerMac(k, ctx, b.associatedData, body), body.length);
    k.fill(0);
  } else {
    header.set(headerMac(authKey, ctx, b.associatedData, body), body.length);
  }
  return { header, entryCount: n };
}

/** Wraps `dataKey` (32 bytes) for every tuple `policy` allows, under `writer`'s epoch. */
export function wrapDataKey(dataKey: Uint8Array, policy: Policy, writer: WriterKey, binding: RecordBinding, options: WrapOptions = {}): Uint8Array {
  abytes(dataKey, 'dataKey', DATA_KEY_LENGTH);
  const minEntries = aint(options.minEntries ?? 1, 'minEntries', 1, MAX_HEADER_ENTRIES);
  return wrapChecked(dataKey, withTuples(policy), writer, checkBinding(binding), minEntries, options.testOnlyRandom ?? randomBytes).header;
}

function verifyMac(h: DecodedHeader, ctx: Uint8Array, ad: Uint8Array, authKey: HeaderAuth): boolean {
  const body = h.bytes.subarray(0, h.bytes.length - HEADER_MAC_LENGTH);
  return equalBytes(headerMac(authKey, ctx, ad, body), h.mac);
}

/** Index of the entry whose locator equals `loc` (entries are sorted by locator), or -1. */
function findEntry(h: DecodedHeader, loc: Uint8Array): number {
  let lo = 0;
  let hi = h.entryCount - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareLocators(locatorAt(h.entries, mid), loc);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export interface UnwrapOptions {
  /** Ids (tupleId) of tuples to try first, e.g. those whose pre-filter token the record carries. */
  prefer?: ReadonlySet<string>;
  /**
   * Check the header MAC (default true). The lean re-rank path skips it: the wrapped entry's own
   * AEAD already authenticates the data key for this record, and the MAC's extra binding (the
   * pre-filter tokens) is checked with the writer's signature before anything is returned.
   */
  verifyMac?: boolean;
}

// Stand-ins for the one entry open and the one MAC that unwrap performs when no entry matches.
const DUMMY_KEY = new Uint8Array(32);
const DUMMY_NONCE = new Uint8Array(24);

/**
 * Internal form of `unwrapDataKey` on a decoded header and checked binding.
 *
 * Timing (issue #9, finding 4): whether or not a locator matches, unwrap opens exactly one entry
 * and computes exactly one header MAC (with stand-in keys when nothing matched), and without a
 * `prefer` hint it computes the locator of every tuple the key holds, so "not for me",
 * "tampered" and "for me" cost the same header work. With `prefer` (the tuples whose public
 * pre-filter tokens the record carries), the preferred tuples are tried first and the search
 * stops at the first entry found: the hint is public, so the time says nothing the store does
 * not know. What still differs, and is documented in docs/threat-model.md, is the work done
 * after a successful unwrap (payload and vector decryption).
 */
export function unwrapDecoded(h: DecodedHeader, b: CheckedBinding, userKey: UserKey, options: UnwrapOptions = {}): Uint8Array | null {
  // Routing facts (public: the header's epoch and the record's tenant are stored in clear).
  if (h.epoch !== userKey.epoch || b.tenant !== userKey.tenant) return null;
  const ctx = headerContext(b, h.version, h.epoch, h.nonce);
  const material = userMaterial(userKey);
  const prefer = options.prefer;
  let found: { m: TupleMaterial; nonce: Uint8Array; index: number } | undefined;
  const tried = new Set<TupleMaterial>();
  if (prefer !== undefined && prefer.size > 0) {
    for (const m of material) {
      if (!prefer.has(m.id)) continue;
      tried.add(m);
      const mac = entryMac(m, ctx);
      const i = findEntry(h, mac.subarray(0, LOCATOR_LENGTH));
      if (i >= 0) {
        found = { m, nonce: mac.subarray(0, 24), index: i };
        break;
      }
    }
  }
  if (found === undefined) {
    for (const m of material) {
      if (tried.has(m)) continue;
      const mac = entryMac(m, ctx);
      const i = findEntry(h, mac.subarray(0, LOCATOR_LENGTH));
      if (i >= 0 && found === undefined) found = { m, nonce: mac.subarray(0, 24), index: i };
    }
  }
  const dataKey =
    found === undefined
      ? primitives.xchacha20poly1305Open(DUMMY_KEY, DUMMY_NONCE, wrappedAt(h.entries, 0), ctx)
      : primitives.xchacha20poly1305Open(found.m.wrapKey, found.nonce, wrappedAt(h.entries, found.index), ctx);
  let ok = true;
  if (options.verifyMac !== false) {
    const k = headerAuthKey(dataKey ?? DUMMY_KEY);
    ok = verifyMac(h, ctx, b.associatedData, k);
    k.fill(0);
  }
  if (dataKey !== null && ok) return dataKey;
  dataKey?.fill(0);
  return null;
}

/**
 * The record's data key if `userKey` satisfies the header's (hidden) policy and everything is
 * authentic; otherwise null. Throws Malformed/UnsupportedVersion only for a malformed header.
 */
export function unwrapDataKey(header: Uint8Array, binding: RecordBinding, userKey: UserKey, options: UnwrapOptions = {}): Uint8Array | null {
  const b = checkBinding(binding);
  return unwrapDecoded(decodeHeader(header), b, userKey, options);
}

export interface EscrowContents {
  dataKey: Uint8Array;
  policy: Policy;
}

// Rewrapping many headers sees the same few policies again and again: decode each once.
const POLICY_CACHE_LIMIT = 1024;
const policyCache = new Map<string, PolicyTuples>();

function decodePolicyCached(schema: PolicySchema, bytes: Uint8Array): PolicyTuples {
  let key = schema.dimensions.join('\u0000') + '\u0001';
  for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i] as number);
  let r = policyCache.get(key);
  if (r === undefined) {
    r = { ...withTuples(decodePolicy(schema, bytes)), encoded: Uint8Array.from(bytes) };
    if (policyCache.size >= POLICY_CACHE_LIMIT) policyCache.clear();
    policyCache.set(key, r);
  }
  return r;
}

/** Internal form of `openEscrow`. Throws KeyNotFound on epoch/tenant mismatch, DecryptionFailed otherwise. */
export function openEscrowDecoded(
  h: DecodedHeader,
  b: CheckedBinding,
  writer: WriterKey,
): EscrowContents & { resolved: PolicyTuples; authKey: KeyedHmac } {
  if (h.epoch !== writer.epoch) throw new KeyNotFound(`the header is for epoch ${h.epoch}, the writer key for epoch ${writer.epoch}`);
  if (b.tenant !== writer.tenant) throw new KeyNotFound(`the header is for tenant ${JSON.stringify(b.tenant)}, the writer key for ${JSON.stringify(writer.tenant)}`);
  const ctx = headerContext(b, h.version, h.epoch, h.nonce);
  const pt = primitives.xchacha20poly1305Open(writerSecrets(writer).escrowKey, h.nonce, h.escrow, ctx);
  if (pt === null) throw new DecryptionFailed();
  try {
    const dataKey = pt.slice(0, DATA_KEY_LENGTH);
    const len = ((pt[DATA_KEY_LENGTH] as number) << 8) | (pt[DATA_KEY_LENGTH + 1] as number);
    const end = DATA_KEY_LENGTH + 2 + len;
    if (end > pt.length || pt.subarray(end).some((x) => x !== 0)) throw new DecryptionFailed();
    const resolved = decodePolicyCached(writer.schema, pt.subarray(DATA_KEY_LENGTH + 2, end));
    const k = headerAuthKey(dataKey);
    const authKey = primitives.hmacKey(k);
    k.fill(0);
    if (!verifyMac(h, ctx, b.associatedData, authKey)) throw new DecryptionFailed();
    return { dataKey, policy: resolved.policy, resolved, authKey };
  } catch (e) {
    // An authentic escrow with bad contents cannot come from this library: same generic error,
    // with no cause (the cause could tell which check failed).
    if (e instanceof DecryptionFailed) throw e;
    throw new DecryptionFailed();
  } finally {
    pt.fill(0);
  }
}

/**
 * The data key and policy of a header, with the writer key of the header's epoch and tenant.
 * Throws KeyNotFound for another epoch or tenant, DecryptionFailed if anything fails to verify.
 */
export function openEscrow(header: Uint8Array, binding: RecordBinding, writer: WriterKey): EscrowContents {
  const { dataKey, policy } = openEscrowDecoded(decodeHeader(header), checkBinding(binding), writer);
  return { dataKey, policy };
}

/**
 * Re-wraps a header from `from`'s epoch to `to`'s epoch: same data key, same policy, same (or
 * larger) entry count, fresh nonce; the vector and payload are untouched (their binding does not
 * include the epoch). Both writer keys must come from the same authority and tenant.
 */
export function rewrapHeader(header: Uint8Array, binding: RecordBinding, from: WriterKey, to: WriterKey, options: WrapOptions = {}): Uint8Array {
  return rewrapDecoded(decodeHeader(header), checkBinding(binding), from, to, options.testOnlyRandom ?? randomBytes, options.minEntries ?? 1).header;
}

export function rewrapDecoded(
  h: DecodedHeader,
  b: CheckedBinding,
  from: WriterKey,
  to: WriterKey,
  random: RandomSource,
  minEntries = 1,
): SealedHeader & { policy: Policy } {
  if (from.authorityId !== to.authorityId || from.tenant !== to.tenant || !sameSchema(from.schema, to.schema)) {
    throw new SchemeMismatch('rewrap needs two writer keys of the same authority, schema and tenant');
  }
  const { dataKey, policy, resolved, authKey } = openEscrowDecoded(h, b, from);
  try {
    return { ...wrapChecked(dataKey, resolved, to, b, Math.max(minEntries, h.entryCount), random, authKey), policy };
  } finally {
    dataKey.fill(0);
  }
}
