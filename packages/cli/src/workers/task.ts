/**
 * Sealing one batch of records: the work `--threads N` spreads over worker threads. The same
 * function runs in-process for one thread, so both paths produce identical output.
 *
 * A batch carries its vectors as one contiguous Float32Array (transferred to the worker, not
 * copied) and comes back encoded for a sealed output (JSONL lines, or .npy rows and sidecar
 * lines, in buffers transferred back without a copy) or as stored points for a backend.
 */
import {
  createSealer,
  importVectorKey,
  importWriterKey,
  InvalidPolicy,
  type DimensionMap,
  type JsonValue,
  type Sealer,
  type StoredPayload,
} from '@sealvec/core';
import { cipherFor, storedDimension, type Scheme } from '../scheme.js';
import type { EncodedRecords } from '../output/sealed-output.js';
import { SealedEncoder } from '../output/sealed-encoder.js';
import { encodeStoredPayloadFast } from '../sealed-file.js';

export interface SealTaskInit {
  /** Serialized writer key (stays in this process's memory; never written anywhere). */
  writer: string;
  /** Serialized primary vector key. */
  vectorKey: string;
  scheme: Scheme;
  collection: string;
  tenant: string;
  /** --policy: used for records without their own. */
  defaultPolicy: string | undefined;
  output: 'jsonl' | 'npy' | 'points';
}

export interface SealBatch {
  seq: number;
  ids: string[];
  wheres: string[];
  /** ids.length * dimension values, row-major. */
  matrix: Float32Array;
  payloads: unknown[];
  policies: (string | Record<string, unknown> | undefined)[];
  /** output 'npy': each record's point id in the store (the sidecar names it), made by the main thread. */
  points?: string[] | undefined;
}

export interface SealedBatch {
  seq: number;
  /** output 'jsonl' or 'npy': the records, encoded for the sealed output. */
  encoded?: EncodedRecords;
  /** output 'points': stored vectors (n * storedDimension) and payloads, in batch order. */
  vectors?: Float32Array;
  payloads?: StoredPayload[];
  ids?: string[];
}

/** An error as it crosses a thread boundary (classes do not survive structured clone). */
export interface TaskError {
  name: string;
  code: string | undefined;
  message: string;
}

export function toTaskError(e: unknown): TaskError {
  if (e instanceof Error) return { name: e.name, code: (e as { code?: string }).code, message: e.message };
  return { name: 'Error', code: undefined, message: String(e) };
}

export interface BatchSealer {
  seal(batch: SealBatch): SealedBatch;
  /** Takes back the buffers of an encoded result once written, for the next batches. */
  recycle(done: EncodedRecords): void;
}

/** The buffers of a batch result, to transfer to the other thread instead of copying them. */
export function transferablesOf(out: SealedBatch): ArrayBuffer[] {
  const list = [out.encoded?.lines.buffer, out.encoded?.vectors?.buffer, out.vectors?.buffer];
  return [...new Set(list.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}

export async function createBatchSealer(init: SealTaskInit): Promise<BatchSealer> {
  const writer = importWriterKey(init.writer);
  const cipher = cipherFor(importVectorKey(init.vectorKey), init.scheme, init.tenant);
  const sealer: Sealer = createSealer({
    writer,
    cipher,
    collection: init.collection,
    prefilter: init.scheme.prefilter,
    blindIndex: init.scheme.blindIndexFields,
    exactVector: init.scheme.exactVector,
  });
  const d = init.scheme.dimension;
  const D = storedDimension(init.scheme);

  // One encoder for the whole run, so the buffers of written batches are reused.
  let encoder: SealedEncoder | undefined;
  const seal = (batch: SealBatch): SealedBatch => {
    const n = batch.ids.length;
    if (init.output !== 'points') encoder ??= new SealedEncoder(init.output, D, { rowsHint: n });
    const vectors = init.output === 'points' ? new Float32Array(n * D) : undefined;
    const payloads: StoredPayload[] = [];
    for (let i = 0; i < n; i++) {
      const where = batch.wheres[i]!;
      try {
        const policy = batch.policies[i] ?? init.defaultPolicy;
        if (policy === undefined) {
          throw new InvalidPolicy(`record has no policy and no --policy was given (use --policy '*' to let every key holder of the authority open it)`);
        }
        const rec = sealer.seal({
          id: batch.ids[i]!,
          vector: batch.matrix.subarray(i * d, (i + 1) * d),
          policy: policy as string | DimensionMap,
          ...(batch.payloads[i] !== undefined ? { payload: batch.payloads[i] as JsonValue } : {}),
        });
        if (vectors) {
          vectors.set(rec.vector, i * D);
          payloads.push(encodeStoredPayloadFast(rec));
        } else {
          encoder!.add(rec, batch.points?.[i]);
        }
      } catch (e) {
        encoder?.take();
        if (e instanceof Error && !e.message.startsWith(where)) e.message = `${where}: ${e.message}`;
        throw e;
      }
    }
    return vectors ? { seq: batch.seq, vectors, payloads, ids: batch.ids } : { seq: batch.seq, encoded: encoder!.take() };
  };
  return { seal, recycle: (done) => encoder?.recycle(done) };
}
