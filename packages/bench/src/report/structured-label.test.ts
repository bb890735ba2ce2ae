import { describe, expect, it } from 'vitest';
import { structuredSchemeLabel } from './markdown.js';

describe('structured-attack tables name every scheme', () => {
  it('never shows the format 1 mix (which the attack breaks) under the random rotation\'s name', () => {
    expect(structuredSchemeLabel('sealvec', true)).toBe('mix (createVectorCipher)');
    expect(structuredSchemeLabel('sealvec', false)).toBe('mix');
    expect(structuredSchemeLabel('sealvec-v1', true)).toMatch(/^format 1 mix/);
    expect(structuredSchemeLabel('sealvec-v1', false)).toBe('format 1 mix');
    expect(structuredSchemeLabel('rotation', true)).toBe('random rotation');
    expect(structuredSchemeLabel('something-new', false)).toBe('something-new');
  });
});
