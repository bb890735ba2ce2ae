import { describe, expect, it } from 'vitest';
import { detectFormat, sniffFormat } from './detect.js';

describe('detectFormat', () => {
  it('uses --format, then the extension, then a sniff of the first bytes', () => {
    expect(detectFormat('x.bin', 'npy', undefined)).toBe('npy');
    expect(detectFormat('x.NDJSON', undefined, undefined)).toBe('jsonl');
    expect(detectFormat('x.tab', undefined, undefined)).toBe('tsv');
    expect(detectFormat('-', undefined, Buffer.from('  [1, 2]'))).toBe('json');
    expect(detectFormat('-', undefined, Buffer.from('\ufeff{"vector": [1]}'))).toBe('jsonl');
    expect(sniffFormat(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]))).toBe('npy');
  });

  it('is a usage error when it cannot tell', () => {
    expect(() => detectFormat('-', undefined, Buffer.from('id,vector'))).toThrow(expect.objectContaining({ exitCode: 2, message: 'cannot tell the format of stdin (use --format jsonl|json|npy|fvecs|csv|tsv)' }));
    expect(() => detectFormat('x.parquet', undefined, Buffer.from('PAR1'))).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => detectFormat('x.csv', 'xml', undefined)).toThrow(expect.objectContaining({ exitCode: 2, message: 'unknown input format "xml" (expected one of jsonl, json, npy, fvecs, csv, tsv)' }));
  });
});
