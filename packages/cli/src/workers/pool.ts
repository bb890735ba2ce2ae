/**
 * Runs batch sealing on `threads` worker threads (or in-process for one thread), keeping at most
 * a few batches in flight per thread so memory stays flat, and handing results back in the order
 * the batches were submitted (output order = input order).
 */
import { Worker } from 'node:worker_threads';
import { CliError, exitCodeForCode } from '../errors.js';
import { createBatchSealer, type SealBatch, type SealedBatch, type SealTaskInit, type TaskError } from './task.js';

export interface SealRunner {
  /** Queues a batch; resolves with its result. Results must be awaited in submission order. */
  submit(batch: SealBatch): Promise<SealedBatch>;
  /** How many batches may be in flight before the caller should await the oldest. */
  readonly capacity: number;
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

export function inProcessRunner(init: SealTaskInit): SealRunner {
  const seal = createBatchSealer(init);
  return {
    capacity: 1,
    submit(batch) {
      try {
        return Promise.resolve(seal(batch));
      } catch (e) {
        return Promise.reject(e);
      }
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

export function createRunner(init: SealTaskInit, threads: number): SealRunner {
  return threads <= 1 ? inProcessRunner(init) : workerRunner(init, threads);
}
