/**
 * Orthogonal Procrustes with scale: given n pairs, find the scale s and orthogonal Q that
 * minimize |C - s X Q| (rows are vectors, so c = s x Q). This is the known-plaintext attacker's
 * model of the cipher c = s R(x) + noise: R is orthogonal by design, so fitting an orthogonal map
 * needs far fewer pairs than a free linear one.
 *
 * With fewer pairs than dimensions only the part of Q acting on the span of the known
 * plaintexts is determined; we return that partial isometry, so estimates land in the span of
 * the known plaintexts (itself a mild form of denoising) instead of in random directions.
 *
 * The SVD of M = X^T C comes from the eigendecomposition of M^T M, computed in the row space of
 * C when n < d so the cost is O(min(n, d)^3).
 */
import { symmetricEigen } from './eigen.js';
import { frobeniusSq, type Mat, mul, mulBT, mulTA, zeros } from './matrix.js';

export interface ProcrustesFit {
  readonly scale: number;
  /** d x d map from ciphertext rows to plaintext estimates: x = c W / s, with W = Q^T. */
  readonly inverse: Mat;
  /** Rank of the fitted map (min(n, d) unless the data are degenerate). */
  readonly rank: number;
}

/** Rows of an orthonormal basis of the row space of `a` (modified Gram-Schmidt, run twice). */
export function rowSpaceBasis(a: Mat): Mat {
  const d = a.cols;
  const basis: Float64Array[] = [];
  let maxNorm = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (a.data[i * d + c] as number) ** 2;
    maxNorm = Math.max(maxNorm, Math.sqrt(s));
  }
  for (let i = 0; i < a.rows; i++) {
    const v = a.data.slice(i * d, (i + 1) * d);
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let t = 0;
        for (let c = 0; c < d; c++) t += (v[c] as number) * (b[c] as number);
        for (let c = 0; c < d; c++) v[c]! -= t * (b[c] as number);
      }
    }
    let s = 0;
    for (let c = 0; c < d; c++) s += (v[c] as number) ** 2;
    const nv = Math.sqrt(s);
    if (nv > 1e-10 * maxNorm) {
      for (let c = 0; c < d; c++) v[c]! /= nv;
      basis.push(v);
    }
  }
  const out = zeros(basis.length, d);
  basis.forEach((b, i) => out.data.set(b, i * d));
  return out;
}

export function procrustes(x: Mat, c: Mat): ProcrustesFit {
  if (x.rows !== c.rows || x.cols !== c.cols) {
    throw new RangeError(`"x" and "c" expected the same shape, got ${x.rows}x${x.cols} and ${c.rows}x${c.cols}`);
  }
  if (x.rows < 1) throw new RangeError('"x" expected at least one pair');
  const d = x.cols;
  // M = X^T C = P B, with B's rows orthonormal (B = I when n >= d).
  let P: Mat;
  let B: Mat | undefined;
  if (x.rows >= d) {
    P = mulTA(x, c);
  } else {
    B = rowSpaceBasis(c);
    P = mulTA(x, mulBT(c, B)); // X^T (C B^T): d x r
  }
  const r = P.cols;
  const ptp = mulTA(P, P);
  for (let i = 0; i < r; i++) for (let j = 0; j < i; j++) ptp.data[j * r + i] = ptp.data[i * r + j] as number;
  const eig = symmetricEigen(ptp);
  const sigmaMax = Math.sqrt(Math.max(0, eig.values[0] ?? 0));
  let rank = 0;
  let traceS = 0;
  while (rank < r) {
    const sigma = Math.sqrt(Math.max(0, eig.values[rank] as number));
    if (!(sigma > 1e-10 * sigmaMax)) break;
    traceS += sigma;
    rank++;
  }
  // P = U S Vp^T. Rows of Vr are vp_j; U^T = Vr P^T / sigma; V^T = Vr B (or Vr when B = I).
  const Vr: Mat = { rows: rank, cols: r, data: eig.vectors.data.slice(0, rank * r) };
  const Ut = mulBT(Vr, P);
  for (let j = 0; j < rank; j++) {
    const f = 1 / Math.sqrt(eig.values[j] as number);
    for (let k = 0; k < d; k++) Ut.data[j * d + k]! *= f;
  }
  const Vt = B ? mul(Vr, B) : Vr;
  // inverse = V U^T = sum_j v_j u_j^T.
  const inverse = rank > 0 ? mulTA(Vt, Ut) : zeros(d, d);
  const xx = frobeniusSq(x);
  const scale = xx > 0 ? traceS / xx : 0;
  return { scale, inverse, rank };
}

/** Plaintext estimates x = c W / s for every row of `c`. */
export function applyInverse(fit: ProcrustesFit, c: Mat): Mat {
  const out = mul(c, fit.inverse);
  const f = fit.scale > 0 ? 1 / fit.scale : 0;
  for (let i = 0; i < out.data.length; i++) out.data[i]! *= f;
  return out;
}
