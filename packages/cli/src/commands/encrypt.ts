/**
 * `sealvec encrypt`: plaintext embeddings (JSONL, JSON, .npy, .fvecs, CSV/TSV) -> sealed JSONL,
 * or a sealed .npy pair when -o ends in .npy. Streams: records are read, sealed and encoded in
 * batches (on worker threads with --threads N) and written in input order, so memory stays flat
 * whatever the input size. The output appears atomically (a pair: both files or neither).
 */
import { exportVectorKey, exportWriterKey, parsePolicy, schemeToJSON, signScheme, type SignedScheme } from '@sealvec/core';
import { batchesOf, toSealBatch } from '../batches.js';
import type { GlobalOptions } from '../global-options.js';
import { DuplicateIds, trackDuplicates } from '../input/duplicates.js';
import { openInput } from '../input/index.js';
import type { Io } from '../io.js';
import { keyDirFor } from '../keyfiles.js';
import { openSealedOutput, type SealedOutput } from '../output/sealed-output.js';
import { pointIdOf } from '../point-id.js';
import { createProgress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { DEFAULT_COLLECTION, resolveScheme } from '../scheme.js';
import { sidecarPathOf } from '../sealed-npy.js';
import { createRunner, type SealRunner } from '../workers/pool.js';
import type { SealedBatch } from '../workers/task.js';
import { readerOptions, schemeRequest, type ReadInputOptions, type SchemeOptions } from './input-options.js';

export interface EncryptOptions extends ReadInputOptions, SchemeOptions, GlobalOptions {
  output: string;
  collection?: string | undefined;
  tenant?: string | undefined;
  /** Policy for records that carry none. */
  policy?: string | undefined;
  threads?: number | undefined;
}

export interface EncryptResult {
  output: string;
  records: number;
  collection: string;
  tenant: string;
  /** 'jsonl', or 'npy' for a sealed .npy pair (`files` names both). */
  format: 'jsonl' | 'npy';
  files: string[];
  /** The signed scheme, as the file's header line carries it. */
  scheme: Record<string, unknown>;
  kid: string;
  seconds: number;
  recordsPerSecond: number;
  /** Records whose id repeats an earlier one (ingesting the file keeps the last of each). */
  duplicates: { count: number; ids: string[] };
}

export async function encrypt(opts: EncryptOptions, io: Io): Promise<EncryptResult> {
  const started = performance.now();
  const kd = keyDirFor(io, opts);
  const tenant = opts.tenant ?? '';
  const collection = opts.collection ?? DEFAULT_COLLECTION;
  const writer = await kd.writer(tenant);
  const keyset = await kd.keyset();
  // A bad --policy fails before any input is read.
  if (opts.policy !== undefined) parsePolicy(writer.schema, opts.policy);
  const threads = opts.threads ?? 1;

  const input = await openInput(opts.input, { ...readerOptions(opts), typedColumns: opts.blindIndex ?? [], format: opts.format, stdin: io.stdin, cwd: io.cwd });
  const dups = new DuplicateIds();
  let out: SealedOutput | undefined;
  let runner: SealRunner | undefined;
  const progress = createProgress(io, opts, {
    label: 'encrypt',
    total: () => input.total,
    totalBytes: input.source.size,
  });
  let count = 0;
  let scheme: SignedScheme | undefined;
  try {
    out = await openSealedOutput(opts.output, io);
    // A pair's sidecar names each record's point id in the store.
    const pointId = out.format === 'npy' ? (id: string) => pointIdOf(tenant, id) : undefined;
    const inflight: { result: Promise<SealedBatch>; rows: number }[] = [];
    const drainOne = async () => {
      const next = inflight.shift()!;
      const r = await next.result;
      const done = runner!;
      await out!.write(r.encoded!, () => done.recycle(r));
      count += next.rows;
      progress.update(count, input.source.bytesRead);
    };
    let seq = 0;
    for await (const batch of batchesOf(trackDuplicates(input.records(), dups))) {
      if (scheme === undefined) {
        // The writer signs the scheme: a reader verifies it against the authority before using it.
        scheme = signScheme(resolveScheme(schemeRequest(opts), batch[0]!.vector.length, collection, writer.authorityId, batch.map((r) => r.vector)), writer);
        await out.begin(collection, tenant, scheme);
        runner = await createRunner(
          {
            writer: exportWriterKey(writer),
            vectorKey: exportVectorKey(keyset.primary),
            scheme,
            collection,
            tenant,
            defaultPolicy: opts.policy,
            output: out.format,
          },
          threads,
        );
      }
      const result = runner!.submit(toSealBatch(seq++, batch, scheme.dimension, pointId));
      // Awaited in order below; this only keeps a later batch's failure from being "unhandled".
      result.catch(() => {});
      inflight.push({ result, rows: batch.length });
      while (inflight.length >= runner!.capacity) await drainOne();
    }
    while (inflight.length > 0) await drainOne();
    await out.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    progress.finish();
    await runner?.close();
    await input.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const res: EncryptResult = {
    output: opts.output,
    format: out!.format,
    files: out!.format === 'npy' ? [opts.output, sidecarPathOf(opts.output)] : [opts.output],
    records: count,
    collection,
    tenant,
    scheme: schemeToJSON(scheme!),
    kid: keyset.primary.kid,
    seconds,
    recordsPerSecond: count / seconds,
    duplicates: dups.json(),
  };
  const r = createReporter(io, { ...opts, resultsToStderr: opts.output === '-' });
  const dupNote = dups.describe('decrypting the file returns each of them; ingesting it keeps the last record of each id');
  if (dupNote) r.warn(dupNote);
  const text = `Sealed ${plural(count, 'record')} (${scheme!.metric}, dimension ${scheme!.dimension}, ${
    scheme!.preset ? `preset ${scheme!.preset}` : `beta ${scheme!.beta}`
  }) to ${opts.output === '-' ? 'stdout' : res.files.join(' + ')} in ${seconds.toFixed(1)} s`;
  if (opts.json) r.result(res, text);
  else r.note(text);
  return res;
}
