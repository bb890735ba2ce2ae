/** Reading a sealed JSONL file: its header line, then its records one at a time. */
import { EmptyInput, type SealedRecord } from '@sealvec/core';
import { parseHeaderLine, parseRecordLine, type SealedFileHeader } from '../sealed-file.js';
import { storedDimension } from '../scheme.js';
import { readLines } from './lines.js';
import { parseJson } from './record.js';
import type { Source } from './source.js';

export interface SealedEntry {
  record: SealedRecord;
  where: string;
}

export interface SealedFile {
  header: SealedFileHeader;
  records: AsyncGenerator<SealedEntry>;
}

export async function openSealedFile(source: Source): Promise<SealedFile> {
  const lines = readLines(source);
  let first = await lines.next();
  while (!first.done && first.value.text.trim() === '') first = await lines.next();
  if (first.done) throw new EmptyInput(`${source.name}: empty file (not a sealed file)`);
  const hw = `${source.name}:${first.value.line}`;
  const header = parseHeaderLine(parseJson(first.value.text, hw), hw);
  async function* records(): AsyncGenerator<SealedEntry> {
    for await (const { text, line } of lines) {
      if (text.trim() === '') continue;
      const where = `${source.name}:${line}`;
      yield { record: parseRecordLine(parseJson(text, where), where, storedDimension(header.scheme)), where };
    }
  }
  return { header, records: records() };
}
