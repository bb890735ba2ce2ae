/**
 * NumPy .npy reader for what embedding pipelines write: a 2-D float32 or float64 array in C
 * order (versions 1.0, 2.0 and 3.0 of the format). Anything else (Fortran order, other dtypes,
 * 1-D or 3-D shapes, a short data section) is a Malformed error naming the problem, because
 * guessing a layout would silently scramble the vectors.
 */
import { EmptyInput, Malformed } from '@sealvec/core';
import { MAX_DIM } from './fvecs.js';
import type { VectorSet } from './vectors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the data section. */
  readonly dataOffset: number;
}

export function parseNpyHeader(bytes: Uint8Array, what = 'npy'): NpyHeader {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"bytes" expected Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw new EmptyInput(`${what} is empty`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Malformed(`${what} does not start with the .npy magic string`);
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Malformed(`${what} header is truncated`);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new Malformed(`${what} has .npy format version ${major}.${bytes[7]}, expected 1.x, 2.x or 3.x`);
  }
  if (start + headerLen > bytes.length) throw new Malformed(`${what} header is truncated`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Malformed(`${what} header lacks descr, fortran_order or shape: ${JSON.stringify(text.trim().slice(0, 120))}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new Malformed(`${what} header has a non-integer shape entry ${JSON.stringify(s)}`);
      return Number.parseInt(s, 10);
    });
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: start + headerLen };
}

/** Reads a 2-D float32/float64 C-order array as float32 vectors (one row per vector). */
export function parseNpy(bytes: Uint8Array, what = 'npy'): VectorSet {
  const h = parseNpyHeader(bytes, what);
  if (h.fortranOrder) throw new Malformed(`${what} is in Fortran (column-major) order; save it with C order`);
  if (h.shape.length !== 2) {
    throw new Malformed(`${what} has shape (${h.shape.join(', ')}), expected a 2-D array (rows, dimension)`);
  }
  const [rows, dim] = h.shape as [number, number];
  if (rows === 0) throw new EmptyInput(`${what} has no rows`);
  if (dim < 1 || dim > MAX_DIM) throw new Malformed(`${what} has dimension ${dim}, expected 1..${MAX_DIM}`);
  const m = /^([<>=|])f([48])$/.exec(h.descr);
  if (!m) throw new Malformed(`${what} has dtype ${JSON.stringify(h.descr)}, expected float32 ('<f4') or float64 ('<f8')`);
  const little = m[1] !== '>';
  const size = Number(m[2]);
  const need = rows * dim * size;
  const have = bytes.length - h.dataOffset;
  if (have < need) throw new Malformed(`${what} data is truncated: ${have} bytes, expected ${need}`);
  if (have > need) throw new Malformed(`${what} has ${have - need} bytes after the array data`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, need);
  const data = new Float32Array(rows * dim);
  for (let k = 0; k < rows * dim; k++) {
    const v = size === 4 ? view.getFloat32(4 * k, little) : view.getFloat64(8 * k, little);
    if (!Number.isFinite(v)) {
      throw new Malformed(`${what} row ${Math.floor(k / dim)} has a non-finite value at index ${k % dim}`);
    }
    data[k] = v;
  }
  return { rows, dim, data };
}

/** Writes a float32 .npy (version 1.0), used by tests and by users exporting results. */
export function encodeNpy(set: VectorSet): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${set.rows}, ${set.dim}), }`;
  // Pad so the data starts on a 64-byte boundary, ending the header with a newline.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const hb = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + hb.length + set.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, hb.length, true);
  out.set(hb, 10);
  const view = new DataView(out.buffer, 10 + hb.length);
  for (let k = 0; k < set.data.length; k++) view.setFloat32(4 * k, set.data[k] as number, true);
  return out;
}
