import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readJsonArray } from './json-array.js';
import { bufferSource } from './source.js';
import { all, rows } from './test-support.js';

const src = (text: string, chunks?: number | number[]) => bufferSource('in.json', text, chunks);

describe('readJsonArray', () => {
  it('reads an array of records and of bare vectors, with the line of each element', async () => {
    const text = '[\n  {"id": "a", "vector": [1, 2], "payload": {"t": "x, ]\\"}"}},\n  [3, 4]\n]\n';
    const recs = await all(readJsonArray(src(text)));
    expect(recs.map((r) => [r.id, r.where, r.payload])).toEqual([
      ['a', 'in.json:2', { t: 'x, ]"}' }],
      ['1', 'in.json:3', undefined],
    ]);
    expect(rows(recs)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('reads an empty array as no records', async () => {
    expect(await all(readJsonArray(src(' [ ] ')))).toEqual([]);
  });

  it('rejects what is not one well-formed array', async () => {
    const bad: [string, string][] = [
      ['{"vector": [1]}', 'in.json:1: expected a JSON array ("[") of records'],
      ['[[1, 2], [3, 4]', 'in.json:1: the JSON array is not closed (file truncated?)'],
      ['[[1, 2],, [3, 4]]', 'in.json:1: malformed JSON (missing array element)'],
      ['[[1, 2],]', 'in.json:1: malformed JSON (missing array element)'],
      ['[[1, 2]] x', 'in.json:1: unexpected data after the end of the JSON array'],
      ['[\n[1, 2],\n{"vector": [1, }\n]', 'in.json:3: malformed JSON (unexpected "}")'],
    ];
    for (const [text, message] of bad) {
      await expect(all(readJsonArray(src(text))), text).rejects.toMatchObject({ code: 'ERR_MALFORMED', message });
    }
    await expect(all(readJsonArray(src('[\n[1, 2],\n{"vector": [1, 2], "x": tru}\n]')))).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
      message: expect.stringMatching(/^in\.json:3: malformed JSON/),
    });
  });

  it('splits elements the same whatever the chunk boundaries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            id: fc.string(),
            vector: fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 2 }),
            payload: fc.jsonValue(),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (recs, chunks, pretty) => {
          const withIds = recs.map((r, i) => ({ ...r, id: r.id === '' ? `id${i}` : r.id }));
          const text = JSON.stringify(withIds, null, pretty ? 2 : undefined);
          const got = await all(readJsonArray(src(text, chunks)));
          expect(got.map((r) => r.id)).toEqual(withIds.map((r) => r.id));
          expect(rows(got)).toEqual(withIds.map((r) => r.vector));
          expect(got.map((r) => r.payload)).toEqual(withIds.map((r) => JSON.parse(JSON.stringify(r.payload))));
        },
      ),
      { numRuns: process.env.SLOW ? 1000 : 50 },
    );
  });
});
