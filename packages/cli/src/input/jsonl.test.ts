import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readJsonl } from './jsonl.js';
import { bufferSource } from './source.js';
import { all, rows } from './test-support.js';

const src = (text: string, chunks?: number | number[]) => bufferSource('in.jsonl', text, chunks);

describe('readJsonl', () => {
  it('reads records with ids, payloads and policies, skipping blank lines and CRLF', async () => {
    const text = '{"id":"a","vector":[1,2],"payload":{"k":1},"policy":"role=x"}\r\n\n{"id":7,"vector":[3,4]}\n';
    const recs = await all(readJsonl(src(text)));
    expect(recs.map((r) => [r.id, r.where, r.payload, r.policy])).toEqual([
      ['a', 'in.jsonl:1', { k: 1 }, 'role=x'],
      ['7', 'in.jsonl:3', undefined, undefined],
    ]);
    expect(rows(recs)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('generates ids from the record index and the prefix when absent', async () => {
    const recs = await all(readJsonl(src('[1,2]\n{"vector":[3,4]}\n'), { idPrefix: 'doc-' }));
    expect(recs.map((r) => r.id)).toEqual(['doc-0', 'doc-1']);
  });

  it('folds unknown fields into the payload when there is no payload field', async () => {
    const [r] = await all(readJsonl(src('{"id":"x","text":"hello","embedding":[1,2],"lang":"en"}')));
    expect(r!.payload).toEqual({ text: 'hello', lang: 'en' });
    expect(Array.from(r!.vector)).toEqual([1, 2]);
  });

  it('names the line of malformed JSON', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: i, vector: [i, 1] }));
    lines[56] = '{"id": 56, "vector": [1, 2';
    await expect(all(readJsonl(src(lines.join('\n'))))).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
      message: expect.stringMatching(/^in\.jsonl:57: malformed JSON/),
    });
  });

  it('reports NaN and Infinity (as Python writes them) as invalid vectors', async () => {
    await expect(all(readJsonl(src('{"vector":[1,2]}\n{"vector":[NaN,2]}\n')))).rejects.toMatchObject({
      code: 'ERR_INVALID_VECTOR',
      message: 'in.jsonl:2: non-finite number (NaN or Infinity) in the record; vectors must be finite',
    });
    await expect(all(readJsonl(src('{"vector":[1e39,2]}')))).rejects.toMatchObject({
      code: 'ERR_INVALID_VECTOR',
      message: 'in.jsonl:1: vector has a non-finite value 1e+39 (outside the float32 range) at index 0',
    });
  });

  it('rejects a wrong dimension, naming both lines', async () => {
    await expect(all(readJsonl(src('{"vector":[1,2]}\n{"vector":[1,2,3]}')))).rejects.toMatchObject({
      code: 'ERR_DIMENSION_MISMATCH',
      message: 'in.jsonl:2: vector has dimension 3, expected 2 as in the first record (in.jsonl:1)',
    });
    await expect(all(readJsonl(src('{"vector":[1,2]}'), { dimension: 3 }))).rejects.toMatchObject({ code: 'ERR_DIMENSION_MISMATCH' });
  });

  it('rejects bad shapes with coded errors', async () => {
    const bad: [string, string, string][] = [
      ['{"id":"a"}', 'ERR_MALFORMED', 'in.jsonl:1: record has no "vector" field'],
      ['{"vector":"1,2"}', 'ERR_MALFORMED', 'in.jsonl:1: "vector" must be an array of numbers'],
      ['{"vector":[1,"2"]}', 'ERR_MALFORMED', 'in.jsonl:1: "vector"[1] is string, expected a number'],
      ['{"vector":[]}', 'ERR_INVALID_VECTOR', 'in.jsonl:1: vector is empty'],
      ['{"id":1.5,"vector":[1]}', 'ERR_MALFORMED', 'in.jsonl:1: "id" must be a string or an integer'],
      ['{"id":"","vector":[1]}', 'ERR_MALFORMED', 'in.jsonl:1: "id" is empty'],
      ['{"vector":[1],"policy":3}', 'ERR_MALFORMED', 'in.jsonl:1: "policy" must be a string (role=a,b;group=c) or an object'],
      ['"text"', 'ERR_MALFORMED', 'in.jsonl:1: expected a JSON object {"id", "vector", "payload", "policy"} or an array of numbers'],
      [`{"id":"${'x'.repeat(513)}","vector":[1]}`, 'ERR_INPUT_TOO_LARGE', 'in.jsonl:1: "id" is longer than 512 bytes'],
    ];
    for (const [text, code, message] of bad) {
      await expect(all(readJsonl(src(text))), text).rejects.toMatchObject({ code, message });
    }
  });

  it('gives the same records whatever the chunk boundaries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: fc.string({ minLength: 1 }), v: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 3, maxLength: 3 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 5 }),
        async (recs, chunks) => {
          const text = recs.map((r) => JSON.stringify({ id: r.id, vector: r.v, payload: { s: 'é日本' } })).join('\n');
          const got = await all(readJsonl(src(text, chunks)));
          expect(got.map((r) => r.id)).toEqual(recs.map((r) => r.id));
          // JSON has no -0: it reads back as 0.
          expect(rows(got)).toEqual(recs.map((r) => Array.from(Float32Array.from(r.v, (x) => (Object.is(x, -0) ? 0 : x)))));
          expect(got.every((r) => (r.payload as { s: string }).s === 'é日本')).toBe(true);
        },
      ),
      { numRuns: process.env.SLOW ? 1000 : 50 },
    );
  });
});
