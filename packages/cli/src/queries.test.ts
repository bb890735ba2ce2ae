import { describe, expect, it } from 'vitest';
import { queryFromJsonText } from './queries.js';

describe('queryFromJsonText', () => {
  it('reads one flat array as one query, and arrays of vectors or records as many', () => {
    expect(queryFromJsonText('[1, 2]', 'q').map((q) => [q.id, Array.from(q.vector)])).toEqual([['0', [1, 2]]]);
    expect(queryFromJsonText('[[1, 2], [3, 4]]', 'q').map((q) => q.id)).toEqual(['0', '1']);
    expect(queryFromJsonText('[{"id": "a", "vector": [1, 2]}, {"embedding": [3, 4]}]', 'q').map((q) => q.id)).toEqual(['a', '1']);
    expect(queryFromJsonText('{"id": 7, "vector": [1, 2]}', 'q').map((q) => q.id)).toEqual(['7']);
  });

  it('rejects what is not a query, naming where', () => {
    expect(() => queryFromJsonText('[1, null]', '--query')).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED', message: '--query: "query"[1] is null, expected a number' }));
    expect(() => queryFromJsonText('[1, NaN]', '--query')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_VECTOR' }));
    expect(() => queryFromJsonText('{"id": 1}', 'q.json')).toThrow(expect.objectContaining({ message: 'q.json: query has no "vector" field' }));
    expect(() => queryFromJsonText('"text"', 'q.json')).toThrow(expect.objectContaining({ message: 'q.json: expected a JSON array of numbers' }));
  });
});
