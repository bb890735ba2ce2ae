import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fwht } from './fwht.js';
import { applyMix, createMix, invertMix, largestPowerOfTwoAtMost } from './mix-v1.js';
import { denseApply, denseMix, hadamardMatrix } from './mix-v1.reference.js';

const runs = process.env.SLOW ? 500 : 40;
const dims = [1, 2, 3, 5, 8, 31, 100, 128, 129, 255, 384];

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const dimArb = fc.constantFrom(...dims);

function vec(d: number, values: number[]): Float64Array {
  return Float64Array.from({ length: d }, (_, i) => values[i % values.length] ?? 0);
}

// Values far from float64's underflow range (products of two ~1e-200 values are subnormal, which
// is a property of float64, not of the mix).
const valuesArb = fc.array(
  fc.double({ min: -10, max: 10, noNaN: true }).map((v) => (Math.abs(v) < 1e-6 ? 0 : v)),
  { minLength: 1, maxLength: 64 },
);

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('mix R', () => {
  it('preserves norms and inner products (float64, 1e-9 relative)', () => {
    fc.assert(
      fc.property(seedArb, dimArb, valuesArb, valuesArb, (seed, d, va, vb) => {
        const mix = createMix(seed, d);
        const a = vec(d, va);
        const b = vec(d, vb);
        const ra = new Float64Array(d);
        const rb = new Float64Array(d);
        const t = new Float64Array(d);
        applyMix(mix, a, ra, t);
        applyMix(mix, b, rb, t);
        const scale = Math.sqrt(dot(a, a) * dot(b, b)) + 1e-300;
        expect(Math.abs(dot(ra, rb) - dot(a, b)) / scale).toBeLessThan(1e-9);
        expect(Math.abs(Math.sqrt(dot(ra, ra)) - Math.sqrt(dot(a, a)))).toBeLessThanOrEqual(1e-9 * Math.sqrt(dot(a, a)) + 1e-300);
      }),
      { numRuns: runs },
    );
  });

  it('is inverted exactly by invertMix', () => {
    fc.assert(
      fc.property(seedArb, dimArb, valuesArb, (seed, d, va) => {
        const mix = createMix(seed, d);
        const a = vec(d, va);
        const y = new Float64Array(d);
        const back = new Float64Array(d);
        const t = new Float64Array(d);
        applyMix(mix, a, y, t);
        invertMix(mix, y, back, t);
        for (let i = 0; i < d; i++) expect(Math.abs(back[i]! - a[i]!)).toBeLessThan(1e-9 * (1 + Math.abs(a[i]!)));
      }),
      { numRuns: runs },
    );
  });

  it('agrees with the dense reference (R materialized from explicit step matrices)', () => {
    fc.assert(
      fc.property(seedArb, fc.constantFrom(1, 3, 8, 12, 37, 64, 100), valuesArb, (seed, d, va) => {
        const mix = createMix(seed, d);
        const m = denseMix(mix);
        const x = vec(d, va);
        const fast = new Float64Array(d);
        applyMix(mix, x, fast, new Float64Array(d));
        const slow = denseApply(m, x);
        for (let i = 0; i < d; i++) expect(fast[i]!).toBeCloseTo(slow[i]!, 9);
      }),
      { numRuns: process.env.SLOW ? 100 : 15 },
    );
  });

  // A random orthogonal matrix has max |entry| about sqrt(2 ln(d^2) / d), i.e. ~5.4/sqrt(d) at
  // d = 1536. We require every basis vector's image to stay below 8/sqrt(d): no coordinate keeps
  // more than 64/d of an input coordinate's energy. A permutation (max 1) or the naive head+tail
  // block design (10.6/sqrt(d) at d = 1536) fails this.
  it.each([100, 384, 768, 784, 1536])('spreads every basis vector: max |(R e_i)_j| <= 8/sqrt(d) at d=%i', (d) => {
    const mix = createMix(new Uint8Array(32).fill(d % 251), d);
    const e = new Float64Array(d);
    const t = new Float64Array(d);
    let worst = 0;
    for (let i = 0; i < d; i++) {
      e.fill(0);
      e[i] = 1;
      applyMix(mix, e, e, t);
      for (const v of e) worst = Math.max(worst, Math.abs(v));
    }
    expect(worst * Math.sqrt(d)).toBeLessThan(8);
    // and it is not the identity/permutation: every image has at least d/4 non-negligible entries
    e.fill(0);
    e[0] = 1;
    applyMix(mix, e, e, t);
    expect(e.filter((v) => Math.abs(v) > 0.1 / Math.sqrt(d)).length).toBeGreaterThan(d / 4);
  });

  it('depends on the seed: different seeds give unrelated transforms', () => {
    const d = 256;
    const a = createMix(new Uint8Array(32).fill(1), d);
    const b = createMix(new Uint8Array(32).fill(2), d);
    const x = Float64Array.from({ length: d }, (_, i) => Math.sin(i + 1));
    const ra = new Float64Array(d);
    const rb = new Float64Array(d);
    applyMix(a, x, ra, new Float64Array(d));
    applyMix(b, x, rb, new Float64Array(d));
    const cos = dot(ra, rb) / Math.sqrt(dot(ra, ra) * dot(rb, rb));
    expect(Math.abs(cos)).toBeLessThan(0.3);
  });
});

describe('fwht', () => {
  it('equals multiplication by the unnormalized Sylvester Hadamard matrix', () => {
    for (const n of [1, 2, 4, 8, 16, 32, 64, 128]) {
      const x = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 13 - 6);
      const y = Float64Array.from(x);
      fwht(y, 0, n);
      const h = hadamardMatrix(n);
      const f = Math.sqrt(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += h[i]![j]! * f * x[j]!;
        expect(y[i]!).toBeCloseTo(s, 9);
      }
    }
  });
  it('largestPowerOfTwoAtMost', () => {
    expect([1, 2, 3, 100, 128, 1536, 3072].map(largestPowerOfTwoAtMost)).toEqual([1, 2, 2, 64, 128, 1024, 2048]);
  });
});
