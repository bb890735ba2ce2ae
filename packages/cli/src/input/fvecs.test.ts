import { describe, expect, it } from 'vitest';
import { fvecsBytes } from '../e2e/helpers.js';
import { readFvecs } from './fvecs.js';
import { bufferSource } from './source.js';
import { all, rows } from './test-support.js';

const data = [
  [1, 2],
  [3, 4],
  [5, 6],
];
const src = (b: Buffer, chunks?: number | number[]) => bufferSource('b.fvecs', b, chunks);

describe('readFvecs', () => {
  it('reads rows with generated 0-based ids, whatever the chunking', async () => {
    for (const chunks of [1 << 20, 1, 5, [3, 9]]) {
      const recs = await all(readFvecs(src(fvecsBytes(data), chunks)));
      expect(rows(recs)).toEqual(data);
      expect(recs.map((r) => [r.id, r.where])).toEqual([
        ['0', 'b.fvecs:row 1'],
        ['1', 'b.fvecs:row 2'],
        ['2', 'b.fvecs:row 3'],
      ]);
    }
  });

  it('rejects a wrong dimension in row 3', async () => {
    await expect(all(readFvecs(src(fvecsBytes(data, [2, 2, 3]))))).rejects.toMatchObject({
      code: 'ERR_DIMENSION_MISMATCH',
      message: 'b.fvecs:row 3: vector has dimension 3, expected 2 as in the first record (b.fvecs:row 1)',
    });
  });

  it('rejects truncated rows and corrupt dimension fields', async () => {
    const b = fvecsBytes(data);
    await expect(all(readFvecs(src(b.subarray(0, b.length - 3))))).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
      message: "b.fvecs:row 3: truncated (the file ends after 5 of the row's 8 bytes)",
    });
    await expect(all(readFvecs(src(Buffer.concat([b, Buffer.from([1, 0])]))))).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
      message: "b.fvecs:row 4: truncated (the file ends inside the row's dimension field)",
    });
    const neg = Buffer.from(b);
    neg.writeInt32LE(-1, 12);
    await expect(all(readFvecs(src(neg)))).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
      message: 'b.fvecs:row 2: invalid dimension field -1 (not an .fvecs file, or corrupt)',
    });
  });

  it('rejects NaN and infinities', async () => {
    await expect(all(readFvecs(src(fvecsBytes([[1, 2], [Number.POSITIVE_INFINITY, 0]]))))).rejects.toMatchObject({
      code: 'ERR_INVALID_VECTOR',
      message: 'b.fvecs:row 2: vector has a non-finite value Infinity at index 0',
    });
  });
});
