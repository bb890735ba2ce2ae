/**
 * Sealed JSONL, the CLI's file format for encrypted records:
 *
 *   line 1   {"type":"sealvec/sealed-jsonl","version":2,"collection":"...","tenant":"...","scheme":{...}}
 *   line 2+  one stored point per line, exactly as @sealvec/core encodes it for a database:
 *            {"vector":[float32 values],"payload":{"sv":2,"id":...,"tnt":...,"kid":...,"ep":...,
 *             "n":...,"t":...,"h":...,"p":...,"x"?:...,"pf"?:[...],"bi"?:{...},"s":...}}
 *
 * The first line carries the scheme (dimension, metric, beta, authority id, ...) a reader needs
 * and that the stored points do not repeat, signed by the writer that made the file (core's
 * schemeToJSON); records are bound to the collection and tenant it names. Vectors are written
 * with 9 significant digits, which round-trips every float32. Reading treats the file as hostile:
 * the header line is validated field by field, its scheme verified by the command that uses it
 * (scheme.ts trustFileScheme), each record decoded by core's strict stored-point decoder.
 * Version 1 files (unsigned scheme, sv 1 records) are still read.
 */
import {
  decodeStoredPoint,
  encodeStoredPayload,
  isSealvecError,
  Malformed,
  MAX_TENANT_BYTES,
  parseScheme,
  schemeToJSON,
  UnsupportedVersion,
  type SealedRecord,
  type SignedScheme,
  type StoredPayload,
} from '@sealvec/core';
import type { Scheme } from './scheme.js';

export const SEALED_FILE_TYPE = 'sealvec/sealed-jsonl';
/** Written today; 1 (unsigned scheme) is still read. */
export const SEALED_FILE_VERSION = 2;

export interface SealedFileHeader {
  type: typeof SEALED_FILE_TYPE;
  version: 1 | 2;
  collection: string;
  tenant: string;
  /** Parsed, not yet verified: see scheme.ts trustFileScheme. */
  scheme: Scheme;
}

export function encodeHeaderLine(collection: string, tenant: string, scheme: SignedScheme): string {
  return `${JSON.stringify({ type: SEALED_FILE_TYPE, version: SEALED_FILE_VERSION, collection, tenant, scheme: schemeToJSON(scheme) })}\n`;
}

/** Drops trailing zeros of a toPrecision() mantissa: "0.0874589980" -> "0.087458998", "1.50000e-7" -> "1.5e-7". */
function trimZeros(s: string): string {
  const e = s.indexOf('e');
  const mant = e < 0 ? s : s.slice(0, e);
  if (mant.indexOf('.') < 0) return s;
  let end = mant.length;
  while (mant.charCodeAt(end - 1) === 0x30) end--;
  if (mant.charCodeAt(end - 1) === 0x2e) end--;
  return e < 0 ? mant.slice(0, end) : mant.slice(0, end) + s.slice(e);
}

/**
 * A float32 value in 9 significant digits, which always round-trips through float32. Trailing
 * zeros are kept: trimming them costs a quarter of the formatting time on ciphertext vectors,
 * which nobody reads digit by digit.
 */
export function formatFloat32(x: number): string {
  return x === 0 ? '0' : x.toPrecision(9);
}

/** The shortest decimal that reads back as the same float32 (for plaintext output people read). */
export function formatFloat32Shortest(x: number): string {
  if (x === 0) return '0';
  for (let p = 6; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return trimZeros(s);
  }
  return trimZeros(x.toPrecision(9));
}

/**
 * Float32 values, comma separated (ciphertexts: 9 digits; `shortest` for plaintext output).
 * Joining an array is about twice as fast as growing a string with += here (measured at 1536-d).
 */
export function formatVector(v: Float32Array, shortest = false): string {
  const f = shortest ? formatFloat32Shortest : formatFloat32;
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = f(v[i]!);
  return parts.join(',');
}

/** base64url (unpadded) through Buffer: the same text as core's portable encoder, ~25x faster. */
function b64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
}

/** core's `encodeStoredPayload` (the one field mapping) with Node's faster base64. */
export function encodeStoredPayloadFast(r: SealedRecord): StoredPayload {
  return encodeStoredPayload(r, { toBase64url: b64 });
}

export function encodeRecordLine(r: SealedRecord): string {
  return `{"vector":[${formatVector(r.vector)}],"payload":${JSON.stringify(encodeStoredPayloadFast(r))}}\n`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function fail(where: string, what: string): never {
  throw new Malformed(`${where}: ${what}`);
}

/** Validates the first line of a sealed file (hostile input). */
export function parseHeaderLine(value: unknown, where: string): SealedFileHeader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'not a sealed file (the first line must be its header object)');
  const o = value as Record<string, unknown>;
  if (o.type !== SEALED_FILE_TYPE) {
    const p = o.payload as Record<string, unknown> | null | undefined;
    if ('vector' in o && typeof p === 'object' && p !== null && 'sv' in p) fail(where, 'sealed file has no header line (was it produced by "sealvec encrypt"?)');
    fail(where, `not a sealed file (expected "type": "${SEALED_FILE_TYPE}")`);
  }
  if (o.version !== 1 && o.version !== 2) {
    // Only a number is shown: JSON.stringify of a hostile value (deeply nested) would overflow the stack.
    const shown = typeof o.version === 'number' ? String(o.version) : `of type ${Array.isArray(o.version) ? 'array' : typeof o.version}`;
    throw new UnsupportedVersion(`${where}: sealed file version ${shown} is not supported (this build reads 1 and 2)`);
  }
  if (typeof o.collection !== 'string' || typeof o.tenant !== 'string') fail(where, '"collection" and "tenant" must be strings');
  // The tenant is checked here as the records' is: a bad one would otherwise reach the key
  // derivations, which refuse it as a programmer's error (RangeError), not as a bad file.
  if (Buffer.byteLength(o.tenant, 'utf8') > MAX_TENANT_BYTES || LONE_SURROGATE.test(o.tenant)) {
    fail(where, `"tenant" must be at most ${MAX_TENANT_BYTES} UTF-8 bytes of well-formed Unicode`);
  }
  const raw = o.scheme;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, '"scheme" must be an object');
  let scheme: Scheme;
  try {
    scheme = parseScheme(o.collection, raw);
  } catch (e) {
    if (isSealvecError(e)) e.message = `${where}: ${e.message}`;
    throw e;
  }
  if (scheme.version !== o.version) fail(where, `a version ${o.version} file cannot carry a version ${scheme.version} scheme`);
  if (scheme.collection !== o.collection) fail(where, 'the scheme is for another collection than the file names');
  return { type: SEALED_FILE_TYPE, version: o.version, collection: o.collection, tenant: o.tenant, scheme };
}

/** One record line -> SealedRecord, with the place named in any error. */
export function parseRecordLine(value: unknown, where: string, storedDimension: number): SealedRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'expected a stored point {"vector", "payload"}');
  const o = value as Record<string, unknown>;
  try {
    return decodeStoredPoint(o.payload, o.vector, { storedDimension });
  } catch (e) {
    if (e instanceof Error) e.message = `${where}: ${e.message}`;
    throw e;
  }
}
