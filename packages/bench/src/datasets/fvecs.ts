/**
 * The texmex vector formats used by ANN benchmarks: each row is a little-endian int32 dimension
 * d followed by d values (float32 for .fvecs, int32 for .ivecs). Every row must repeat the same d.
 * Parsing is strict: a truncated file or a row with another dimension is a Malformed error that
 * says where, rather than a silently shorter matrix.
 */
import { EmptyInput, Malformed } from '@sealvec/core';
import type { VectorSet } from './vectors.js';

/** Largest dimension we accept; bounds the work a malformed header can ask for. */
export const MAX_DIM = 65_536;

function parse(bytes: Uint8Array, what: string): { rows: number; dim: number; view: DataView } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"bytes" expected Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw new EmptyInput(`${what} is empty`);
  if (bytes.length < 4) throw new Malformed(`${what} is truncated: ${bytes.length} bytes, less than one row header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dim = view.getInt32(0, true);
  if (dim < 1 || dim > MAX_DIM) throw new Malformed(`${what} row 0 declares dimension ${dim}, expected 1..${MAX_DIM}`);
  const stride = 4 + 4 * dim;
  if (bytes.length % stride !== 0) {
    throw new Malformed(
      `${what} length ${bytes.length} is not a multiple of the row size ${stride} (dimension ${dim}): truncated or not this format`,
    );
  }
  const rows = bytes.length / stride;
  for (let i = 1; i < rows; i++) {
    const d = view.getInt32(i * stride, true);
    if (d !== dim) throw new Malformed(`${what} row ${i} declares dimension ${d}, but row 0 declares ${dim}`);
  }
  return { rows, dim, view };
}

export function parseFvecs(bytes: Uint8Array, what = 'fvecs'): VectorSet {
  const { rows, dim, view } = parse(bytes, what);
  const data = new Float32Array(rows * dim);
  const stride = 4 + 4 * dim;
  for (let i = 0; i < rows; i++) {
    const base = i * stride + 4;
    for (let j = 0; j < dim; j++) {
      const v = view.getFloat32(base + 4 * j, true);
      if (!Number.isFinite(v)) throw new Malformed(`${what} row ${i} has a non-finite value at index ${j}`);
      data[i * dim + j] = v;
    }
  }
  return { rows, dim, data };
}

export interface IntRows {
  readonly rows: number;
  readonly dim: number;
  readonly data: Int32Array;
}

export function parseIvecs(bytes: Uint8Array, what = 'ivecs'): IntRows {
  const { rows, dim, view } = parse(bytes, what);
  const data = new Int32Array(rows * dim);
  const stride = 4 + 4 * dim;
  for (let i = 0; i < rows; i++) {
    const base = i * stride + 4;
    for (let j = 0; j < dim; j++) data[i * dim + j] = view.getInt32(base + 4 * j, true);
  }
  return { rows, dim, data };
}

function encode(rows: number, dim: number, put: (view: DataView, off: number, i: number) => void): Uint8Array {
  if (dim < 1 || dim > MAX_DIM) throw new RangeError(`"dim" expected integer in [1, ${MAX_DIM}], got ${dim}`);
  const stride = 4 + 4 * dim;
  const out = new Uint8Array(rows * stride);
  const view = new DataView(out.buffer);
  for (let i = 0; i < rows; i++) {
    view.setInt32(i * stride, dim, true);
    for (let j = 0; j < dim; j++) put(view, i * stride + 4 + 4 * j, i * dim + j);
  }
  return out;
}

export function encodeFvecs(set: VectorSet): Uint8Array {
  return encode(set.rows, set.dim, (v, off, k) => v.setFloat32(off, set.data[k] as number, true));
}

export function encodeIvecs(set: IntRows): Uint8Array {
  return encode(set.rows, set.dim, (v, off, k) => v.setInt32(off, set.data[k] as number, true));
}
