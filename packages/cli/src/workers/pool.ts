/**
 * Runs batch sealing on `threads` worker threads (or in-process for one thread), keeping at most
 * a few batches in flight per thread so memory stays flat, and handing results back in the order
 * the batches were submitted (output order = input order).
 */
import { Worker } from 'node:worker_threads';
import { CliError, exitCodeForCode } from '../errors.js';
import { createBatchSealer, transferablesOf, type SealBatch, type SealedBatch, type SealTaskInit, type TaskError } from './task.js';

export interface SealRunner {
  /** Queues a batch; resolves with its result. Results must be awaited in submission order. */
  submit(batch: SealBatch): Promise<SealedBatch>;
  /** How many batches may be in flight before the caller should await the oldest. */
  readonly capacity: number;
  /** Hands a result's encoded buffers back once they are written, for reuse by later batches. */
  recycle(result: SealedBatch): void;
  close(): Promise<void>;
}

/** Rebuilds an error that crossed a thread boundary, keeping its code (and so its exit code). */
export class WorkerTaskError extends CliError {
  readonly taskName: string;
  constructor(e: TaskError) {
    super(e.message, exitCodeForCode(e.code), e.code ?? 'ERR_UNEXPECTED');
    this.taskName = e.name;
  }
}

export async function inProcessRunner(init: SealTaskInit): Promise<SealRunner> {
  const seal = await createBatchSealer(init);
  return {
    capacity: 1,
    submit(batch) {
      try {
        return Promise.resolve(seal.seal(batch));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    recycle(result) {
      if (result.encoded) seal.recycle(result.encoded);
    },
    async close() {},
  };
}

interface Pending {
  batch: SealBatch;
  resolve: (r: SealedBatch) => void;
  reject: (e: unknown) => void;
}

export function workerRunner(init: SealTaskInit, threads: number): SealRunner {
  const url = new URL('./seal-worker.js', import.meta.url);
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  const queue: Pending[] = [];
  let failure: unknown;
  const workers: Worker[] = [];
  /** Which worker made a result, so its buffers go back to that worker's encoder. */
  const madeBy = new WeakMap<SealedBatch, Worker>();

  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const p = queue.shift()!;
      busy.set(w, p);
      w.postMessage(p.batch, [p.batch.matrix.buffer as ArrayBuffer]);
    }
  };

  for (let i = 0; i < threads; i++) {
    const w = new Worker(url, { workerData: init });
    w.unref();
    w.on('message', (msg: { ok?: SealedBatch; error?: TaskError }) => {
      const p = busy.get(w);
      busy.delete(w);
      idle.push(w);
      if (p) {
        if (msg.ok) madeBy.set(msg.ok, w);
        if (msg.ok) p.resolve(msg.ok);
        else p.reject(new WorkerTaskError(msg.error!));
      }
      dispatch();
    });
    w.on('error', (e) => {
      failure ??= e;
      const p = busy.get(w);
      busy.delete(w);
      p?.reject(e);
      for (const q of queue.splice(0)) q.reject(e);
    });
    idle.push(w);
    workers.push(w);
  }

  return {
    capacity: threads * 2,
    recycle(result) {
      const w = madeBy.get(result);
      const e = result.encoded;
      if (w === undefined || e === undefined || failure !== undefined) return;
      const buffers = transferablesOf(result);
      // Transferred back (not copied): the main thread must not touch them any more.
      w.postMessage({ recycle: e }, buffers);
    },
    submit(batch) {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        queue.push({ batch, resolve, reject });
        dispatch();
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

export async function createRunner(init: SealTaskInit, threads: number): Promise<SealRunner> {
  return threads <= 1 ? inProcessRunner(init) : workerRunner(init, threads);
}
