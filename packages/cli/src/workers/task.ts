/**
 * Sealing one batch of records: the work `--threads N` spreads over worker threads. The same
 * function runs in-process for one thread, so both paths produce identical output.
 *
 * A batch carries its vectors as one contiguous Float32Array (transferred to the worker, not
 * copied) and comes back either as sealed JSONL text or as stored points for a backend.
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
import { encodeRecordLine, encodeStoredPayloadFast } from '../sealed-file.js';

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
  output: 'jsonl' | 'points';
}

export interface SealBatch {
  seq: number;
  ids: string[];
  wheres: string[];
  /** ids.length * dimension values, row-major. */
  matrix: Float32Array;
  payloads: unknown[];
  policies: (string | Record<string, unknown> | undefined)[];
}

export interface SealedBatch {
  seq: number;
  /** output 'jsonl': the records' lines, UTF-8. */
  bytes?: Uint8Array;
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

export type BatchSealer = (batch: SealBatch) => SealedBatch;

const encoder = new TextEncoder();
/**
 * The batch's text as bytes in a buffer of their own (TextEncoder never hands out a slice of a
 * shared pool, so the result can be transferred to another thread without a copy).
 */
function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function createBatchSealer(init: SealTaskInit): BatchSealer {
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

  return (batch) => {
    const n = batch.ids.length;
    const lines: string[] = [];
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
          lines.push(encodeRecordLine(rec));
        }
      } catch (e) {
        if (e instanceof Error && !e.message.startsWith(where)) e.message = `${where}: ${e.message}`;
        throw e;
      }
    }
    return vectors ? { seq: batch.seq, vectors, payloads, ids: batch.ids } : { seq: batch.seq, bytes: utf8(lines.join('')) };
  };
}
