import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBlock, dot, errorBound, simdAvailable, squaredDistance, strideFor, type Metric } from './kernel.js';

const runs = process.env['SLOW'] ? 1000 : 100;

/** float64 reference over the float32 values. */
function ref(metric: Metric, a: Float32Array, q: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += metric === 'l2' ? ((a[i] as number) - (q[i] as number)) ** 2 : (a[i] as number) * (q[i] as number);
  return s;
}

const vec = (d: number) => fc.float32Array({ minLength: d, maxLength: d, noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });

function fill(rows: Float32Array[], q: Float32Array, forceJs: boolean, metric: Metric) {
  const d = q.length;
  const stride = strideFor(d);
  const block = createBlock(rows.length, stride, forceJs);
  block.reserve(rows.length);
  rows.forEach((r, i) => block.data.set(r, i * stride));
  block.query.set(q);
  block.scan(metric, rows.length);
  return block;
}

describe('scoring kernels', () => {
  it('WebAssembly SIMD is available on this runtime (Node >= 16)', () => {
    expect(simdAvailable()).toBe(true);
  });

  it('stride rounds the dimension up to a multiple of 4', () => {
    expect([1, 3, 4, 5, 16, 17].map(strideFor)).toEqual([4, 4, 4, 8, 16, 20]);
  });

  for (const metric of ['l2', 'dot'] as const) {
    it(`${metric}: the SIMD kernel is within its error bound of float64; the JS kernel is float64 (property)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 70 }).chain((d) => fc.tuple(fc.array(vec(d), { minLength: 1, maxLength: 6 }), vec(d))),
          ([rows, q]) => {
            const simd = fill(rows, q, false, metric);
            const js = fill(rows, q, true, metric);
            const gamma = errorBound(simd, strideFor(q.length));
            expect(errorBound(js, strideFor(q.length))).toBe(0);
            rows.forEach((r, i) => {
              const exact = ref(metric, r, q);
              let absSum = 0;
              for (let j = 0; j < r.length; j++) absSum += metric === 'l2' ? ((r[j] as number) - (q[j] as number)) ** 2 : Math.abs((r[j] as number) * (q[j] as number));
              // float64 sums in another order: equal up to float64 rounding
              expect(Math.abs((js.scores[i] as number) - exact)).toBeLessThanOrEqual(1e-14 * absSum);
              // float32 overflow aside, the bound must hold
              if (Number.isFinite(simd.scores[i] as number)) {
                expect(Math.abs((simd.scores[i] as number) - exact)).toBeLessThanOrEqual(gamma * absSum + 1e-38 * r.length);
              }
            });
          },
        ),
        { numRuns: runs },
      );
    });
  }

  it('padding lanes contribute nothing and rows beyond `rows` are not written', () => {
    const d = 5;
    const stride = strideFor(d);
    const block = createBlock(3, stride);
    block.data.set(Float32Array.of(1, 2, 3, 4, 5), 0);
    block.data.set(Float32Array.of(0, 0, 0, 0, 1), stride);
    block.query.set(Float32Array.of(1, 1, 1, 1, 1));
    block.scores.fill(-7);
    block.scan('dot', 2);
    expect(Array.from(block.scores)).toEqual([15, 1, -7]);
    block.scan('l2', 2);
    expect(Array.from(block.scores.subarray(0, 2))).toEqual([0 + 1 + 4 + 9 + 16, 4]);
  });

  for (const forceJs of [false, true]) {
    it(`${forceJs ? 'JS' : 'SIMD'} blocks start small, grow in place keeping their rows, and stop at maxRows`, () => {
      const stride = 256;
      const block = createBlock(1000, stride, forceJs);
      const first = block.capacity;
      expect(first).toBeLessThan(1000);
      block.data.set(Float32Array.of(1, 2, 3), 0);
      block.data.set(Float32Array.of(4, 5, 6), (first - 1) * stride);
      block.reserve(first + 1);
      expect(block.capacity).toBeGreaterThan(first);
      expect(block.data.length).toBe(block.capacity * stride);
      expect(Array.from(block.data.subarray(0, 3))).toEqual([1, 2, 3]);
      expect(Array.from(block.data.subarray((first - 1) * stride, (first - 1) * stride + 3))).toEqual([4, 5, 6]);
      block.query.set(Float32Array.of(1, 1, 1));
      block.scan('dot', first);
      expect(block.scores[0]).toBe(6);
      expect(block.scores[first - 1]).toBe(15);
      block.reserve(1000);
      expect(block.capacity).toBe(1000);
      expect(() => block.reserve(1001)).toThrow(RangeError);
    });
  }

  it('float64 helpers accumulate exactly for small integers', () => {
    const a = Float32Array.of(1, 2, 3);
    const q = Float32Array.of(4, 5, 6);
    expect(dot(a, 0, q, 3)).toBe(32);
    expect(squaredDistance(a, 0, q, 3)).toBe(27);
    expect(dot(Float32Array.of(9, 1, 2, 3), 1, q, 3)).toBe(32);
  });

  it('the error bound grows with the dimension and stays tiny', () => {
    const small = createBlock(1, 4);
    expect(errorBound(small, 4)).toBeGreaterThan(0);
    expect(errorBound(small, 1536)).toBeGreaterThan(errorBound(small, 4));
    expect(errorBound(small, 1536)).toBeLessThan(1e-3);
  });
});
