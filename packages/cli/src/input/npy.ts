/**
 * NumPy .npy (format versions 1.0, 2.0, 3.0): a 2-D float32 or float64 array in C order, read
 * row by row in chunks. The header is checked before any row is read; for a regular file the
 * size is checked against the header too, so a truncated file fails before anything is written.
 */
import { EmptyInput, Malformed } from '@sealvec/core';
import { BlockReader, readFloat32, readFloat64 } from './blocks.js';
import { checkFinite, DimensionCheck } from './record.js';
import type { Source } from './source.js';
import type { InputRecord, ReaderOptions } from './types.js';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
/** Header dictionaries are short; numpy pads them to 64 bytes. Bounds what a bad file can make us read. */
const MAX_HEADER_BYTES = 65_536;

export interface NpyHeader {
  rows: number;
  dimension: number;
  itemSize: 4 | 8;
  littleEndian: boolean;
  /** Bytes before the first row. */
  dataOffset: number;
}

export function isNpy(head: Uint8Array): boolean {
  return head.length >= MAGIC.length && MAGIC.every((b, i) => head[i] === b);
}

export function parseNpyHeader(name: string, prefix: Buffer, dict: string): NpyHeader {
  const bad = (m: string) => new Malformed(`${name}: ${m}`);
  const descr = /['"]descr['"]\s*:\s*['"]([<>|=]?)([a-zA-Z])(\d+)['"]/.exec(dict);
  if (!descr) throw bad('the .npy header has no "descr"');
  const [, order = '', kind, size] = descr;
  if (kind !== 'f' || (size !== '4' && size !== '8')) {
    throw bad(`unsupported dtype '${order}${kind}${size}' (expected float32 '<f4' or float64 '<f8')`);
  }
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(dict);
  if (!fortran) throw bad('the .npy header has no "fortran_order"');
  if (fortran[1] === 'True') throw bad('Fortran-order arrays are not supported (save with np.ascontiguousarray(a))');
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(dict);
  if (!shape) throw bad('the .npy header has no "shape"');
  const dimsText = shape[1]!.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (dimsText.length !== 2 || !dimsText.every((t) => /^\d+$/.test(t))) {
    throw bad(`expected a 2-D array (rows, dimension), got shape (${shape[1]!.trim()})`);
  }
  const rows = Number(dimsText[0]);
  const dimension = Number(dimsText[1]);
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(dimension)) throw bad('shape is too large');
  return {
    rows,
    dimension,
    itemSize: size === '4' ? 4 : 8,
    littleEndian: order !== '>',
    dataOffset: prefix.length + dict.length,
  };
}

/** Reads and checks an .npy header (magic, version, bounded length, dictionary). */
export async function readNpyHeader(name: string, r: BlockReader): Promise<NpyHeader> {
  const pre = await r.take(8);
  if (pre.length < 8 || !isNpy(pre)) throw new Malformed(`${name}: not a NumPy .npy file (bad magic)`);
  const major = pre[6]!;
  if (major < 1 || major > 3) throw new Malformed(`${name}: unsupported .npy format version ${major}.${pre[7]}`);
  const lenBytes = await r.take(major === 1 ? 2 : 4);
  if (lenBytes.length < (major === 1 ? 2 : 4)) throw new Malformed(`${name}: truncated .npy header`);
  const len = major === 1 ? lenBytes.readUInt16LE(0) : lenBytes.readUInt32LE(0);
  if (len > MAX_HEADER_BYTES) throw new Malformed(`${name}: .npy header of ${len} bytes is too long`);
  const dict = await r.take(len);
  if (dict.length < len) throw new Malformed(`${name}: truncated .npy header`);
  return parseNpyHeader(name, Buffer.concat([pre, lenBytes]), dict.toString(major === 3 ? 'utf8' : 'latin1'));
}

export async function* readNpy(
  source: Source,
  options: ReaderOptions = {},
  onHeader?: (h: NpyHeader) => void,
): AsyncGenerator<InputRecord> {
  const r = new BlockReader(source.chunks());
  const h = await readNpyHeader(source.name, r);
  onHeader?.(h);
  if (h.rows === 0 || h.dimension === 0) throw new EmptyInput(`${source.name}: the array is empty (shape (${h.rows}, ${h.dimension}))`);
  const rowBytes = h.dimension * h.itemSize;
  const expected = h.dataOffset + h.rows * rowBytes;
  if (source.size !== undefined && source.size < expected) {
    const whole = Math.floor((source.size - h.dataOffset) / rowBytes);
    throw new Malformed(
      `${source.name}:row ${whole + 1}: truncated (the header declares ${h.rows} rows of ${h.dimension} float${h.itemSize * 8}, ` +
        `the file holds ${expected - source.size} bytes too few)`,
    );
  }
  if (source.size !== undefined && source.size > expected) {
    throw new Malformed(`${source.name}: ${source.size - expected} unexpected bytes after the last row (the header declares ${h.rows} rows)`);
  }
  const dims = new DimensionCheck(options.dimension);
  const prefix = options.idPrefix ?? '';
  for (let row = 0; row < h.rows; row++) {
    const where = `${source.name}:row ${row + 1}`;
    if (row === 0) dims.check(h.dimension, where);
    const body = await r.take(rowBytes);
    if (body.length < rowBytes) {
      throw new Malformed(`${where}: truncated (the file ends inside row ${row + 1} of ${h.rows})`);
    }
    let vector: Float32Array;
    if (h.itemSize === 4) {
      vector = readFloat32(body, h.dimension, h.littleEndian);
      checkFinite(vector, where);
    } else {
      const v = readFloat64(body, h.dimension, h.littleEndian);
      vector = v.vector;
      checkFinite(vector, where, v.source);
    }
    yield { id: prefix + row, vector, where };
  }
  if (!(await r.atEnd())) throw new Malformed(`${source.name}: unexpected bytes after the last row (the header declares ${h.rows} rows)`);
}
