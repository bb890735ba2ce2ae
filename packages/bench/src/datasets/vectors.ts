/**
 * A dense row-major matrix of float32 vectors: the one in-memory shape every loader returns and
 * every benchmark consumes. Rows are views into `data`, never copies.
 */
import { DimensionMismatch, EmptyInput } from '@sealvec/core';

export interface VectorSet {
  readonly rows: number;
  readonly dim: number;
  /** rows * dim values, row i at [i * dim, (i + 1) * dim). */
  readonly data: Float32Array;
}

export function vectorSet(data: Float32Array, rows: number, dim: number): VectorSet {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`"rows" expected integer >= 0, got ${rows}`);
  if (!Number.isSafeInteger(dim) || dim < 1) throw new RangeError(`"dim" expected integer >= 1, got ${dim}`);
  if (data.length !== rows * dim) {
    throw new RangeError(`"data" expected length rows*dim=${rows * dim}, got length=${data.length}`);
  }
  return { rows, dim, data };
}

export function row(set: VectorSet, i: number): Float32Array {
  return set.data.subarray(i * set.dim, (i + 1) * set.dim);
}

/** The first `n` rows (a view). */
export function head(set: VectorSet, n: number): VectorSet {
  const k = Math.min(n, set.rows);
  return { rows: k, dim: set.dim, data: set.data.subarray(0, k * set.dim) };
}

/** A copy of the given rows, in the given order. */
export function pick(set: VectorSet, ids: ArrayLike<number>): VectorSet {
  const out = new Float32Array(ids.length * set.dim);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (!(id >= 0 && id < set.rows)) throw new RangeError(`"ids[${i}]" expected row index < ${set.rows}, got ${id}`);
    out.set(row(set, id), i * set.dim);
  }
  return { rows: ids.length, dim: set.dim, data: out };
}

/** Rows scaled to unit length (the cosine metric's view of the data). Zero rows are an error. */
export function normalizeRows(set: VectorSet): VectorSet {
  const out = new Float32Array(set.data.length);
  for (let i = 0; i < set.rows; i++) {
    const r = row(set, i);
    let s = 0;
    for (let j = 0; j < r.length; j++) s += (r[j] as number) ** 2;
    if (s === 0) throw new EmptyInput(`row ${i} is the zero vector, which has no direction under the angular metric`);
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < r.length; j++) out[i * set.dim + j] = (r[j] as number) * inv;
  }
  return { rows: set.rows, dim: set.dim, data: out };
}

export function norms(set: VectorSet): Float64Array {
  const out = new Float64Array(set.rows);
  for (let i = 0; i < set.rows; i++) {
    const r = row(set, i);
    let s = 0;
    for (let j = 0; j < r.length; j++) s += (r[j] as number) ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new EmptyInput('median of an empty list');
  const a = Float64Array.from(values).sort();
  const m = a.length >> 1;
  return a.length % 2 ? (a[m] as number) : ((a[m - 1] as number) + (a[m] as number)) / 2;
}

export function assertSameDim(a: VectorSet, b: VectorSet, what: string): void {
  if (a.dim !== b.dim) throw new DimensionMismatch(`${what}: dimension ${b.dim} does not match ${a.dim}`);
}
