/**
 * Rewriting a sealed file record by record (rewrap, rotate): read the header line and records,
 * transform each, write the header (the setup's verified, or newly signed, scheme) and the new
 * records atomically. -o may equal -i: the input is read to the end before the rename replaces it.
 */
import type { SealedRecord, SignedScheme } from '@sealvec/core';
import { openSealedFile } from '../input/sealed.js';
import { openSource } from '../input/source.js';
import type { Io } from '../io.js';
import { openOutput, type Output } from '../output/atomic.js';
import { createProgress, type ProgressFlags } from '../progress.js';
import { encodeHeaderLine, encodeRecordLine, type SealedFileHeader } from '../sealed-file.js';

export interface TransformCounts {
  records: number;
  changed: number;
}

export async function transformSealedFile(
  input: string,
  output: string,
  io: Io,
  flags: ProgressFlags,
  label: string,
  setup: (header: SealedFileHeader) => Promise<{ transform: (record: SealedRecord, where: string) => SealedRecord | null; scheme: SignedScheme }>,
): Promise<TransformCounts> {
  const source = await openSource(input, io.stdin, io.cwd);
  let out: Output | undefined;
  const progress = createProgress(io, flags, { label, totalBytes: source.size });
  const counts: TransformCounts = { records: 0, changed: 0 };
  try {
    const file = await openSealedFile(source);
    const { transform, scheme } = await setup(file.header);
    out = await openOutput(output, io.stdout, io.cwd);
    await out.write(encodeHeaderLine(file.header.collection, file.header.tenant, scheme));
    let buf = '';
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
      buf += encodeRecordLine(next ?? record);
      if (buf.length > 1 << 20) {
        await out.write(buf);
        buf = '';
        progress.update(counts.records, source.bytesRead);
      }
    }
    if (buf) await out.write(buf);
    await out.commit();
  } catch (e) {
    await out?.abort();
    throw e;
  } finally {
    progress.finish();
    await source.close();
  }
  return counts;
}
