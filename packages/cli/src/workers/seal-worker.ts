/** Worker thread entry: builds a batch sealer from workerData, then seals batches as they come. */
import { parentPort, workerData } from 'node:worker_threads';
import type { EncodedRecords } from '../output/sealed-output.js';
import { createBatchSealer, toTaskError, transferablesOf, type BatchSealer, type SealBatch, type SealTaskInit } from './task.js';

const port = parentPort;
if (port === null) throw new Error('seal-worker must run in a worker thread');

let seal: BatchSealer | undefined;
let initError: unknown;
try {
  seal = await createBatchSealer(workerData as SealTaskInit);
} catch (e) {
  initError = e;
}

/** A message is a batch to seal, or the buffers of a written result coming back for reuse. */
port.on('message', (msg: SealBatch | { recycle: EncodedRecords }) => {
  if ('recycle' in msg) {
    seal?.recycle(msg.recycle);
    return;
  }
  const batch = msg;
  try {
    if (seal === undefined) throw initError;
    const out = seal.seal(batch);
    port.postMessage({ ok: out }, transferablesOf(out));
  } catch (e) {
    port.postMessage({ seq: batch.seq, error: toTaskError(e) });
  }
});
