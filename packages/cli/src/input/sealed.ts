/**
 * Reading a sealed file, whichever form it has: sealed JSONL (its header line, then its records
 * one at a time) or a sealed .npy pair (sealed-pair.ts), detected from the path (X.npy) or from
 * the first line (a sidecar's header). Every command that reads sealed files goes through here.
 */
import { EmptyInput, Malformed, type SealedRecord } from '@sealvec/core';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseHeaderLine, parseRecordLine, type SealedFileHeader } from '../sealed-file.js';
import { isNpyPath, npyPathOf, sidecarPathOf } from '../sealed-npy.js';
import { storedDimension } from '../scheme.js';
import { readLines } from './lines.js';
import { isNpy } from './npy.js';
import { parseJson } from './record.js';
import { openSealedPair } from './sealed-pair.js';
import { sealedKindOf } from './sniff.js';
import { openSource, type Source } from './source.js';

export interface SealedEntry {
  record: SealedRecord;
  where: string;
}

export interface SealedInput {
  readonly format: 'jsonl' | 'npy';
  /** For messages: the path, or "X.npy + X.jsonl". */
  readonly name: string;
  readonly header: SealedFileHeader;
  readonly records: AsyncGenerator<SealedEntry>;
  /** Records in the file when known up front (a pair's header declares them), for progress. */
  readonly rows: number | undefined;
  /** Total bytes when known (progress). */
  readonly size: number | undefined;
  readonly bytesRead: number;
  close(): Promise<void>;
}

/**
 * Opens `path` (or stdin for `-`) as a sealed file. `opened` is the same path's source when the
 * caller has already opened (and maybe peeked at) it.
 */
export async function openSealedInput(path: string, io: Pick<Io, 'stdin' | 'cwd'>, opened?: Source): Promise<SealedInput> {
  if (path !== '-' && isNpyPath(path)) {
    const npy = opened ?? (await openSource(path, io.stdin, io.cwd));
    return openSealedPair(path, sidecarPathOf(path), io, { npy });
  }
  const source = opened ?? (await openSource(path, io.stdin, io.cwd));
  try {
    const head = await source.peek();
    if (sealedKindOf(head) === 'npy') {
      if (path === '-') throw new UsageError('a sealed .npy pair cannot be read from stdin: give the path of its .npy (or of its sidecar)');
      const npyPath = npyPathOf(path);
      if (npyPath === undefined) throw new Malformed(`${path}: a sealed .npy sidecar is named X.jsonl, beside its X.npy`);
      return await openSealedPair(npyPath, path, io, { sidecar: source });
    }
    if (isNpy(head)) {
      throw new Malformed(
        path === '-'
          ? '<stdin>: a sealed .npy cannot be read from stdin: give the path of its .npy (its sidecar X.jsonl beside it)'
          : `${path}: a NumPy file; a sealed .npy pair is read from X.npy with its sidecar X.jsonl beside it`,
      );
    }
    return await openSealedJsonl(source);
  } catch (e) {
    await source.close();
    throw e;
  }
}

async function openSealedJsonl(source: Source): Promise<SealedInput> {
  const lines = readLines(source);
  let first = await lines.next();
  while (!first.done && first.value.text.trim() === '') first = await lines.next();
  if (first.done) throw new EmptyInput(`${source.name}: empty file (not a sealed file)`);
  const hw = `${source.name}:${first.value.line}`;
  const header = parseHeaderLine(parseJson(first.value.text, hw), hw);
  const D = storedDimension(header.scheme);
  async function* records(): AsyncGenerator<SealedEntry> {
    for await (const { text, line } of lines) {
      if (text.trim() === '') continue;
      const where = `${source.name}:${line}`;
      yield { record: parseRecordLine(parseJson(text, where), where, D), where };
    }
  }
  return {
    format: 'jsonl',
    name: source.name,
    header,
    records: records(),
    rows: undefined,
    size: source.size,
    get bytesRead() {
      return source.bytesRead;
    },
    close: () => source.close(),
  };
}
