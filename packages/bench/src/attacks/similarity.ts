/** Cosine similarity between every row of `a` and every row of `b` (rows x rows matrix). */
import { type Mat, mulBT } from '../linalg/matrix.js';

function rowNorms(m: Mat): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += (m.data[i * m.cols + j] as number) ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

export function cosineSimilarities(a: Mat, b: Mat): Mat {
  const g = mulBT(a, b);
  const na = rowNorms(a);
  const nb = rowNorms(b);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      const den = (na[i] as number) * (nb[j] as number);
      g.data[i * b.rows + j] = den > 0 ? (g.data[i * b.rows + j] as number) / den : 0;
    }
  }
  return g;
}
