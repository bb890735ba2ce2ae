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
 * with 9 significant digits by output/float32-text.ts, which round-trips every float32 (the proof
 * is there). The sidecar of a sealed .npy pair (sealed-npy.ts) starts with the same header line
 * under its own type, plus the array's shape and digest. Reading treats the file as hostile:
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
import { ByteBuilder } from './output/byte-builder.js';
import type { Scheme } from './scheme.js';

export const SEALED_FILE_TYPE = 'sealvec/sealed-jsonl';
/** The first line of a sealed .npy pair's sidecar (sealed-npy.ts). */
export const SEALED_NPY_TYPE = 'sealvec/sealed-npy';
/** Written today; 1 (unsigned scheme) is still read. */
export const SEALED_FILE_VERSION = 2;

export interface SealedFileHeader {
  type: typeof SEALED_FILE_TYPE | typeof SEALED_NPY_TYPE;
  version: 1 | 2;
  collection: string;
  tenant: string;
  /** Parsed, not yet verified: see scheme.ts trustFileScheme. */
  scheme: Scheme;
}

export function encodeHeaderLine(collection: string, tenant: string, scheme: SignedScheme): string {
  return `${JSON.stringify(headerObject(SEALED_FILE_TYPE, collection, tenant, scheme))}\n`;
}

/** The header line's object; `extra` fields (the sidecar's "npy") go before the scheme. */
export function headerObject(type: string, collection: string, tenant: string, scheme: SignedScheme, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type, version: SEALED_FILE_VERSION, collection, tenant, ...extra, scheme: schemeToJSON(scheme) };
}

/** base64url (unpadded) through Buffer: the same text as core's portable encoder, ~25x faster. */
function b64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
}

/** core's `encodeStoredPayload` (the one field mapping) with Node's faster base64. */
export function encodeStoredPayloadFast(r: SealedRecord): StoredPayload {
  return encodeStoredPayload(r, { toBase64url: b64 });
}

/** Fields encodeStoredPayloadFast fills with base64url text, which JSON never escapes. */
const BASE64_FIELDS: ReadonlySet<string> = new Set(['n', 't', 'h', 'p', 'x', 's']);

/**
 * A record's stored payload as JSON, appended to `out`: exactly the text JSON.stringify gives for
 * core's encodeStoredPayload (same fields, same order; a property test checks it), except that
 * the long base64url fields, made here from bytes, are copied without the per-character escape
 * scan JSON.stringify does (most of the payload's encoding time at 1536-d).
 */
export function putStoredPayload(out: ByteBuilder, r: SealedRecord): void {
  const p = encodeStoredPayloadFast(r) as unknown as Record<string, unknown>;
  let first = true;
  for (const k of Object.keys(p)) {
    const v = p[k];
    if (v === undefined) continue;
    out.text(keyText(k, first));
    first = false;
    if (typeof v === 'string' && BASE64_FIELDS.has(k)) {
      out.byte(QUOTE);
      out.ascii(v);
      out.byte(QUOTE);
    } else {
      out.text(JSON.stringify(v));
    }
  }
  if (first) out.byte(0x7b); // {
  out.byte(0x7d); // }
}

const QUOTE = 0x22;
/** `{"key":` and `,"key":` for the payload's (few, fixed) keys, made once. */
const KEY_TEXT = new Map<string, string>();
function keyText(k: string, first: boolean): string {
  const id = first ? `{${k}` : `,${k}`;
  let t = KEY_TEXT.get(id);
  if (t === undefined) {
    t = `${first ? '{' : ','}${JSON.stringify(k)}:`;
    if (KEY_TEXT.size < 64) KEY_TEXT.set(id, t);
  }
  return t;
}

/** One record line, appended to `out` as UTF-8: the vector through the exact float32 writer. */
export function putRecordLine(out: ByteBuilder, r: SealedRecord): void {
  out.ascii('{"vector":[');
  out.float32s(r.vector);
  out.ascii('],"payload":');
  putStoredPayload(out, r);
  out.ascii('}\n');
}

/** One record line as a string (tests, benchmarks). */
export function encodeRecordLine(r: SealedRecord): string {
  const b = new ByteBuilder(r.vector.length * 16 + 4096);
  putRecordLine(b, r);
  return Buffer.from(b.view()).toString('utf8');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function fail(where: string, what: string): never {
  throw new Malformed(`${where}: ${what}`);
}

/**
 * Validates the first line of a sealed file (hostile input): a sealed JSONL file's header, or
 * with `type` SEALED_NPY_TYPE a sidecar's (whose own fields sealed-npy.ts checks).
 */
export function parseHeaderLine(value: unknown, where: string, type: string = SEALED_FILE_TYPE): SealedFileHeader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'not a sealed file (the first line must be its header object)');
  const o = value as Record<string, unknown>;
  if (o.type !== type) {
    const p = o.payload as Record<string, unknown> | null | undefined;
    if ('vector' in o && typeof p === 'object' && p !== null && 'sv' in p) fail(where, 'sealed file has no header line (was it produced by "sealvec encrypt"?)');
    if (o.type === SEALED_NPY_TYPE) fail(where, 'this is the sidecar of a sealed .npy pair: read it from its file path, with the .npy beside it');
    fail(where, `not a sealed file (expected "type": "${type}")`);
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
  return { type: type === SEALED_NPY_TYPE ? SEALED_NPY_TYPE : SEALED_FILE_TYPE, version: o.version, collection: o.collection, tenant: o.tenant, scheme };
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
