/** Worker thread entry: builds a batch sealer from workerData, then seals batches as they come. */
import { parentPort, workerData } from 'node:worker_threads';
import { createBatchSealer, toTaskError, type SealBatch, type SealTaskInit } from './task.js';

const port = parentPort;
if (port === null) throw new Error('seal-worker must run in a worker thread');

let seal: ReturnType<typeof createBatchSealer> | undefined;
let initError: unknown;
try {
  seal = createBatchSealer(workerData as SealTaskInit);
} catch (e) {
  initError = e;
}

port.on('message', (batch: SealBatch) => {
  try {
    if (seal === undefined) throw initError;
    const out = seal(batch);
    port.postMessage({ ok: out }, [((out.vectors ?? out.bytes)!.buffer as ArrayBuffer)]);
  } catch (e) {
    port.postMessage({ seq: batch.seq, error: toTaskError(e) });
  }
});
