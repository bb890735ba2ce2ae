import { betaForPreset, PRESETS } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import type { Scheme } from '../scheme.js';
import { betaOptions } from './ingest.js';

const base: Scheme = {
  sealvec: 1,
  dimension: 4,
  storedDimension: 4,
  metric: 'cosine',
  beta: 2,
  preset: 'private',
  maxNorm: null,
  authority: '0123456789abcdef',
  prefilter: true,
  blindIndexFields: [],
  exactVector: true,
};

describe('betaOptions', () => {
  it('passes the preset (so the collection keeps its oversampling) and gives back the same beta', () => {
    expect(betaOptions(base)).toEqual({ preset: 'private' });
    const euclid = { ...base, metric: 'euclid' as const, beta: 3.7 * PRESETS.private.betaRel };
    const o = betaOptions(euclid) as { preset: 'private'; scale: number };
    expect(o.preset).toBe('private');
    expect(o.scale).toBeCloseTo(3.7, 12);
    expect(betaForPreset(o.preset, 'euclid', o.scale)).toBeCloseTo(euclid.beta, 12);
    expect(betaOptions({ ...base, metric: 'dot', storedDimension: 5, maxNorm: 3, beta: 6 })).toEqual({ preset: 'private', maxNorm: 3 });
  });

  it('passes an absolute beta when no preset was used', () => {
    expect(betaOptions({ ...base, preset: null, beta: 0.7 })).toEqual({ beta: 0.7 });
    expect(betaOptions({ ...base, preset: 'custom', beta: 0.7 })).toEqual({ beta: 0.7 });
  });
});
