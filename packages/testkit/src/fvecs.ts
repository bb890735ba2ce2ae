/** Reads a texmex .fvecs file (per row: int32 LE dimension, then that many float32 LE values). */
import { readFileSync } from 'node:fs';

export function readFvecs(path: string): Float32Array[] {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const rows: Float32Array[] = [];
  for (let off = 0; off < buf.length; ) {
    const d = view.getInt32(off, true);
    rows.push(new Float32Array(buf.buffer.slice(buf.byteOffset + off + 4, buf.byteOffset + off + 4 + 4 * d)));
    off += 4 + 4 * d;
  }
  return rows;
}
