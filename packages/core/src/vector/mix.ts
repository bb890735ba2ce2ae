/**
 * The keyed orthogonal mix R of format v2: O(d log d), exactly orthogonal, no padding, and no
 * entry structure an attacker can round to.
 *
 * R is MIX_ROUNDS rounds. Let B be the largest power of two <= d. Round k applies, in order:
 *   1. a keyed random permutation and a keyed random sign flip of every coordinate;
 *   2. a normalized Walsh-Hadamard transform on the head block [0, B);
 *   3. (only when d is not a power of two) a keyed sign flip, then a normalized Walsh-Hadamard
 *      transform on the tail block [d - B, d) (B > d/2, so the blocks overlap);
 *   4. a layer of floor(d/2) Givens rotations on keyed random disjoint pairs of coordinates, each
 *      by its own keyed angle, uniform in [0, 2 pi).
 * Every step is orthogonal, so R is (R^-1 = R^T up to float64 rounding).
 *
 * Why step 4 (format v1 had only 1-3): with signs, permutations and Hadamard blocks alone, every
 * entry of R is +-1/sqrt(d) after undoing the public last Hadamard (for power-of-two d), so an
 * attacker who fits R from known pairs can round each entry to its sign and recover R exactly
 * from about 1.5 d pairs, removing all the fit's noise. Rotations by continuous secret angles,
 * last in every round, leave no finite set of values to round to: R's entries are sums of
 * products of cosines and sines of secret angles. The structured attack and the random-rotation
 * baseline sit side by side in the attack benchmark (packages/bench).
 *
 * This file holds the key schedule and a plain reference implementation (applyMixReference /
 * invertMixReference: one step at a time, easy to check against the description above). The fast
 * path the cipher uses is in mix-fast.ts and is tested against this one.
 */
import { uniformInt, wordSource } from './prf.js';

export const MIX_ROUNDS = 2;

export interface Mix {
  readonly dimension: number;
  /** Hadamard block size: the largest power of two <= dimension. */
  readonly block: number;
  /** Per round: out[i] = in[perm[i]], then times signs[i]. */
  readonly perms: readonly Uint32Array[];
  readonly signs: readonly Float64Array[];
  /** Per round: sign of each coordinate before the tail block (only when d is not a power of two). */
  readonly midSigns: readonly Float64Array[];
  /** Per round: the rotated pairs, pairs[2i] and pairs[2i+1] (2 * floor(d/2) entries). */
  readonly pairs: readonly Uint32Array[];
  /** Per round: cos and sin of each pair's angle. */
  readonly cos: readonly Float64Array[];
  readonly sin: readonly Float64Array[];
}

export function largestPowerOfTwoAtMost(d: number): number {
  let b = 1;
  while (b * 2 <= d) b *= 2;
  return b;
}

const TWO_PI = 2 * Math.PI;
const INV_2_53 = 1 / 2 ** 53;

