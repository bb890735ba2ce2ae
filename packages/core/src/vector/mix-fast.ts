/**
 * The mix of mix.ts with its steps fused into as few passes as the structure allows (the cipher's
 * hot path), checked against mix.ts's reference implementation in mix.test.ts.
 *
 * Per round, forward: one gather pass (permutation and signs); the head Hadamard, unnormalized;
 * when d is not a power of two, one pass with the mid signs and the head's 1/sqrt(B), then the
 * tail Hadamard, unnormalized; then the Givens layer, whose coefficients also carry the pending
 * 1/sqrt(B) of whichever block each coordinate left last. Inverse: the same passes undone.
 */
import { largestPowerOfTwoAtMost, MIX_ROUNDS, type Mix } from './mix.js';
import { fwht } from './fwht.js';

export interface FastMix {
  readonly dimension: number;
  readonly block: number;
  readonly perms: readonly Uint32Array[];
  readonly signs: readonly Float64Array[];
  /** mid[i] = midSign[i] * (i < B ? 1/sqrt(B) : 1) (forward, two blocks only). */
  readonly mid: readonly Float64Array[];
  /** Inverse mid multipliers: midSign[i] * (i >= d - B ? 1/sqrt(B) : 1). */
  readonly midInv: readonly Float64Array[];
  /** Inverse scatter multipliers: sign[i] * (i < B ? 1/sqrt(B) : 1). */
  readonly scatter: readonly Float64Array[];
  readonly pairs: readonly Uint32Array[];
  /** Per pair, forward coefficients with the pending normalization folded in: ca, sb, sa, cb. */
  readonly coef: readonly Float64Array[];
  /** Plain cos and sin (the inverse rotation needs no normalization). */
  readonly cos: readonly Float64Array[];
  readonly sin: readonly Float64Array[];
  /** The coordinate left out of the pairs when d is odd (-1 otherwise). */
  readonly unpaired: readonly number[];
}

export function fastMix(mix: Mix): FastMix {
  const d = mix.dimension;
  const b = largestPowerOfTwoAtMost(d);
  const norm = 1 / Math.sqrt(b);
  const two = b !== d;
  const pending = (i: number): number => (two ? (i >= d - b ? norm : 1) : norm);
  const mid: Float64Array[] = [];
  const midInv: Float64Array[] = [];
  const scatter: Float64Array[] = [];
  const coef: Float64Array[] = [];
  const unpaired: number[] = [];
  for (let r = 0; r < MIX_ROUNDS; r++) {
    const ms = mix.midSigns[r]!;
    mid.push(Float64Array.from({ length: d }, (_, i) => ms[i]! * (i < b ? norm : 1)));
    midInv.push(Float64Array.from({ length: d }, (_, i) => ms[i]! * (i >= d - b ? norm : 1)));
    const s = mix.signs[r]!;
    scatter.push(Float64Array.from({ length: d }, (_, i) => s[i]! * (i < b ? norm : 1)));
    const q = mix.pairs[r]!;
    const c = mix.cos[r]!;
    const sn = mix.sin[r]!;
    const k = new Float64Array(4 * c.length);
    for (let i = 0; i < c.length; i++) {
      const na = pending(q[2 * i]!);
      const nb = pending(q[2 * i + 1]!);
      k[4 * i] = c[i]! * na;
      k[4 * i + 1] = sn[i]! * nb;
      k[4 * i + 2] = sn[i]! * na;
      k[4 * i + 3] = c[i]! * nb;
    }
    coef.push(k);
    let u = -1;
    if (d % 2 === 1) {
      const used = new Uint8Array(d);
      for (const i of q) used[i] = 1;
      u = used.indexOf(0);
    }
    unpaired.push(u);
  }
  return {
    dimension: d,
    block: b,
    perms: mix.perms,
    signs: mix.signs,
    mid,
    midInv,
    scatter,
    pairs: mix.pairs,
    coef,
    cos: mix.cos,
    sin: mix.sin,
    unpaired,
  };
}

/** y = R x. `x` is read, `y` receives the result, `tmp` is scratch; all of length >= d. y may be x. */
export function applyMix(m: FastMix, x: Float64Array, y: Float64Array, tmp: Float64Array): void {
  const d = m.dimension;
  const b = m.block;
  const two = b !== d;
  const norm = 1 / Math.sqrt(b);
  if (y !== x) y.set(x.subarray(0, d));
  for (let r = 0; r < MIX_ROUNDS; r++) {
    const p = m.perms[r]!;
    const s = m.signs[r]!;
    tmp.set(y.subarray(0, d));
    for (let i = 0; i < d; i++) y[i] = tmp[p[i]!]! * s[i]!;
    fwht(y, 0, b);
    if (two) {
      const mid = m.mid[r]!;
      for (let i = 0; i < d; i++) y[i]! *= mid[i]!;
      fwht(y, d - b, b);
    }
    const q = m.pairs[r]!;
    const k = m.coef[r]!;
    for (let i = 0, n = q.length >>> 1; i < n; i++) {
      const ia = q[2 * i]!;
      const ib = q[2 * i + 1]!;
      const a = y[ia]!;
      const c = y[ib]!;
      y[ia] = k[4 * i]! * a - k[4 * i + 1]! * c;
      y[ib] = k[4 * i + 2]! * a + k[4 * i + 3]! * c;
    }
    const u = m.unpaired[r]!;
    if (u >= 0) y[u]! *= two ? (u >= d - b ? norm : 1) : norm;
  }
}

/** x = R^T y (the exact inverse of applyMix). Same buffer rules. */
export function invertMix(m: FastMix, y: Float64Array, x: Float64Array, tmp: Float64Array): void {
  const d = m.dimension;
  const b = m.block;
  const two = b !== d;
  if (x !== y) x.set(y.subarray(0, d));
  for (let r = MIX_ROUNDS - 1; r >= 0; r--) {
    const q = m.pairs[r]!;
    const c = m.cos[r]!;
    const sn = m.sin[r]!;
    for (let i = 0, n = c.length; i < n; i++) {
      const ia = q[2 * i]!;
      const ib = q[2 * i + 1]!;
      const a = x[ia]!;
      const e = x[ib]!;
      x[ia] = c[i]! * a + sn[i]! * e;
      x[ib] = c[i]! * e - sn[i]! * a;
    }
    // After the inverse rotations every coordinate (the unpaired one of odd d included) holds its
    // normalized block output; the 1/sqrt(B) of each raw inverse Hadamard rides on the next pass.
    if (two) {
      fwht(x, d - b, b);
      const mi = m.midInv[r]!;
      for (let i = 0; i < d; i++) x[i]! *= mi[i]!;
    }
    fwht(x, 0, b);
    const p = m.perms[r]!;
    const sc = m.scatter[r]!;
    tmp.set(x.subarray(0, d));
    for (let i = 0; i < d; i++) x[p[i]!] = tmp[i]! * sc[i]!;
  }
}
