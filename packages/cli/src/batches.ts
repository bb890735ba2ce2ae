/**
 * Grouping input records into batches for sealing: about 256 KiB of vectors per batch (at most 256
 * rows), which amortizes thread hand-offs while keeping memory flat. Measured: larger batches
 * raise peak RSS (the batch's sealed text lives long enough to reach the old generation) without
 * raising throughput. Records with big payloads (text inputs) close a batch early, at 4 MiB.
 */
import type { InputRecord } from './input/types.js';
import type { SealBatch } from './workers/task.js';

export const MAX_BATCH_ROWS = 256;
const BATCH_BYTES = 1 << 18;
const MAX_BATCH_TEXT = 4 << 20;

export function batchRowsFor(dimension: number): number {
  return Math.max(8, Math.min(MAX_BATCH_ROWS, Math.floor(BATCH_BYTES / (4 * dimension))));
}

/** Batches of records, sized from the first record's dimension. */
export async function* batchesOf(records: AsyncIterable<InputRecord>, rows?: number): AsyncGenerator<InputRecord[]> {
  let batch: InputRecord[] = [];
  let size = rows;
  let text = 0;
  for await (const r of records) {
    size ??= batchRowsFor(r.vector.length);
    batch.push(r);
    text += r.size ?? 0;
    if (batch.length >= size || text >= MAX_BATCH_TEXT) {
      yield batch;
      batch = [];
      text = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** A batch for the sealer; `pointId` adds each record's point id (for a sealed .npy sidecar). */
export function toSealBatch(seq: number, records: readonly InputRecord[], dimension: number, pointId?: (id: string) => string): SealBatch {
  const matrix = new Float32Array(records.length * dimension);
  records.forEach((r, i) => matrix.set(r.vector, i * dimension));
  return {
    seq,
    ids: records.map((r) => r.id),
    wheres: records.map((r) => r.where),
    matrix,
    payloads: records.map((r) => r.payload),
    policies: records.map((r) => r.policy),
    ...(pointId ? { points: records.map((r) => pointId(r.id)) } : {}),
  };
}
