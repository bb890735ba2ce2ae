import { describe, expect, it } from 'vitest';
import { npyBytes } from '../e2e/helpers.js';
import { readNpy } from './npy.js';
import { bufferSource } from './source.js';
import { all, rows } from './test-support.js';

const data = [
  [1, 2, 3],
  [4, 5, 6.5],
];
const src = (b: Buffer, chunks?: number | number[]) => bufferSource('v.npy', b, chunks);

describe('readNpy', () => {
  it('reads float32, float64 and big-endian float32 rows, in small chunks too', async () => {
    for (const dtype of ['<f4', '<f8', '>f4'] as const) {
      for (const chunks of [1 << 20, 3, [1, 7, 2]]) {
        const recs = await all(readNpy(src(npyBytes(data, dtype), chunks)));
        expect(rows(recs), `${dtype} ${String(chunks)}`).toEqual(data);
        expect(recs.map((r) => [r.id, r.where])).toEqual([
          ['0', 'v.npy:row 1'],
          ['1', 'v.npy:row 2'],
        ]);
      }
    }
  });

  it('reports the total from the header and generates prefixed ids', async () => {
    let total = 0;
    const recs = await all(readNpy(src(npyBytes(data)), { idPrefix: 'n' }, (h) => (total = h.rows)));
    expect(total).toBe(2);
    expect(recs.map((r) => r.id)).toEqual(['n0', 'n1']);
  });

  it('rejects a truncated file before reading rows (known size)', async () => {
    const b = npyBytes(data);
    await expect(all(readNpy(src(b.subarray(0, b.length - 5))))).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
      message: 'v.npy:row 2: truncated (the header declares 2 rows of 3 float32, the file holds 5 bytes too few)',
    });
  });

  it('rejects a truncated stream when it ends (unknown size)', async () => {
    const full = npyBytes(data);
    const s = bufferSource('<stdin>', full.subarray(0, full.length - 5));
    Object.defineProperty(s, 'size', { value: undefined });
    await expect(all(readNpy(s))).rejects.toMatchObject({ code: 'ERR_MALFORMED', message: '<stdin>:row 2: truncated (the file ends inside row 2 of 2)' });
  });

  it('rejects NaN and float64 values outside the float32 range, naming row and index', async () => {
    await expect(all(readNpy(src(npyBytes([[1, 2, 3], [4, Number.NaN, 6]]))))).rejects.toMatchObject({
      code: 'ERR_INVALID_VECTOR',
      message: 'v.npy:row 2: vector has a non-finite value NaN at index 1',
    });
    await expect(all(readNpy(src(npyBytes([[1, 1e300, 3]], '<f8'))))).rejects.toMatchObject({
      code: 'ERR_INVALID_VECTOR',
      message: 'v.npy:row 1: vector has a non-finite value 1e+300 (outside the float32 range) at index 1',
    });
  });

  it('rejects unsupported arrays with a message naming the problem', async () => {
    const head = (dict: string) => {
      const b = npyBytes(data);
      const text = b.toString('latin1').replace(/\{.*\}/, dict.padEnd(b.toString('latin1').match(/\{.*\}/)![0].length, ' '));
      return Buffer.from(text, 'latin1');
    };
    const bad: [Buffer, string][] = [
      [Buffer.from('not numpy at all'), 'v.npy: not a NumPy .npy file (bad magic)'],
      [head("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }"), "v.npy: unsupported dtype '<i8' (expected float32 '<f4' or float64 '<f8')"],
      [head("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"), 'v.npy: Fortran-order arrays are not supported (save with np.ascontiguousarray(a))'],
      [head("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }"), 'v.npy: expected a 2-D array (rows, dimension), got shape (6,)'],
      [head("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }"), 'v.npy: expected a 2-D array (rows, dimension), got shape (1, 2, 3)'],
      [Buffer.concat([npyBytes(data), Buffer.alloc(4)]), 'v.npy: 4 unexpected bytes after the last row (the header declares 2 rows)'],
    ];
    for (const [b, message] of bad) await expect(all(readNpy(src(b))), message).rejects.toMatchObject({ code: 'ERR_MALFORMED', message });
    await expect(all(readNpy(src(npyBytes([], '<f4', '(0, 3)'))))).rejects.toMatchObject({ code: 'ERR_EMPTY_INPUT' });
  });
});
