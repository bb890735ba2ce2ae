import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from './utf8.js';

describe('utf8Length', () => {
  it('equals the length of the UTF-8 encoding, for any string (lone surrogates included)', () => {
    const enc = new TextEncoder();
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === enc.encode(s).length));
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => utf8Length(s) === enc.encode(s).length));
  });

  it('counts 1, 2, 3 and 4 byte characters', () => {
    expect(utf8Length('a')).toBe(1);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\ud800')).toBe(3);
    expect(utf8Length('')).toBe(0);
  });
});
