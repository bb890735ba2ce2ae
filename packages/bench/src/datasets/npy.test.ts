import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, parseNpyHeader } from './npy.js';

function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const h = new TextEncoder().encode(header);
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(data, pre + h.length);
  return out;
}

function f64(values: number[], little = true): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setFloat64(8 * i, x, little));
  return out;
}

function f32(values: number[], little = true): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setFloat32(4 * i, x, little));
  return out;
}

const hdr = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;

describe('npy', () => {
  it('round-trips what encodeNpy writes, with the data 64-byte aligned', () => {
    const set = { rows: 3, dim: 2, data: Float32Array.of(1, 2, 3, 4, 5.5, -6) };
    const bytes = encodeNpy(set);
    expect(parseNpyHeader(bytes).dataOffset % 64).toBe(0);
    const back = parseNpy(bytes);
    expect(back).toMatchObject({ rows: 3, dim: 2 });
    expect(Array.from(back.data)).toEqual(Array.from(set.data));
  });

  it('reads float64, big-endian and version 2 files', () => {
    expect(Array.from(parseNpy(npy(hdr('<f8', '(2, 2)'), f64([1, 2, 3, 4]))).data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(parseNpy(npy(hdr('>f4', '(1, 3)'), f32([1, -2, 3], false))).data)).toEqual([1, -2, 3]);
    expect(Array.from(parseNpy(npy(hdr('<f4', '(1, 2)'), f32([7, 8]), 2)).data)).toEqual([7, 8]);
  });

  it('rejects what it cannot read faithfully, each with a clear message', () => {
    expect(() => parseNpy(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_EMPTY_INPUT' }));
    expect(() => parseNpy(new TextEncoder().encode('not an npy file'))).toThrow(/magic/);
    expect(() => parseNpy(npy(hdr('<f4', '(2, 2)', 'True'), f32([1, 2, 3, 4])))).toThrow(/Fortran/);
    expect(() => parseNpy(npy(hdr('<f4', '(4,)'), f32([1, 2, 3, 4])))).toThrow(/2-D/);
    expect(() => parseNpy(npy(hdr('<f4', '(1, 2, 2)'), f32([1, 2, 3, 4])))).toThrow(/2-D/);
    expect(() => parseNpy(npy(hdr('<i4', '(1, 1)'), f32([1])))).toThrow(/dtype/);
    expect(() => parseNpy(npy(hdr('<f4', '(2, 2)'), f32([1, 2, 3])))).toThrow(/truncated/);
    expect(() => parseNpy(npy(hdr('<f4', '(1, 2)'), f32([1, 2, 3])))).toThrow(/after the array/);
    expect(() => parseNpy(npy(hdr('<f4', '(0, 2)'), new Uint8Array(0)))).toThrow(expect.objectContaining({ code: 'ERR_EMPTY_INPUT' }));
    expect(() => parseNpy(npy(hdr('<f4', '(1, 2)'), f32([1, Number.POSITIVE_INFINITY])))).toThrow(/non-finite/);
    expect(() => parseNpy(npy("{'descr': '<f4'}", f32([1])))).toThrow(/lacks/);
    const v9 = npy(hdr('<f4', '(1, 1)'), f32([1]));
    v9[6] = 9;
    expect(() => parseNpy(v9)).toThrow(/version 9/);
    expect(() => parseNpy([] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
