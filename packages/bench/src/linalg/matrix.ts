/**
 * Dense float64 matrices, row-major, and the few products the attacks need. Attacks run in
 * float64 so that their own rounding never masks what the ciphertexts leak.
 */
import type { VectorSet } from '../datasets/vectors.js';

export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function zeros(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function fromVectors(set: VectorSet): Mat {
  return { rows: set.rows, cols: set.dim, data: Float64Array.from(set.data) };
}

export function toVectors(m: Mat): VectorSet {
  return { rows: m.rows, dim: m.cols, data: Float32Array.from(m.data) };
}

export function identity(n: number): Mat {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function rowOf(m: Mat, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

export function selectRows(m: Mat, ids: ArrayLike<number>): Mat {
  const out = zeros(ids.length, m.cols);
  for (let i = 0; i < ids.length; i++) out.data.set(rowOf(m, ids[i] as number), i * m.cols);
  return out;
}

function checkInner(a: number, b: number, what: string): void {
  if (a !== b) throw new RangeError(`"${what}" inner dimensions differ: ${a} vs ${b}`);
}

/** A B. */
export function mul(a: Mat, b: Mat): Mat {
  checkInner(a.cols, b.rows, 'mul');
  return mulBT(a, transpose(b));
}

/** A^T B, without materializing a product of the transposes' size. */
export function mulTA(a: Mat, b: Mat): Mat {
  checkInner(a.rows, b.rows, 'mulTA');
  const at = transpose(a);
  return a === b ? gramRows(at) : mulBT(at, transpose(b));
}

/**
 * A B^T: every entry is a dot product of two contiguous rows. This is the one product kernel;
 * the others transpose into it, because in V8 a 4-accumulator dot product runs several times
 * faster than the textbook row-update (axpy) loop.
 */
export function mulBT(a: Mat, b: Mat): Mat {
  checkInner(a.cols, b.cols, 'mulBT');
  if (a === b) return gramRows(a);
  const out = zeros(a.rows, b.rows);
  const d = a.cols;
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  for (let i = 0; i < a.rows; i++) {
    const ao = i * d;
    for (let j = 0; j < b.rows; j++) od[i * b.rows + j] = dotAt(ad, ao, bd, j * d, d);
  }
  return out;
}

/** A A^T, computing each symmetric pair once. */
function gramRows(a: Mat): Mat {
  const n = a.rows;
  const d = a.cols;
  const out = zeros(n, n);
  const ad = a.data;
  const od = out.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = dotAt(ad, i * d, ad, j * d, d);
      od[i * n + j] = v;
      od[j * n + i] = v;
    }
  }
  return out;
}

/** Dot product of x[xo .. xo+d) and y[yo .. yo+d), four accumulators (the hot kernel of every product). */
export function dotAt(x: Float64Array, xo: number, y: Float64Array, yo: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += (x[xo + k] as number) * (y[yo + k] as number);
    s1 += (x[xo + k + 1] as number) * (y[yo + k + 1] as number);
    s2 += (x[xo + k + 2] as number) * (y[yo + k + 2] as number);
    s3 += (x[xo + k + 3] as number) * (y[yo + k + 3] as number);
  }
  for (; k < d; k++) s0 += (x[xo + k] as number) * (y[yo + k] as number);
  return s0 + s1 + s2 + s3;
}

export function transpose(a: Mat): Mat {
  const out = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j] as number;
  return out;
}

export function scaleMat(a: Mat, f: number): Mat {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v) => v * f) };
}

export function columnMeans(a: Mat): Float64Array {
  const mu = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) mu[j]! += a.data[i * a.cols + j] as number;
  for (let j = 0; j < a.cols; j++) mu[j]! /= Math.max(1, a.rows);
  return mu;
}

/** Rows minus a vector (usually the column means). */
export function subtractRow(a: Mat, v: ArrayLike<number>): Mat {
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[i * a.cols + j] = (a.data[i * a.cols + j] as number) - (v[j] as number);
  return out;
}

export function addRow(a: Mat, v: ArrayLike<number>): Mat {
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[i * a.cols + j] = (a.data[i * a.cols + j] as number) + (v[j] as number);
  return out;
}

export function frobeniusSq(a: Mat): number {
  let s = 0;
  for (const v of a.data) s += v * v;
  return s;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}
