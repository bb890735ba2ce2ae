/**
 * A small seeded PRNG (SplitMix32 mixing of a counter) for reproducible benchmark choices: which
 * rows are known to the attacker, the baselines' permutation and noise, synthetic test data.
 * It is NOT a cryptographic generator and never feeds the cipher; the cipher's own keys and
 * noise come from @sealvec/core.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  gaussian(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  let spare: number | undefined;
  const u32 = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const next = () => (u32() * 2 ** 21 + (u32() >>> 11)) / 2 ** 53;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    gaussian: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      const u1 = 1 - next();
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(rng: Rng, n: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** A point uniform in the d-ball of the given radius, written into `out`. */
export function ballPoint(rng: Rng, radius: number, out: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < out.length; i++) {
    const g = rng.gaussian();
    out[i] = g;
    s += g * g;
  }
  const f = s > 0 ? (radius * Math.pow(1 - rng.next(), 1 / out.length)) / Math.sqrt(s) : 0;
  for (let i = 0; i < out.length; i++) out[i]! *= f;
  return out;
}
