import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DuplicateIds, SHOWN_DUPLICATES, trackDuplicates } from './duplicates.js';
import type { InputRecord } from './types.js';

describe('DuplicateIds', () => {
  it('counts every repeat, names the first few repeated ids once each, and knows the distinct count (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 14 }).map(String), { maxLength: 60 }), (ids) => {
        const d = new DuplicateIds();
        ids.forEach((id) => d.add(id));
        const distinct = new Set(ids);
        expect(d.distinct).toBe(distinct.size);
        expect(d.count).toBe(ids.length - distinct.size);
        expect(new Set(d.examples).size).toBe(d.examples.length);
        expect(d.repeatedIds).toBe([...distinct].filter((id) => ids.indexOf(id) !== ids.lastIndexOf(id)).length);
        expect(d.examples.length).toBe(Math.min(SHOWN_DUPLICATES, d.repeatedIds));
        for (const e of d.examples) expect(ids.indexOf(e)).not.toBe(ids.lastIndexOf(e));
      }),
    );
  });

  it('describes repeats in one sentence, and nothing when there are none', async () => {
    const d = new DuplicateIds();
    const recs = ['x', 'y', 'x', 'x'].map((id) => ({ id, vector: new Float32Array(1), where: 'f' }) as InputRecord);
    const seen: string[] = [];
    for await (const r of trackDuplicates((async function* () { yield* recs; })(), d)) seen.push(r.id);
    expect(seen).toEqual(['x', 'y', 'x', 'x']);
    expect(d.describe('kept the last')).toBe('2 records reuse an id seen earlier in the input ("x"): kept the last');
    expect(d.json()).toEqual({ count: 2, ids: ['x'] });
    expect(new DuplicateIds().describe('x')).toBeUndefined();
  });
});
