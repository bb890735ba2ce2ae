/**
 * The keyed orthogonal mix R: O(d log d), exactly orthogonal, no padding.
 *
 * R is ROUNDS rounds. Let B be the largest power of two <= d. Round k applies, in order:
 *   1. a keyed random sign flip of every coordinate, and a keyed random permutation;
 *   2. a normalized Walsh-Hadamard transform on the head block [0, B);
 *   3. (only when d is not a power of two) a second keyed sign flip, then a normalized
 *      Walsh-Hadamard transform on the tail block [d - B, d).
 * B > d/2, so head and tail overlap and every coordinate passes through a Hadamard block in
 * every round. Every step is orthogonal, so R is orthogonal (R^-1 = R^T, up to float64 rounding)
 * and keeps the dimension. A permutation alone would not do: it keeps each value intact.
 * The sign flip between the two blocks matters: without it, the tail block acts on a structured
 * Walsh pattern left by the head block and partly re-concentrates it (we measured a basis vector
 * keeping 7% of its energy in one output coordinate at d = 1536).
 */
import { uniformInt, wordSource } from './prf.js';
import { fwht } from './fwht.js';

export const MIX_ROUNDS = 2;

export interface Mix {
  readonly dimension: number;
  /** Hadamard block size: the largest power of two <= dimension. */
  readonly block: number;
  /** Per round: sign (+1/-1) of each coordinate before the permutation. */
  readonly signs: readonly Float64Array[];
  /** Per round: sign of each coordinate between the head and tail blocks (d not a power of two). */
  readonly midSigns: readonly Float64Array[];
  /** Per round: out[i] = in[perm[i]]. */
  readonly perms: readonly Uint32Array[];
  /** Per round: the inverse permutation. */
  readonly inversePerms: readonly Uint32Array[];
  /**
   * Fused multipliers for the fast path, derived from the above (see applyMix):
   * forward[r][i] = signs[r][perm[r][i]] times the previous round's pending normalization.
   */
  readonly forward: readonly Float64Array[];
  /** mid[r][i] = midSigns[r][i] times 1/sqrt(B) when i is in the head block. */
  readonly mid: readonly Float64Array[];
  /** The last round's pending normalization, per coordinate (1 or 1/sqrt(B)). */
  readonly finalScale: Float64Array;
}

export function largestPowerOfTwoAtMost(d: number): number {
  let b = 1;
  while (b * 2 <= d) b *= 2;
  return b;
}

/**
 * Derives the mix from a 32-byte seed. One keystream, read in order: for each round, the sign
 * bits, the mid sign bits, then the Fisher-Yates draws of the permutation.
 */
