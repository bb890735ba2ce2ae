/**
 * The header's byte layout: encoding and strict decoding, no cryptography.
 *
 *   offset  size        field
 *   0       1           version (HEADER_VERSION = 2; 1 is still read, same layout)
 *   1       4           epoch, u32 big-endian, >= 1
 *   5       24          nonce (random per header)
 *   29      2           n = entry count, u16 big-endian, a power of two in [1, 256]
 *   31      64 * n      entries: locator (16) || wrapped data key (48), sorted by locator,
 *                       strictly increasing (no duplicates)
 *   ..      2           m = escrow length, u16 big-endian, a power of two in [256, 32768] plus 16
 *   ..      m           escrow ciphertext (XChaCha20-Poly1305, tag included)
 *   ..      16          MAC over everything before it (and the record binding)
 *
 * Sorting by locator is the shuffle: locators are pseudo-random per record, so the order says
 * nothing about which tuples a policy lists, and the one permitted order makes the encoding
 * canonical. Every length is checked against the named limits before anything is read.
 */
import { Malformed, UnsupportedVersion } from '../errors.js';
import {
  AEAD_TAG_LENGTH,
  ENTRY_LENGTH,
  HEADER_FIXED_LENGTH,
  HEADER_MAC_LENGTH,
  HEADER_NONCE_LENGTH,
  READABLE_HEADER_VERSIONS,
  LOCATOR_LENGTH,
  MAX_EPOCH,
  MAX_ESCROW_PLAINTEXT,
  MAX_HEADER_BYTES,
  MAX_HEADER_ENTRIES,
  MIN_EPOCH,
  MIN_ESCROW_PLAINTEXT,
} from '../format/constants.js';
import { isBytes } from '../utils.js';

export interface HeaderFields {
  version: number;
  epoch: number;
  nonce: Uint8Array;
  /** n * ENTRY_LENGTH bytes: the entries back to back, sorted by locator. */
  entries: Uint8Array;
  /** Escrow ciphertext, tag included. */
  escrow: Uint8Array;
  mac: Uint8Array;
}

