import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { applyMix, fastMix, invertMix } from './mix-fast.js';
import { applyMixReference, createMix, hadamard, invertMixReference, largestPowerOfTwoAtMost } from './mix.js';

const DIMS = [1, 2, 3, 5, 7, 8, 12, 31, 64, 96, 100, 128, 129, 384, 768, 1536];
const seed = (n: number) => new Uint8Array(32).fill(n);
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * (b[i] as number), 0);

function fast(d: number, n: number, x: Float64Array, inverse = false): Float64Array {
  const m = fastMix(createMix(seed(n), d));
  const y = new Float64Array(d);
  const tmp = new Float64Array(d);
  (inverse ? invertMix : applyMix)(m, x, y, tmp);
  return y;
}

describe('mix v2', () => {
  it('the fused fast path equals the step-by-step reference, forward and inverse, for every dimension shape', () => {
    for (const d of DIMS) {
      const mix = createMix(seed(d), d);
      const x = Float64Array.from({ length: d }, (_, i) => Math.sin(i * 1.7 + 0.3));
      const ref = applyMixReference(mix, x);
      const got = fast(d, d, x);
      for (let i = 0; i < d; i++) expect(got[i]).toBeCloseTo(ref[i]!, 12);
      const back = invertMixReference(mix, ref);
      const backFast = fast(d, d, ref, true);
      for (let i = 0; i < d; i++) {
        expect(back[i]).toBeCloseTo(x[i]!, 12);
        expect(backFast[i]).toBeCloseTo(x[i]!, 12);
      }
    }
  });

  it('is orthogonal: keeps norms and inner products, and the inverse undoes it (random inputs)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DIMS), fc.integer({ min: 0, max: 255 }), fc.integer(), (d, s, salt) => {
        const r = (i: number) => Math.sin(i * 12.9898 + salt) * 43758.5453 % 1;
        const x = Float64Array.from({ length: d }, (_, i) => r(i));
        const z = Float64Array.from({ length: d }, (_, i) => r(i + d));
        const rx = fast(d, s, x);
        const rz = fast(d, s, z);
        expect(norm(rx)).toBeCloseTo(norm(x), 9);
        expect(dot(rx, rz)).toBeCloseTo(dot(x, z), 9);
        const back = fast(d, s, rx, true);
        for (let i = 0; i < d; i++) expect(Math.abs(back[i]! - x[i]!)).toBeLessThan(1e-9);
      }),
      { numRuns: numRuns(60) },
    );
  });

  it('spreads every input coordinate: max |R e_i| < 8 / sqrt(d)', () => {
    for (const d of [100, 128, 384, 768, 1536]) {
      let worst = 0;
      for (let i = 0; i < d; i += Math.max(1, d >> 6)) {
        const e = new Float64Array(d);
        e[i] = 1;
        for (const v of fast(d, 7, e)) worst = Math.max(worst, Math.abs(v));
      }
      expect(worst * Math.sqrt(d)).toBeLessThan(8);
    }
  });

  it('leaves no sign structure: after undoing a public Hadamard, entries are not +-1/sqrt(d) (the v1 weakness)', () => {
    for (const d of [64, 256, 1024]) {
      const e = new Float64Array(d);
      e[3] = 1;
      const h = fast(d, 1, e);
      hadamard(h, 0, d);
      const onGrid = Array.from(h).filter((v) => Math.abs(Math.abs(v) - 1 / Math.sqrt(d)) < 1e-9).length;
      expect(onGrid).toBeLessThan(d / 100);
      const raw = fast(d, 1, e);
      expect(Array.from(raw).filter((v) => Math.abs(Math.abs(v) - 1 / Math.sqrt(d)) < 1e-9).length).toBeLessThan(d / 100);
    }
  });

  it('different seeds give unrelated transforms', () => {
    const d = 384;
    const x = Float64Array.from({ length: d }, (_, i) => Math.cos(i));
    const a = fast(d, 1, x);
    const b = fast(d, 2, x);
    expect(Math.abs(dot(a, b)) / (norm(a) * norm(b))).toBeLessThan(0.2);
  });

  it('largestPowerOfTwoAtMost', () => {
    expect([1, 2, 3, 1536, 1024, 1023].map(largestPowerOfTwoAtMost)).toEqual([1, 2, 2, 1024, 1024, 512]);
  });
});
