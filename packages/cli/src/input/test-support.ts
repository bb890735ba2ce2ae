/** Test helpers for the readers (imported by *.test.ts only). */
import type { InputRecord } from './types.js';

export async function all(gen: AsyncIterable<InputRecord>): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

export function rows(records: readonly InputRecord[]): number[][] {
  return records.map((r) => Array.from(r.vector));
}