function shuffle(next: () => number, d: number): Uint32Array {
  const p = new Uint32Array(d);
  for (let i = 0; i < d; i++) p[i] = i;
  for (let i = d - 1; i > 0; i--) {
    const j = uniformInt(next, i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * Derives the mix from a 32-byte seed. One keystream, read in order, per round: the sign bits,
 * the mid sign bits, the Fisher-Yates draws of the permutation, those of the pairing, then two
 * words per angle (53 bits).
 */
export function createMix(seed: Uint8Array, dimension: number): Mix {
  const d = dimension;
  const half = d >>> 1;
  const next = wordSource(seed, 2 * Math.ceil(d / 32) + 2 * d + 2 * half + 64);
  const randomSigns = (): Float64Array => {
    const s = new Float64Array(d);
    let word = 0;
    for (let i = 0; i < d; i++) {
      if ((i & 31) === 0) word = next();
      s[i] = (word >>> (i & 31)) & 1 ? -1 : 1;
    }
    return s;
  };
  const signs: Float64Array[] = [];
  const midSigns: Float64Array[] = [];
  const perms: Uint32Array[] = [];
  const pairs: Uint32Array[] = [];
  const cos: Float64Array[] = [];
  const sin: Float64Array[] = [];
  for (let r = 0; r < MIX_ROUNDS; r++) {
    signs.push(randomSigns());
    midSigns.push(randomSigns());
    perms.push(shuffle(next, d));
    pairs.push(shuffle(next, d).slice(0, 2 * half));
    const c = new Float64Array(half);
    const s = new Float64Array(half);
    for (let i = 0; i < half; i++) {
      const hi = next() >>> 5; // 27 bits
      const lo = next() >>> 6; // 26 bits
      const theta = (hi * 67108864 + lo) * INV_2_53 * TWO_PI;
      c[i] = Math.cos(theta);
      s[i] = Math.sin(theta);
    }
    cos.push(c);
    sin.push(s);
  }
  return { dimension: d, block: largestPowerOfTwoAtMost(d), perms, signs, midSigns, pairs, cos, sin };
}

/** In-place normalized Walsh-Hadamard transform of x[off .. off+n), n a power of two. */
export function hadamard(x: Float64Array, off: number, n: number): void {
  for (let h = 1; h < n; h *= 2) {
    for (let i = off; i < off + n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = x[j]!;
        const b = x[j + h]!;
        x[j] = a + b;
        x[j + h] = a - b;
      }
    }
  }
  const f = 1 / Math.sqrt(n);
  for (let i = off; i < off + n; i++) x[i]! *= f;
}

/** y = R x, one step at a time (the specification). Returns a new array. */
export function applyMixReference(mix: Mix, x: ArrayLike<number>): Float64Array {
  const d = mix.dimension;
  const b = mix.block;
  let y = Float64Array.from(x);
  for (let r = 0; r < MIX_ROUNDS; r++) {
    const p = mix.perms[r]!;
    const s = mix.signs[r]!;
    const t = new Float64Array(d);
    for (let i = 0; i < d; i++) t[i] = y[p[i]!]! * s[i]!;
    y = t;
    hadamard(y, 0, b);
    if (b !== d) {
      const m = mix.midSigns[r]!;
      for (let i = 0; i < d; i++) y[i]! *= m[i]!;
      hadamard(y, d - b, b);
    }
    const q = mix.pairs[r]!;
    const c = mix.cos[r]!;
    const sn = mix.sin[r]!;
    for (let i = 0; i < c.length; i++) {
      const ia = q[2 * i]!;
      const ib = q[2 * i + 1]!;
      const a = y[ia]!;
      const bb = y[ib]!;
      y[ia] = c[i]! * a - sn[i]! * bb;
      y[ib] = sn[i]! * a + c[i]! * bb;
    }
  }
  return y;
}

/** x = R^T y, the steps of applyMixReference undone in reverse order. Returns a new array. */
export function invertMixReference(mix: Mix, yIn: ArrayLike<number>): Float64Array {
  const d = mix.dimension;
  const b = mix.block;
  let y = Float64Array.from(yIn);
  for (let r = MIX_ROUNDS - 1; r >= 0; r--) {
    const q = mix.pairs[r]!;
    const c = mix.cos[r]!;
    const sn = mix.sin[r]!;
    for (let i = 0; i < c.length; i++) {
      const ia = q[2 * i]!;
      const ib = q[2 * i + 1]!;
      const a = y[ia]!;
      const bb = y[ib]!;
      y[ia] = c[i]! * a + sn[i]! * bb;
      y[ib] = -sn[i]! * a + c[i]! * bb;
    }
    if (b !== d) {
      hadamard(y, d - b, b);
      const m = mix.midSigns[r]!;
      for (let i = 0; i < d; i++) y[i]! *= m[i]!;
    }
    hadamard(y, 0, b);
    const p = mix.perms[r]!;
    const s = mix.signs[r]!;
    const t = new Float64Array(d);
    for (let i = 0; i < d; i++) t[p[i]!] = y[i]! * s[i]!;
    y = t;
  }
  return y;
}
