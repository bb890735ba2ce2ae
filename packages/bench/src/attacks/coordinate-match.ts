/**
 * A known-plaintext attack aimed at coordinate shuffles: for each ciphertext coordinate, find
 * the plaintext coordinate (and sign) whose values over the known pairs correlate best, and
 * read the estimate off directly. Against a shuffle ten pairs are plenty; against a mix that
 * spreads every coordinate over all outputs, no single coordinate explains another and the
 * estimate is poor. It is run on every scheme so the contrast is measured, not asserted.
 */
import { columnMeans, type Mat, mulTA, subtractRow, zeros } from '../linalg/matrix.js';

export function coordinateMatchAttack(knownPlain: Mat, knownCipher: Mat, targets: Mat): Mat {
  const d = knownPlain.cols;
  const mx = columnMeans(knownPlain);
  const mc = columnMeans(knownCipher);
  const xc = subtractRow(knownPlain, mx);
  const cc = subtractRow(knownCipher, mc);
  // cov[p][j] = sum_i xc[i][p] * cc[i][j]
  const cov = mulTA(xc, cc);
  const sx = new Float64Array(d);
  const sc = new Float64Array(d);
  for (let i = 0; i < xc.rows; i++) {
    for (let c = 0; c < d; c++) {
      sx[c]! += (xc.data[i * d + c] as number) ** 2;
      sc[c]! += (cc.data[i * d + c] as number) ** 2;
    }
  }
  const est = zeros(targets.rows, d);
  const weight = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let best = -1;
    let bestCorr = 0;
    let bestSlope = 0;
    for (let p = 0; p < d; p++) {
      const cv = cov.data[p * d + j] as number;
      const den = Math.sqrt((sx[p] as number) * (sc[j] as number));
      const corr = den > 0 ? cv / den : 0;
      if (Math.abs(corr) > Math.abs(bestCorr)) {
        bestCorr = corr;
        best = p;
        bestSlope = (sc[j] as number) > 0 ? cv / (sc[j] as number) : 0;
      }
    }
    if (best < 0) continue;
    // Several ciphertext coordinates may point at one plaintext coordinate; average them.
    weight[best]! += 1;
    for (let r = 0; r < targets.rows; r++) {
      est.data[r * d + best]! += (mx[best] as number) + bestSlope * ((targets.data[r * d + j] as number) - (mc[j] as number));
    }
  }
  for (let r = 0; r < targets.rows; r++) {
    for (let p = 0; p < d; p++) {
      const w = weight[p] as number;
      est.data[r * d + p] = w > 0 ? (est.data[r * d + p] as number) / w : (mx[p] as number);
    }
  }
  return est;
}
