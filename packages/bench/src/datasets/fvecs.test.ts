import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFvecs, encodeIvecs, MAX_DIM, parseFvecs, parseIvecs } from './fvecs.js';

function rawRows(rows: number[][], dims?: number[]): Uint8Array {
  const total = rows.reduce((s, r) => s + 4 + 4 * r.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let off = 0;
  rows.forEach((r, i) => {
    v.setInt32(off, dims?.[i] ?? r.length, true);
    off += 4;
    for (const x of r) {
      v.setFloat32(off, x, true);
      off += 4;
    }
  });
  return out;
}

describe('fvecs', () => {
  it('round-trips float32 matrices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (dim, rows, seed) => {
        const data = Float32Array.from({ length: rows * dim }, (_, i) => Math.fround(Math.sin(seed + i) * 100));
        const back = parseFvecs(encodeFvecs({ rows, dim, data }));
        expect(back.rows).toBe(rows);
        expect(back.dim).toBe(dim);
        expect(Array.from(back.data)).toEqual(Array.from(data));
      }),
      { numRuns: process.env.SLOW ? 500 : 50 },
    );
  });

  it('encodes zero rows as an empty file, which parsing rejects as empty input', () => {
    expect(encodeFvecs({ rows: 0, dim: 3, data: new Float32Array(0) })).toHaveLength(0);
  });

  it('reads a hand-made file', () => {
    const s = parseFvecs(rawRows([[1, 2, 3], [4, 5, 6]]));
    expect(s).toMatchObject({ rows: 2, dim: 3 });
    expect(Array.from(s.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects empty, truncated, inconsistent, non-finite and absurd input with coded errors', () => {
    expect(() => parseFvecs(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_EMPTY_INPUT' }));
    expect(() => parseFvecs(new Uint8Array(3))).toThrow(/truncated/);
    const good = rawRows([[1, 2], [3, 4]]);
    expect(() => parseFvecs(good.subarray(0, good.length - 2))).toThrow(/not a multiple/);
    expect(() => parseFvecs(rawRows([[1, 2], [3, 4]], [2, 3]))).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED' }));
    expect(() => parseFvecs(rawRows([[1, 2], [3, 4]], [2, 3]))).toThrow(/row 1 declares dimension 3/);
    expect(() => parseFvecs(rawRows([[1, Number.NaN]]))).toThrow(/non-finite value at index 1/);
    expect(() => parseFvecs(rawRows([[1]], [0]))).toThrow(/dimension 0/);
    expect(() => parseFvecs(rawRows([[1]], [MAX_DIM + 1]))).toThrow(/dimension/);
    expect(() => parseFvecs('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('ivecs', () => {
  it('round-trips int32 rows', () => {
    const data = Int32Array.of(0, 5, -1, 2147483647, 3, 9);
    const back = parseIvecs(encodeIvecs({ rows: 2, dim: 3, data }));
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('rejects a bad dimension on encode', () => {
    expect(() => encodeIvecs({ rows: 1, dim: 0, data: new Int32Array(0) })).toThrow(RangeError);
  });
});
