/** Slow, obvious reference search: exact cosine over plaintext, to check encrypted results against. */
import type { Chunk } from './openai-fixture.js';

export function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Rows of the k chunks nearest to `query` by cosine, best first. */
export function exactTopK(query: readonly number[], chunks: readonly Chunk[], k: number): number[] {
  return chunks
    .map((c) => ({ row: c.row, score: cosine(query, c.vector) }))
    .sort((a, b) => b.score - a.score || a.row - b.row)
    .slice(0, k)
    .map((h) => h.row);
}
