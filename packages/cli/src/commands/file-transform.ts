/**
 * Rewriting a sealed file record by record (rewrap, rotate): read the header and records (sealed
 * JSONL or a sealed .npy pair), transform each, write the header (the setup's verified, or newly
 * signed, scheme) and the new records atomically, in the form -o asks for (X.npy: a pair).
 * -o may equal -i: the input is read to the end before the rename replaces it.
 */
import type { SealedRecord, SignedScheme } from '@sealvec/core';
import { openSealedInput } from '../input/sealed.js';
import type { Io } from '../io.js';
import { SealedEncoder } from '../output/sealed-encoder.js';
import { openSealedOutput, type SealedOutput } from '../output/sealed-output.js';
import { pointIdOf } from '../point-id.js';
import { createProgress, type ProgressFlags } from '../progress.js';
import { storedDimension } from '../scheme.js';
import type { SealedFileHeader } from '../sealed-file.js';

export interface TransformCounts {
  records: number;
  changed: number;
}

/** Encoded text handed to the output at a time. */
const FLUSH_BYTES = 1 << 20;

export async function transformSealedFile(
  input: string,
  output: string,
  io: Io,
  flags: ProgressFlags,
  label: string,
  setup: (header: SealedFileHeader) => Promise<{ transform: (record: SealedRecord, where: string) => SealedRecord | null; scheme: SignedScheme }>,
): Promise<TransformCounts> {
  const file = await openSealedInput(input, io);
  let out: SealedOutput | undefined;
  const progress = createProgress(io, flags, { label, totalBytes: file.size, total: () => file.rows });
  const counts: TransformCounts = { records: 0, changed: 0 };
  try {
    const { transform, scheme } = await setup(file.header);
    out = await openSealedOutput(output, io);
    await out.begin(file.header.collection, file.header.tenant, scheme);
    const encoder = new SealedEncoder(out.format, storedDimension(scheme), { pointId: pointIdOf });
    for await (const { record, where } of file.records) {
      counts.records++;
      let next: SealedRecord | null;
      try {
        next = transform(record, where);
      } catch (e) {
        if (e instanceof Error && !e.message.startsWith(where)) e.message = `${where}: record ${JSON.stringify(record.id)}: ${e.message}`;
        throw e;
      }
      if (next !== null) counts.changed++;
      encoder.add(next ?? record);
      if (encoder.textBytes > FLUSH_BYTES) {
        await out.write(encoder.take());
        progress.update(counts.records, file.bytesRead);
      }
    }
    if (encoder.rows > 0) await out.write(encoder.take());
    await out.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    progress.finish();
    await file.close();
  }
  return counts;
}
