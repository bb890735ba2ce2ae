/**
 * A slow, obvious reference for the mix: R materialized as a dense d x d matrix by multiplying
 * the explicit matrices of every step (sign diagonals, permutation matrices, block Hadamard
 * matrices built by the Sylvester recursion). Used by tests to check the fast path, and by the
 * throughput benchmark as the "dense rotation" baseline. Never used to encrypt.
 */
import { MIX_ROUNDS, type Mix } from './mix-v1.js';

type Dense = Float64Array[]; // rows

function identity(d: number): Dense {
  return Array.from({ length: d }, (_, i) => {
    const r = new Float64Array(d);
    r[i] = 1;
    return r;
  });
}

function multiply(a: Dense, b: Dense): Dense {
  const d = a.length;
  const out: Dense = Array.from({ length: d }, () => new Float64Array(d));
  for (let i = 0; i < d; i++) {
    const ai = a[i]!;
    const oi = out[i]!;
    for (let k = 0; k < d; k++) {
      const v = ai[k]!;
      if (v === 0) continue;
      const bk = b[k]!;
      for (let j = 0; j < d; j++) oi[j]! += v * bk[j]!;
    }
  }
  return out;
}

function diagonal(s: Float64Array): Dense {
  return Array.from({ length: s.length }, (_, i) => {
    const r = new Float64Array(s.length);
    r[i] = s[i]!;
    return r;
  });
}

/** (P x)[i] = x[perm[i]] as a matrix: row i has a 1 in column perm[i]. */
function permutation(perm: Uint32Array): Dense {
  return Array.from({ length: perm.length }, (_, i) => {
    const r = new Float64Array(perm.length);
    r[perm[i]!] = 1;
    return r;
  });
}

/** Sylvester: H_1 = [1], H_2n = [[H, H], [H, -H]], normalized by 1/sqrt(n). */
export function hadamardMatrix(n: number): Dense {
  let h: number[][] = [[1]];
  while (h.length < n) {
    const m = h.length;
    const next: number[][] = [];
    for (let i = 0; i < 2 * m; i++) {
      const row: number[] = [];
      for (let j = 0; j < 2 * m; j++) {
        const v = h[i % m]![j % m]!;
        row.push(i >= m && j >= m ? -v : v);
      }
      next.push(row);
    }
    h = next;
  }
  const f = 1 / Math.sqrt(n);
  return h.map((r) => Float64Array.from(r, (v) => v * f));
}

/** The block-diagonal embedding of H_b at offset `off` in a d x d identity. */
function embeddedHadamard(d: number, b: number, off: number): Dense {
  const h = hadamardMatrix(b);
  const m = identity(d);
  for (let i = 0; i < b; i++) {
    const row = new Float64Array(d);
    for (let j = 0; j < b; j++) row[off + j] = h[i]![j]!;
    m[off + i] = row;
  }
  return m;
}

/** R as a dense matrix: rows of the product (last step leftmost). */
export function denseMix(mix: Mix): Dense {
  const d = mix.dimension;
  const b = mix.block;
  let m = identity(d);
  for (let r = 0; r < MIX_ROUNDS; r++) {
    m = multiply(diagonal(mix.signs[r]!), m);
    m = multiply(permutation(mix.perms[r]!), m);
    m = multiply(embeddedHadamard(d, b, 0), m);
    if (b !== d) {
      m = multiply(diagonal(mix.midSigns[r]!), m);
      m = multiply(embeddedHadamard(d, b, d - b), m);
    }
  }
  return m;
}

export function denseApply(m: Dense, x: ArrayLike<number>): Float64Array {
  const d = m.length;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const r = m[i]!;
    let s = 0;
    for (let j = 0; j < d; j++) s += r[j]! * (x[j] as number);
    out[i] = s;
  }
  return out;
}
