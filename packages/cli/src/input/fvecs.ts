/**
 * .fvecs (texmex): each row is an int32 little-endian dimension d, then d float32 little-endian
 * values. Read row by row in chunks; ids are generated (`idPrefix + row index`, 0-based, so they
 * match ground-truth .ivecs files); messages count rows from 1.
 */
import { Malformed } from '@sealvec/core';
import { BlockReader, readFloat32 } from './blocks.js';
import { checkFinite, DimensionCheck, MAX_INPUT_DIMENSION } from './record.js';
import type { Source } from './source.js';
import type { InputRecord, ReaderOptions } from './types.js';

export async function* readFvecs(source: Source, options: ReaderOptions = {}): AsyncGenerator<InputRecord> {
  const dims = new DimensionCheck(options.dimension);
  const prefix = options.idPrefix ?? '';
  const r = new BlockReader(source.chunks());
  for (let row = 0; ; row++) {
    const where = `${source.name}:row ${row + 1}`;
    const head = await r.take(4);
    if (head.length === 0) return;
    if (head.length < 4) throw new Malformed(`${where}: truncated (the file ends inside the row's dimension field)`);
    const d = head.readInt32LE(0);
    if (d <= 0 || d > MAX_INPUT_DIMENSION) {
      throw new Malformed(`${where}: invalid dimension field ${d} (not an .fvecs file, or corrupt)`);
    }
    dims.check(d, where);
    const body = await r.take(4 * d);
    if (body.length < 4 * d) {
      throw new Malformed(`${where}: truncated (the file ends after ${body.length} of the row's ${4 * d} bytes)`);
    }
    const vector = readFloat32(body, d, true);
    checkFinite(vector, where);
    yield { id: prefix + row, vector, where };
  }
}

/** Rows in an .fvecs file of `size` bytes whose first row has dimension d (for progress). */
export function fvecsRows(size: number, d: number): number {
  return Math.floor(size / (4 + 4 * d));
}
