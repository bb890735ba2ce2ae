import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK } from './topk.js';

describe('topK', () => {
  it('equals sorting by (value, index) and taking k', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 60 }), fc.integer({ min: 0, max: 70 }), (vals, k) => {
        const expected = vals
          .map((v, i) => ({ v, i }))
          .sort((a, b) => a.v - b.v || a.i - b.i)
          .slice(0, k)
          .map((x) => x.i);
        expect(Array.from(topK(vals, k))).toEqual(expected);
      }),
      { numRuns: process.env.SLOW ? 2000 : 200 },
    );
  });

  it('honours n and rejects a bad k', () => {
    expect(Array.from(topK([5, 1, 0, -1], 2, 2))).toEqual([1, 0]);
    expect(() => topK([1], -1)).toThrow(RangeError);
    expect(() => topK([1], 1.5)).toThrow(RangeError);
  });
});