export function createMix(seed: Uint8Array, dimension: number): Mix {
  const signs: Float64Array[] = [];
  const midSigns: Float64Array[] = [];
  const perms: Uint32Array[] = [];
  const inversePerms: Uint32Array[] = [];
  const next = wordSource(seed, 2 * Math.ceil(dimension / 32) + dimension + 64);
  const randomSigns = (): Float64Array => {
    const s = new Float64Array(dimension);
    let word = 0;
    for (let i = 0; i < dimension; i++) {
      if ((i & 31) === 0) word = next();
      s[i] = (word >>> (i & 31)) & 1 ? -1 : 1;
    }
    return s;
  };
  for (let r = 0; r < MIX_ROUNDS; r++) {
    signs.push(randomSigns());
    midSigns.push(randomSigns());
    const p = new Uint32Array(dimension);
    for (let i = 0; i < dimension; i++) p[i] = i;
    for (let i = dimension - 1; i > 0; i--) {
      const j = uniformInt(next, i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    perms.push(p);
    const inv = new Uint32Array(dimension);
    for (let i = 0; i < dimension; i++) inv[p[i]!] = i;
    inversePerms.push(inv);
  }
  const block = largestPowerOfTwoAtMost(dimension);
  return { dimension, block, signs, midSigns, perms, inversePerms, ...fuse(dimension, block, signs, midSigns, perms) };
}

/**
 * Precomputes the multipliers that let each round run as: one pass that permutes, flips signs
 * and applies the previous round's pending block normalization; the head Hadamard; one pass
 * that normalizes the head block and applies the mid signs; the tail Hadamard. The tail's
 * normalization is left pending for the next round's first pass (or `finalScale`).
 * When d is a power of two there is only the head block, whose normalization is pending instead.
 */
function fuse(
  d: number,
  b: number,
  signs: Float64Array[],
  midSigns: Float64Array[],
  perms: Uint32Array[],
): { forward: Float64Array[]; mid: Float64Array[]; finalScale: Float64Array } {
  const norm = 1 / Math.sqrt(b);
  const twoBlocks = b !== d;
  // pending[i]: normalization owed by coordinate i after a round.
  const pending = new Float64Array(d);
  for (let i = 0; i < d; i++) pending[i] = twoBlocks ? (i >= d - b ? norm : 1) : norm;
  const forward: Float64Array[] = [];
  const mid: Float64Array[] = [];
  for (let r = 0; r < signs.length; r++) {
    const p = perms[r]!;
    const s = signs[r]!;
    const f = new Float64Array(d);
    for (let i = 0; i < d; i++) f[i] = s[p[i]!]! * (r === 0 ? 1 : pending[p[i]!]!);
    forward.push(f);
    const m = new Float64Array(d);
    for (let i = 0; i < d; i++) m[i] = twoBlocks ? midSigns[r]![i]! * (i < b ? norm : 1) : 1;
    mid.push(m);
  }
  return { forward, mid, finalScale: pending };
}

function scale(x: Float64Array, off: number, n: number, f: number): void {
  for (let i = off, end = off + n; i < end; i++) x[i]! *= f;
}

/**
 * y = R x. `x` is read, `y` receives the result, `tmp` is scratch; all of length d (Float64Array).
 * `y` and `x` may be the same array. Mathematically the steps described at the top of this file;
 * the sign flips and normalizations are fused into two passes per round (see `fuse`).
 */
export function applyMix(mix: Mix, x: Float64Array, y: Float64Array, tmp: Float64Array): void {
  const d = mix.dimension;
  const b = mix.block;
  const tailStart = d - b;
  if (y !== x) y.set(x.subarray(0, d));
  for (let r = 0; r < MIX_ROUNDS; r++) {
    const f = mix.forward[r]!;
    const p = mix.perms[r]!;
    tmp.set(y.subarray(0, d));
    for (let i = 0; i < d; i++) y[i] = tmp[p[i]!]! * f[i]!;
    fwht(y, 0, b);
    if (tailStart > 0) {
      const m = mix.mid[r]!;
      for (let i = 0; i < d; i++) y[i]! *= m[i]!;
      fwht(y, tailStart, b);
    }
  }
  const fs = mix.finalScale;
  for (let i = 0; i < d; i++) y[i]! *= fs[i]!;
}

/** x = R^T y (the exact inverse of applyMix). Same buffer rules. */
export function invertMix(mix: Mix, y: Float64Array, x: Float64Array, tmp: Float64Array): void {
  const d = mix.dimension;
  const b = mix.block;
  const norm = 1 / Math.sqrt(b);
  const tailStart = d - b;
  if (x !== y) x.set(y.subarray(0, d));
  for (let r = MIX_ROUNDS - 1; r >= 0; r--) {
    if (tailStart > 0) {
      fwht(x, tailStart, b);
      scale(x, tailStart, b, norm);
      const m = mix.midSigns[r]!;
      for (let i = 0; i < d; i++) x[i]! *= m[i]!;
    }
    fwht(x, 0, b);
    scale(x, 0, b, norm);
    const s = mix.signs[r]!;
    const inv = mix.inversePerms[r]!;
    for (let i = 0; i < d; i++) tmp[i] = x[inv[i]!]!;
    for (let i = 0; i < d; i++) x[i] = tmp[i]! * s[i]!;
  }
}
