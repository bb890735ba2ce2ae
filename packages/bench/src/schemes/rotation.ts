/**
 * Baseline: the cipher's construction with a uniformly random (Haar) rotation in place of the
 * keyed mix: c = s Q x + lambda, lambda uniform in the ball of radius s beta / 4, Q a dense
 * d x d orthogonal matrix. A Haar rotation has no structure an attacker could exploit beyond
 * "orthogonal", so it is the yardstick for the mix: no attack may do better against the mix
 * than against this (the design brief's requirement). Dense, O(d^2) per vector: fine at bench
 * sizes, not a production construction. Bench-only: seeded PRNG, not a cryptographic key.
 */
import type { Metric } from '@sealvec/core';
import { normalizeRows, type VectorSet } from '../datasets/vectors.js';
import { dotAt, type Mat, mulBT, scaleMat, transpose, zeros } from '../linalg/matrix.js';
import { ballPoint, createRng, type Rng } from '../rng.js';
import type { Scheme } from './scheme.js';

/**
 * A Haar-distributed orthogonal matrix: modified Gram-Schmidt on the rows of a standard Gaussian
 * matrix (equivalent to QR with a positive diagonal, which is what makes the result uniform).
 * One pass is enough here: a square Gaussian matrix has condition number about d, so the loss
 * of orthogonality stays near d x 1e-16.
 */
export function haarOrthogonal(d: number, rng: Rng): Mat {
  const q = zeros(d, d);
  const a = q.data;
  for (let i = 0; i < a.length; i++) a[i] = rng.gaussian();
  for (let i = 0; i < d; i++) {
    const vi = i * d;
    for (let j = 0; j < i; j++) {
      const qj = j * d;
      const t = dotAt(a, vi, a, qj, d);
      for (let c = 0; c < d; c++) a[vi + c]! -= t * (a[qj + c] as number);
    }
    let s = 0;
    for (let c = 0; c < d; c++) s += (a[vi + c] as number) ** 2;
    // A Gaussian row in the span of the previous ones has probability 0; redraw in that case.
    if (!(s > 1e-20)) {
      for (let c = 0; c < d; c++) a[vi + c] = rng.gaussian();
      i--;
      continue;
    }
    const f = 1 / Math.sqrt(s);
    for (let c = 0; c < d; c++) a[vi + c]! *= f;
  }
  return q;
}

export interface RotationSchemeOptions {
  readonly dimension: number;
  readonly metric: Metric;
  /** Absolute beta, as for the real cipher. */
  readonly beta: number;
  readonly seed: number;
}

export function rotationScheme(opts: RotationSchemeOptions): Scheme & { readonly rotation: Mat; readonly scale: number } {
  if (opts.metric === 'dot') throw new RangeError('"metric" dot is not supported by the rotation baseline');
  const d = opts.dimension;
  const rng = createRng(opts.seed ^ 0x0a7a71);
  const rotation = haarOrthogonal(d, rng);
  // A keyed scale in [1, 2) like the cipher's, so attacks must fit it here too.
  const scale = 1 + rng.next();
  const radius = (scale * opts.beta) / 4;
  const noise = new Float64Array(d);
  const encrypt = (x: VectorSet, fresh: boolean): VectorSet => {
    if (x.dim !== d) throw new RangeError(`"x" expected dimension ${d}, got ${x.dim}`);
    const src = opts.metric === 'cosine' ? normalizeRows(x) : x;
    // Rows are vectors, so c = s x Q^T: each output row is a row of X times Q^T.
    const rotated = mulBT({ rows: src.rows, cols: d, data: Float64Array.from(src.data) }, rotation);
    const out = new Float32Array(src.rows * d);
    // Queries get noise keyed on the query (deterministic, as in the cipher); records fresh noise.
    for (let i = 0; i < src.rows; i++) {
      const r = fresh ? rng : createRng(hashRow(src.data, i * d, d) ^ opts.seed);
      ballPoint(r, radius, noise);
      for (let j = 0; j < d; j++) out[i * d + j] = scale * (rotated.data[i * d + j] as number) + (noise[j] as number);
    }
    return { rows: src.rows, dim: d, data: out };
  };
  return {
    name: 'rotation',
    storedDimension: d,
    rotation,
    scale,
    encryptRecords: (x) => encrypt(x, true),
    encryptQueries: (q) => encrypt(q, false),
    keyHolderInverse() {
      // Rows: x = c Q / s = c (Q^T / s)^T.
      const qt = scaleMat(transpose(rotation), 1 / scale);
      return (c: Mat) => mulBT(c, qt);
    },
  };
}

/** FNV-1a over a row's float32 bits: a seed that is the same for the same query. */
function hashRow(data: Float32Array, off: number, n: number): number {
  const bits = new Uint32Array(data.buffer, data.byteOffset + off * 4, n);
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (bits[i] as number), 0x01000193) >>> 0;
  return h;
}
