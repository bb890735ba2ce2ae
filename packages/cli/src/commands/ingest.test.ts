import { describe, expect, it } from 'vitest';
import type { SchemeFields } from '../scheme.js';
import { betaOptions } from './ingest.js';

const base: SchemeFields = {
  collection: 'c',
  dimension: 4,
  metric: 'cosine',
  beta: 2,
  preset: 'private',
  scale: null,
  maxNorm: null,
  authority: '0123456789abcdef',
  prefilter: true,
  blindIndexFields: [],
  exactVector: true,
  legacyKids: [],
};

describe('betaOptions', () => {
  it('passes the exact beta, scale and maxNorm, and the preset as a label (so the collection keeps its oversampling)', () => {
    expect(betaOptions(base)).toEqual({ beta: 2, preset: 'private' });
    expect(betaOptions({ ...base, metric: 'euclid', scale: 3.7, beta: 1.5 })).toEqual({ beta: 1.5, preset: 'private', scale: 3.7 });
    expect(betaOptions({ ...base, metric: 'dot', maxNorm: 3, beta: 6 })).toEqual({ beta: 6, preset: 'private', maxNorm: 3 });
  });

  it('passes no preset when none was used', () => {
    expect(betaOptions({ ...base, preset: null, beta: 0.7 })).toEqual({ beta: 0.7 });
  });
});
