import { describe, expect, it } from 'vitest';
import { PRESETS } from '@sealvec/core';
import { medianNorm, resolveScheme, type SchemeRequest } from './scheme.js';

const req = (o: Partial<SchemeRequest>): SchemeRequest => ({
  metric: 'cosine',
  preset: undefined,
  beta: undefined,
  scale: undefined,
  maxNorm: undefined,
  prefilter: true,
  blindIndexFields: [],
  exactVector: true,
  ...o,
});

describe('resolveScheme', () => {
  it('takes beta from the preset (relative to the data scale) unless --beta is given', () => {
    expect(resolveScheme(req({}), 4, 'c', '0123456789abcdef', []).beta).toBe(PRESETS.balanced.betaRel);
    expect(resolveScheme(req({ preset: 'private' }), 4, 'c', 'a', []).beta).toBe(PRESETS.private.betaRel);
    expect(resolveScheme(req({ beta: 0.3, preset: 'private' }), 4, 'c', 'a', [])).toMatchObject({ beta: 0.3, preset: null });
    const sample = [Float32Array.of(3, 4), Float32Array.of(6, 8), Float32Array.of(0, 1)];
    expect(medianNorm(sample)).toBe(5);
    const rel = PRESETS.balanced.betaRel;
    expect(resolveScheme(req({ metric: 'euclid' }), 2, 'c', 'a', sample).beta).toBe(5 * rel);
    expect(resolveScheme(req({ metric: 'euclid', scale: 2 }), 2, 'c', 'a', sample).beta).toBe(2 * rel);
    expect(resolveScheme(req({ metric: 'dot', maxNorm: 10 }), 2, 'c', 'a', sample)).toMatchObject({ beta: 10 * rel, maxNorm: 10, scale: null });
    expect(resolveScheme(req({ metric: 'euclid' }), 2, 'c', 'a', sample)).toMatchObject({ scale: 5, collection: 'c', legacyKids: [] });
  });

  it('requires --max-norm for dot', () => {
    expect(() => resolveScheme(req({ metric: 'dot' }), 2, 'c', 'a', [])).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
