import { describe, expect, it } from 'vitest';
import { InvalidPolicy } from '../errors.js';
import { MAX_VALUE_BYTES } from '../format/constants.js';
import { canonicalValues, compareValues, normalizeValue } from './values.js';

describe('normalizeValue', () => {
  it('accepts ordinary values unchanged and NFC-normalizes the rest', () => {
    expect(normalizeValue('hr_manager')).toBe('hr_manager');
    expect(normalizeValue('human resources')).toBe('human resources');
    // "é" as e + combining acute becomes the single code point.
    expect(normalizeValue('Cafe\u0301')).toBe('Caf\u00e9');
    expect(normalizeValue('Caf\u00e9')).toBe(normalizeValue('Cafe\u0301'));
    expect(normalizeValue('管理')).toBe('管理');
    expect(normalizeValue('x'.repeat(MAX_VALUE_BYTES))).toHaveLength(MAX_VALUE_BYTES);
  });

  it('is case-sensitive', () => {
    expect(normalizeValue('Admin')).not.toBe(normalizeValue('admin'));
  });

  it('rejects every kind of bad value with InvalidPolicy', () => {
    const bad: unknown[] = [
      '', // empty
      '*', // the wildcard
      ' admin', // leading space
      'admin ', // trailing space
      'ad\u0000min', // control
      'ad\nmin', // control
      'ad\u200bmin', // zero-width space (format)
      'ad\u202emin', // bidi override (format)
      'ad\ud800min', // lone surrogate
      'ad\u2028min', // line separator
      'a,b', // CLI separators
      'a;b',
      'a=b',
      'x'.repeat(MAX_VALUE_BYTES + 1), // too long
      'é'.repeat(MAX_VALUE_BYTES / 2 + 1), // too long in UTF-8 bytes, not in characters
      '\u0378', // unassigned
      42,
      null,
      undefined,
      ['admin'],
    ];
    for (const v of bad) expect(() => normalizeValue(v), JSON.stringify(v)).toThrow(InvalidPolicy);
  });
});

describe('canonicalValues', () => {
  it('normalizes, de-duplicates and sorts by UTF-8 bytes', () => {
    expect(canonicalValues(['b', 'a', 'b', 'Cafe\u0301', 'Caf\u00e9'], 'v')).toEqual(['Caf\u00e9', 'a', 'b']);
    // UTF-8 order differs from UTF-16 order for astral vs high BMP characters.
    const astral = '\u{1F600}';
    const highBmp = '\uFF21';
    expect(compareValues(highBmp, astral)).toBeLessThan(0);
    expect(highBmp < astral).toBe(false);
    expect(canonicalValues([astral, highBmp], 'v')).toEqual([highBmp, astral]);
  });
});
