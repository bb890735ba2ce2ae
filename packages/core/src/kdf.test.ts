import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { primitives } from '#primitives';
import { numRuns } from './__tests__/arbitraries.js';
import { deriveKey, expanderFrom, kdfFrom, LABELS } from './kdf.js';
import { lengthPrefixed, utf8 } from './utils.js';

describe('key derivation', () => {
  const labels = Object.values(LABELS);

  it('deriveKey is HKDF-SHA256 with the protocol salt and a length-prefixed info', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.constantFrom(...labels), fc.string(), (ikm, label, ctx) => {
        const want = primitives.hkdf(ikm, utf8('sealvec/v1'), lengthPrefixed(label, ctx), 32);
        expect(deriveKey(ikm, label, [ctx])).toEqual(want);
        expect(kdfFrom(ikm).derive(label, [ctx])).toEqual(want);
      }),
      { numRuns: numRuns(50) },
    );
  });

  it('expanderFrom(k).derive is exactly HKDF-Expand(k, lp(label, ...ctx), 32)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(...labels), fc.uint8Array({ maxLength: 40 }), (k, label, ctx) => {
        expect(expanderFrom(k).derive(label, [ctx])).toEqual(primitives.hkdfExpand(k, lengthPrefixed(label, ctx), 32));
      }),
      { numRuns: numRuns(50) },
    );
  });

  it('labels are distinct, so no two purposes share a derivation', () => {
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('a destroyed expander refuses to derive', () => {
    const e = expanderFrom(new Uint8Array(32));
    e.destroy();
    expect(() => e.derive(LABELS.recordTag)).toThrow(TypeError);
  });
});
