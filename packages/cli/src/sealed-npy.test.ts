import { createWriterKey, generateAuthority, signScheme } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { parseNpyHeader } from './input/npy.js';
import {
  encodeNpyHeader,
  encodeSidecarHeader,
  isNpyPath,
  npyPathOf,
  parseSidecarHeader,
  provisionalSidecarHeader,
  SEALED_NPY_HEADER_BYTES,
  sidecarPathOf,
} from './sealed-npy.js';

const authority = generateAuthority();
const scheme = signScheme(
  {
    collection: 'c',
    dimension: 4,
    metric: 'dot',
    beta: 1,
    preset: null,
    scale: null,
    maxNorm: 2,
    authority: authority.id,
    prefilter: false,
    blindIndexFields: [],
    exactVector: true,
    legacyKids: [],
  },
  createWriterKey(authority),
);

describe('sealed .npy format pieces', () => {
  it('names the sidecar after the .npy and back', () => {
    expect(sidecarPathOf('out/x.sealed.NPY')).toBe('out/x.sealed.jsonl');
    expect(npyPathOf('out/x.sealed.jsonl')).toBe('out/x.sealed.npy');
    expect(npyPathOf('x.ndjson')).toBeUndefined();
    expect(isNpyPath('a.npy')).toBe(true);
    expect(isNpyPath('a.npy.gz')).toBe(false);
  });

  it('writes a fixed-size .npy header that NumPy readers (and ours) parse, whatever the row count', () => {
    for (const [rows, cols] of [
      [0, 5],
      [1, 1536],
      [Number.MAX_SAFE_INTEGER, 65_537],
    ] as const) {
      const h = encodeNpyHeader(rows, cols);
      expect(h.length).toBe(SEALED_NPY_HEADER_BYTES);
      expect(h.readUInt16LE(8)).toBe(SEALED_NPY_HEADER_BYTES - 10);
      expect(h[SEALED_NPY_HEADER_BYTES - 1]).toBe(0x0a);
      expect(parseNpyHeader('x.npy', h.subarray(0, 10), h.subarray(10).toString('latin1'))).toEqual({
        rows,
        dimension: cols,
        itemSize: 4,
        littleEndian: true,
        dataOffset: SEALED_NPY_HEADER_BYTES,
      });
    }
  });

  it('pads the final sidecar header to the provisional one\'s width, and parses it back', () => {
    const provisional = provisionalSidecarHeader('c', 't', scheme, 5);
    const final = encodeSidecarHeader('c', 't', scheme, { rows: 3, storedDimension: 5, sha256: 'a'.repeat(43) }, provisional.length);
    expect(final.length).toBe(provisional.length);
    expect(final.toString('utf8')).toMatch(/\} +\n$/);
    const h = parseSidecarHeader(JSON.parse(final.toString('utf8')), 's:1');
    expect(h).toMatchObject({ type: 'sealvec/sealed-npy', version: 2, collection: 'c', tenant: 't', npy: { rows: 3, storedDimension: 5, sha256: 'a'.repeat(43) } });
    expect(() => encodeSidecarHeader('c', 't', scheme, { rows: 3, storedDimension: 5, sha256: 'a'.repeat(43) }, 10)).toThrow(RangeError);
  });

  it('refuses a sidecar header of another type or version', () => {
    const obj = JSON.parse(encodeSidecarHeader('c', '', scheme, { rows: 1, storedDimension: 5, sha256: 'b'.repeat(43) }).toString()) as Record<string, unknown>;
    expect(() => parseSidecarHeader({ ...obj, type: 'sealvec/sealed-jsonl' }, 's:1')).toThrow('s:1: not a sealed file (expected "type": "sealvec/sealed-npy")');
    expect(() => parseSidecarHeader({ ...obj, version: 1 }, 's:1')).toThrow('s:1: a version 1 file cannot carry a version 2 scheme');
  });
});
