/**
 * Attack (a), known plaintext: the attacker holds n (plaintext, ciphertext) pairs and every
 * stored ciphertext, fits a model of the cipher on the pairs and inverts it on the rest.
 *
 * - `procrustesAttack`: fits c = s x Q + o with Q orthogonal (the cipher's own structure), then
 *   x = (c - o) Q^T / s. Needs about d pairs to pin Q down fully.
 * - `leastSquaresAttack`: fits a free affine map x = c W + b by ridge regression. It knows
 *   nothing of the structure, but with many pairs it also learns the data's covariance, which
 *   makes it an optimal linear (Wiener) estimator in the limit.
 */
import { solveSPD } from '../linalg/cholesky.js';
import { addRow, columnMeans, type Mat, mul, mulBT, mulTA, subtractRow } from '../linalg/matrix.js';
import { applyInverse, procrustes } from '../linalg/procrustes.js';

/**
 * Fitted on centered pairs, then applied to centered targets: the cipher is affine (format v2
 * adds a keyed offset o to s R x), and centering removes any offset exactly.
 */
export function procrustesAttack(knownPlain: Mat, knownCipher: Mat, targets: Mat): Mat {
  const mx = columnMeans(knownPlain);
  const mc = columnMeans(knownCipher);
  return addRow(applyInverse(procrustes(subtractRow(knownPlain, mx), subtractRow(knownCipher, mc)), subtractRow(targets, mc)), mx);
}

/**
 * Ridge weight relative to the mean diagonal of the Gram/covariance matrix: small enough to
 * leave a well-posed fit untouched, large enough to keep Cholesky stable when n <= d.
 */
export const RIDGE = 1e-6;

export function leastSquaresAttack(knownPlain: Mat, knownCipher: Mat, targets: Mat, ridge = RIDGE): Mat {
  const n = knownPlain.rows;
  const d = knownCipher.cols;
  if (knownCipher.rows !== n) throw new RangeError(`"knownCipher" expected ${n} rows, got ${knownCipher.rows}`);
  const mx = columnMeans(knownPlain);
  const mc = columnMeans(knownCipher);
  const xc = subtractRow(knownPlain, mx);
  const cc = subtractRow(knownCipher, mc);
  const tc = subtractRow(targets, mc);
  let est: Mat;
  if (n > d) {
    // W = (Cc^T Cc + a I)^-1 Cc^T Xc
    const g = mulTA(cc, cc);
    addRidge(g, ridge);
    est = mul(tc, solveSPD(g, mulTA(cc, xc)));
  } else {
    // Dual form, n x n: W = Cc^T (Cc Cc^T + a I)^-1 Xc, so x = (t Cc^T) (G + a I)^-1 Xc.
    const g = mulBT(cc, cc);
    addRidge(g, ridge);
    est = mul(mulBT(tc, cc), solveSPD(g, xc));
  }
  return addRow(est, mx);
}

function addRidge(g: Mat, ridge: number): void {
  const n = g.rows;
  let tr = 0;
  for (let i = 0; i < n; i++) tr += g.data[i * n + i] as number;
  const a = Math.max((ridge * tr) / Math.max(1, n), 1e-300);
  for (let i = 0; i < n; i++) g.data[i * n + i]! += a;
}

