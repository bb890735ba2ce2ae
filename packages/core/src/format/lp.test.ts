import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { lengthPrefixed } from '../utils.js';
import { lp } from './lp.js';

describe('lp', () => {
  it('encodes exactly like lengthPrefixed (ASCII, any Unicode, bytes, empty)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 40 })), { maxLength: 8 }), (fields) => {
        expect(lp(...fields)).toEqual(lengthPrefixed(...fields));
      }),
      { numRuns: numRuns(300) },
    );
    expect(lp()).toEqual(new Uint8Array(0));
    expect(Array.from(lp('a', 'é'))).toEqual([0, 0, 0, 1, 97, 0, 0, 0, 2, 0xc3, 0xa9]);
  });
});
