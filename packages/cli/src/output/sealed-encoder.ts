/**
 * Sealed records -> the bytes of a sealed output, batch by batch: record lines for sealed JSONL,
 * or rows of ciphertexts plus sidecar lines for a sealed .npy pair. Used where records are sealed
 * (worker threads) and where they are rewritten (rewrap, rotate). Each `take` hands over buffers
 * of their own, which the caller may transfer to another thread.
 */
import type { SealedRecord } from '@sealvec/core';
import { putRecordLine } from '../sealed-file.js';
import { putSidecarLine } from '../sealed-npy.js';
import { ByteBuilder } from './byte-builder.js';
import type { EncodedRecords, SealedFormat } from './sealed-output.js';

/**
 * Bytes reserved per record: its numbers' text (about 13 bytes each) and its payload's JSON (the
 * sealed exact vector's base64 is about 5.4 bytes per dimension, headers a few KiB). A guess that
 * is too small only costs a copy when the buffer grows.
 */
const textBytesPerValue = 14;
const payloadBytes = (D: number) => 6 * D + 4096;

export type PointIdOf = (tenant: string, recordId: string) => string;

/** Spare buffers an encoder keeps for reuse: enough for the batches a sealed output buffers. */
const MAX_SPARE = 8;

export class SealedEncoder {
  readonly #format: SealedFormat;
  readonly #D: number;
  readonly #pointId: PointIdOf | undefined;
  readonly #rowsHint: number;
  #lines: ByteBuilder | undefined;
  #vectors: Float32Array | undefined;
  #rows = 0;
  readonly #spareText: ArrayBuffer[] = [];
  readonly #spareVectors: ArrayBuffer[] = [];

  /**
   * The npy format's sidecar names each record's point id in the store: given to `add` (worker
   * threads get the ids from the main thread with their batch), or made by `pointId`.
   */
  constructor(format: SealedFormat, storedDimension: number, options: { rowsHint?: number; pointId?: PointIdOf } = {}) {
    this.#format = format;
    this.#D = storedDimension;
    this.#pointId = options.pointId;
    this.#rowsHint = Math.max(1, options.rowsHint ?? 64);
  }

  get rows(): number {
    return this.#rows;
  }

  /** Bytes of text encoded so far (for flushing by size). */
  get textBytes(): number {
    return this.#lines?.length ?? 0;
  }

  #spare(list: ArrayBuffer[], bytes: number): ArrayBuffer | undefined {
    const i = list.findIndex((b) => b.byteLength >= bytes);
    return i < 0 ? undefined : list.splice(i, 1)[0];
  }

  #startBatch(): void {
    const perRow = (this.#format === 'jsonl' ? textBytesPerValue * this.#D : 0) + payloadBytes(this.#D);
    const want = this.#rowsHint * perRow;
    this.#lines = new ByteBuilder(want, this.#spare(this.#spareText, want));
    if (this.#format === 'npy') {
      const n = this.#rowsHint * this.#D;
      const ab = this.#spare(this.#spareVectors, 4 * n);
      this.#vectors = ab ? new Float32Array(ab, 0, ab.byteLength >>> 2) : new Float32Array(n);
    }
  }

  add(r: SealedRecord, point?: string): void {
    if (r.vector.length !== this.#D) throw new RangeError(`"record.vector" expected ${this.#D} values, got ${r.vector.length}`);
    if (this.#lines === undefined) this.#startBatch();
    if (this.#format === 'jsonl') {
      putRecordLine(this.#lines!, r);
    } else {
      let v = this.#vectors!;
      if ((this.#rows + 1) * this.#D > v.length) {
        const next = new Float32Array(Math.max(2 * this.#rows, this.#rows + 1) * this.#D);
        next.set(v.subarray(0, this.#rows * this.#D));
        this.#vectors = v = next;
      }
      v.set(r.vector, this.#rows * this.#D);
      const id = point ?? this.#pointId?.(r.tenant, r.id);
      if (id === undefined) throw new TypeError('"point" expected the record\'s point id (or "options.pointId" a function)');
      putSidecarLine(this.#lines!, id, r);
    }
    this.#rows++;
  }

  /** The records added since the last take, in buffers of their own; the encoder starts afresh. */
  take(): EncodedRecords {
    const out: EncodedRecords = {
      rows: this.#rows,
      lines: this.#lines?.view() ?? new Uint8Array(0),
      vectors: this.#format === 'npy' ? (this.#vectors?.subarray(0, this.#rows * this.#D) ?? new Float32Array(0)) : undefined,
    };
    this.#lines = undefined;
    this.#vectors = undefined;
    this.#rows = 0;
    return out;
  }

  /** Gives back the buffers of an earlier take once they are written (and no longer read). */
  recycle(done: EncodedRecords): void {
    const keep = (list: ArrayBuffer[], b: ArrayBufferLike | undefined) => {
      if (b instanceof ArrayBuffer && b.byteLength > 0 && list.length < MAX_SPARE && !list.includes(b)) list.push(b);
    };
    keep(this.#spareText, done.lines.buffer);
    keep(this.#spareVectors, done.vectors?.buffer);
  }
}