export interface DecodedHeader extends HeaderFields {
  /** The exact bytes decoded (the MAC covers `bytes` minus the final HEADER_MAC_LENGTH). */
  bytes: Uint8Array;
  entryCount: number;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Is `m` an allowed escrow ciphertext length? */
export function isEscrowLength(m: number): boolean {
  const p = m - AEAD_TAG_LENGTH;
  return isPowerOfTwo(p) && p >= MIN_ESCROW_PLAINTEXT && p <= MAX_ESCROW_PLAINTEXT;
}

export function locatorAt(entries: Uint8Array, i: number): Uint8Array {
  return entries.subarray(i * ENTRY_LENGTH, i * ENTRY_LENGTH + LOCATOR_LENGTH);
}

export function wrappedAt(entries: Uint8Array, i: number): Uint8Array {
  return entries.subarray(i * ENTRY_LENGTH + LOCATOR_LENGTH, (i + 1) * ENTRY_LENGTH);
}

/** Byte-wise comparison of two locators. */
export function compareLocators(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < LOCATOR_LENGTH; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function checkEntries(entries: Uint8Array, n: number): void {
  for (let i = 1; i < n; i++) {
    if (compareLocators(locatorAt(entries, i - 1), locatorAt(entries, i)) >= 0) {
      throw new Malformed('header entries are not sorted by strictly increasing locator');
    }
  }
}

/** The bytes of everything but the MAC, for computing it. */
export function encodeHeaderBody(f: Omit<HeaderFields, 'mac'>): Uint8Array {
  const n = f.entries.length / ENTRY_LENGTH;
  if (!READABLE_HEADER_VERSIONS.includes(f.version)) throw new RangeError(`"version" expected one of ${READABLE_HEADER_VERSIONS.join(', ')}`);
  if (!Number.isSafeInteger(f.epoch) || f.epoch < MIN_EPOCH || f.epoch > MAX_EPOCH) throw new RangeError('"epoch" out of range');
  if (f.nonce.length !== HEADER_NONCE_LENGTH) throw new RangeError('"nonce" has the wrong length');
  if (!isPowerOfTwo(n) || n > MAX_HEADER_ENTRIES) throw new RangeError('"entries" count must be a power of two up to the cap');
  if (!isEscrowLength(f.escrow.length)) throw new RangeError('"escrow" has a length outside the buckets');
  checkEntries(f.entries, n);
  const out = new Uint8Array(HEADER_FIXED_LENGTH - HEADER_MAC_LENGTH + f.entries.length + f.escrow.length);
  const dv = new DataView(out.buffer);
  let o = 0;
  out[o++] = f.version;
  dv.setUint32(o, f.epoch, false);
  o += 4;
  out.set(f.nonce, o);
  o += HEADER_NONCE_LENGTH;
  dv.setUint16(o, n, false);
  o += 2;
  out.set(f.entries, o);
  o += f.entries.length;
  dv.setUint16(o, f.escrow.length, false);
  o += 2;
  out.set(f.escrow, o);
  return out;
}

export function encodeHeader(f: HeaderFields): Uint8Array {
  if (f.mac.length !== HEADER_MAC_LENGTH) throw new RangeError('"mac" has the wrong length');
  const body = encodeHeaderBody(f);
  const out = new Uint8Array(body.length + HEADER_MAC_LENGTH);
  out.set(body);
  out.set(f.mac, body.length);
  return out;
}

/**
 * Strict decoding: every length, count and order is checked; the result aliases `bytes`.
 * Throws UnsupportedVersion for another version byte and Malformed for anything else wrong.
 * Work is bounded by MAX_HEADER_BYTES whatever the input.
 */
export function decodeHeader(bytes: Uint8Array): DecodedHeader {
  if (!isBytes(bytes)) throw new Malformed('header must be bytes');
  if (bytes.length < HEADER_FIXED_LENGTH + ENTRY_LENGTH) throw new Malformed('header is too short');
  if (bytes.length > MAX_HEADER_BYTES) throw new Malformed(`header is longer than ${MAX_HEADER_BYTES} bytes`);
  const version = bytes[0]!;
  if (!READABLE_HEADER_VERSIONS.includes(version)) {
    throw new UnsupportedVersion(`header version ${version} is not supported (this build reads ${READABLE_HEADER_VERSIONS.join(', ')})`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 1;
  const epoch = dv.getUint32(o, false);
  o += 4;
  if (epoch < MIN_EPOCH) throw new Malformed('header epoch is 0');
  const nonce = bytes.subarray(o, o + HEADER_NONCE_LENGTH);
  o += HEADER_NONCE_LENGTH;
  const n = dv.getUint16(o, false);
  o += 2;
  if (!isPowerOfTwo(n) || n > MAX_HEADER_ENTRIES) throw new Malformed(`header entry count ${n} is not a power of two in [1, ${MAX_HEADER_ENTRIES}]`);
  const entriesEnd = o + n * ENTRY_LENGTH;
  if (entriesEnd + 2 > bytes.length) throw new Malformed('header is truncated inside its entries');
  const entries = bytes.subarray(o, entriesEnd);
  o = entriesEnd;
  const m = dv.getUint16(o, false);
  o += 2;
  if (!isEscrowLength(m)) throw new Malformed(`header escrow length ${m} is not an allowed bucket`);
  if (o + m + HEADER_MAC_LENGTH !== bytes.length) throw new Malformed('header length does not match its fields');
  const escrow = bytes.subarray(o, o + m);
  o += m;
  const mac = bytes.subarray(o, o + HEADER_MAC_LENGTH);
  checkEntries(entries, n);
  return { version, epoch, nonce, entries, escrow, mac, bytes, entryCount: n };
}

/** The header's epoch without decoding the rest (for routing a record to the right key). */
export function peekHeaderEpoch(bytes: Uint8Array): number {
  return decodeHeader(bytes).epoch;
}

