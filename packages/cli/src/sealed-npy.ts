/**
 * The sealed .npy pair, the binary sealed output for bulk pipelines (`-o X.npy`):
 *
 *   X.npy    a standard NumPy array, dtype '<f4', C order, shape (rows, stored dimension): the
 *            ciphertext vectors, row i = record i
 *   X.jsonl  the sidecar:
 *     line 1   {"type":"sealvec/sealed-npy","version":2,"collection":"...","tenant":"...",
 *               "npy":{"rows":N,"storedDimension":D,"dtype":"<f4","sha256":"..."},"scheme":{...}}
 *     line 2+  one record per line, in row order: {"point":"<Qdrant point id>","payload":{...}}
 *              (the stored payload, as in sealed JSONL; its "id" is the record id)
 *
 * The header is a sealed JSONL header (sealed-file.ts) under its own type, plus the array's row
 * count, stored dimension and the SHA-256 of its data (the rows' bytes, not the .npy header, so a
 * re-save by NumPy keeps it valid). Two files cannot be renamed atomically together: the digest
 * lets a reader tell a mixed pair (a crash between the two renames, a file copied from another
 * run) before it reads a record. It is an integrity check, not authentication: records carry
 * their writer's signature. The row count and digest are known only at the end, so both headers
 * are written first with room to spare and rewritten in place (padded with spaces) on commit.
 */
import { Malformed, UnsupportedVersion, type SealedRecord, type SignedScheme } from '@sealvec/core';
import type { ByteBuilder } from './output/byte-builder.js';
import { storedDimension } from './scheme.js';
import { headerObject, parseHeaderLine, putStoredPayload, SEALED_NPY_TYPE, type SealedFileHeader } from './sealed-file.js';

export { SEALED_NPY_TYPE };

/** The only dtype a sealed .npy holds. */
export const SEALED_NPY_DTYPE = '<f4';
/** Bytes of the .npy header (magic, version 1.0, length, dictionary, padding): data starts here. */
export const SEALED_NPY_HEADER_BYTES = 128;
/** Characters of an unpadded base64url SHA-256. */
const DIGEST_CHARS = 43;
const DIGEST_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface NpyInfo {
  rows: number;
  storedDimension: number;
  /** SHA-256 of the array's data bytes, base64url. */
  sha256: string;
}

export interface SidecarHeader extends SealedFileHeader {
  npy: NpyInfo;
}

export function isNpyPath(path: string): boolean {
  return /\.npy$/i.test(path);
}

/** X.npy -> X.jsonl: the sidecar's name. */
export function sidecarPathOf(npyPath: string): string {
  return npyPath.replace(/\.npy$/i, '.jsonl');
}

/** X.jsonl -> X.npy, or undefined for a name that cannot be a sidecar's. */
export function npyPathOf(sidecarPath: string): string | undefined {
  return /\.jsonl$/i.test(sidecarPath) ? sidecarPath.replace(/\.jsonl$/i, '.npy') : undefined;
}

function fail(where: string, what: string): never {
  throw new Malformed(`${where}: ${what}`);
}

/**
 * The sidecar's header line (with its newline). With `width`, padded with spaces before the
 * newline to exactly `width` bytes, so the final header can overwrite the provisional one.
 */
export function encodeSidecarHeader(collection: string, tenant: string, scheme: SignedScheme, npy: NpyInfo, width?: number): Buffer {
  const obj = headerObject(SEALED_NPY_TYPE, collection, tenant, scheme, {
    npy: { rows: npy.rows, storedDimension: npy.storedDimension, dtype: SEALED_NPY_DTYPE, sha256: npy.sha256 },
  });
  const text = Buffer.from(JSON.stringify(obj), 'utf8');
  if (width === undefined) return Buffer.concat([text, Buffer.from('\n')]);
  if (text.length + 1 > width) throw new RangeError(`"width" expected at least ${text.length + 1}, got ${width}`);
  const out = Buffer.alloc(width, 0x20);
  text.copy(out);
  out[width - 1] = 0x0a;
  return out;
}

/** The provisional sidecar header: as wide as any final one (the widest row count, a digest). */
export function provisionalSidecarHeader(collection: string, tenant: string, scheme: SignedScheme, dimension: number): Buffer {
  return encodeSidecarHeader(collection, tenant, scheme, { rows: Number.MAX_SAFE_INTEGER, storedDimension: dimension, sha256: 'A'.repeat(DIGEST_CHARS) });
}

/** Validates a sidecar's first line (hostile input). */
export function parseSidecarHeader(value: unknown, where: string): SidecarHeader {
  const h = parseHeaderLine(value, where, SEALED_NPY_TYPE);
  if (h.version !== 2) throw new UnsupportedVersion(`${where}: a sealed .npy sidecar must be version 2`);
  const npy = (value as Record<string, unknown>).npy;
  if (typeof npy !== 'object' || npy === null || Array.isArray(npy)) fail(where, '"npy" must be an object');
  const o = npy as Record<string, unknown>;
  if (typeof o.rows !== 'number' || !Number.isSafeInteger(o.rows) || o.rows < 1) fail(where, '"npy.rows" must be a positive integer');
  if (o.storedDimension !== storedDimension(h.scheme)) {
    fail(where, `"npy.storedDimension" must be the scheme's stored dimension ${storedDimension(h.scheme)}, got ${JSON.stringify(o.storedDimension)}`);
  }
  if (o.dtype !== SEALED_NPY_DTYPE) fail(where, `"npy.dtype" must be "${SEALED_NPY_DTYPE}"`);
  if (typeof o.sha256 !== 'string' || !DIGEST_PATTERN.test(o.sha256)) fail(where, '"npy.sha256" must be a base64url SHA-256');
  return { ...h, npy: { rows: o.rows, storedDimension: o.storedDimension, sha256: o.sha256 } };
}

/**
 * A .npy header (format 1.0) for a float32 C-order array of `rows` x `cols`, SEALED_NPY_HEADER_BYTES
 * long whatever the numbers, padded with spaces as NumPy pads its own.
 */
export function encodeNpyHeader(rows: number, cols: number): Buffer {
  const dict = `{'descr': '${SEALED_NPY_DTYPE}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const out = Buffer.alloc(SEALED_NPY_HEADER_BYTES, 0x20);
  const len = SEALED_NPY_HEADER_BYTES - 10;
  if (dict.length + 1 > len) throw new RangeError(`"rows" and "cols" expected a shape that fits a ${SEALED_NPY_HEADER_BYTES}-byte header, got (${rows}, ${cols})`);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(out, 0);
  out.writeUInt16LE(len, 8);
  out.write(dict, 10, 'latin1');
  out[SEALED_NPY_HEADER_BYTES - 1] = 0x0a;
  return out;
}

/** One sidecar line, appended to `out`. */
export function putSidecarLine(out: ByteBuilder, point: string, r: SealedRecord): void {
  out.ascii('{"point":');
  out.text(JSON.stringify(point));
  out.ascii(',"payload":');
  putStoredPayload(out, r);
  out.ascii('}\n');
}

/** A sidecar record line's parts (the payload is decoded with the row's vector by the reader). */
export function parseSidecarLine(value: unknown, where: string): { point: unknown; payload: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'expected a sidecar record {"point", "payload"}');
  const o = value as Record<string, unknown>;
  return { point: o.point, payload: o.payload };
}
