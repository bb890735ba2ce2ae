import { describe, expect, it } from 'vitest';
import { costLine, parseWhere } from './search.js';

describe('parseWhere', () => {
  it('reads values as JSON when they parse, else as text', () => {
    expect(parseWhere(['status="open"', 'year=2020', 'ok=true', 'name=Ada Lovelace', 'eq=a=b'])).toEqual({
      status: 'open',
      year: 2020,
      ok: true,
      name: 'Ada Lovelace',
      eq: 'a=b',
    });
  });

  it('is a usage error without a field, or with a field twice', () => {
    expect(() => parseWhere(['=x'])).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseWhere(['novalue'])).toThrow(expect.objectContaining({ exitCode: 2, message: '--where expected FIELD=VALUE, got "novalue"' }));
    expect(() => parseWhere(['a=1', 'a=2'])).toThrow(expect.objectContaining({ message: '--where gives a twice' }));
  });
});

describe('costLine (the re-rank depth and what it cost, on stderr)', () => {
  it("names the preset's depth, an explicit oversample or candidate count, and the median time", () => {
    expect(costLine('balanced', {}, 40, [30, 10, 20])).toBe('sealvec: re-rank depth k x 40 = 400 candidates (preset balanced); 20.0 ms per query (median of 3, store round trips included)');
    expect(costLine('fast', { k: 5, oversample: 100 }, 4, [7.25])).toBe('sealvec: re-rank depth k x 100 = 500 candidates (--oversample); 7.3 ms per query (median of 1, store round trips included)');
    expect(costLine(null, { candidates: 250 }, 4, [1, 2, 3, 4])).toMatch(/^sealvec: re-rank depth 250 candidates \(--candidates\); 2\.0 ms per query \(median of 4/);
    expect(costLine('private', { rerank: false }, 40, [1])).toMatch(/re-rank depth none \(--no-rerank\)/);
  });
});
