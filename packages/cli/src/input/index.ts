/** Opening an input of any supported format as one stream of checked records. */
import { EmptyInput } from '@sealvec/core';
import type { Readable } from 'node:stream';
import { readCsv } from './csv.js';
import { detectFormat } from './detect.js';
import { readFvecs } from './fvecs.js';
import { readJsonArray } from './json-array.js';
import { readJsonl } from './jsonl.js';
import { readNpy } from './npy.js';
import { sealedKindOf } from './sniff.js';
import { openSource, type Source } from './source.js';
import type { InputFormat, InputRecord, ReaderOptions } from './types.js';

export type { InputFormat, InputRecord, ReaderOptions } from './types.js';
export { INPUT_FORMATS } from './types.js';
export { openSource, type Source } from './source.js';

export interface Input {
  readonly source: Source;
  readonly format: InputFormat;
  /** Records, in input order. Throws EmptyInput when the input holds none. */
  records(): AsyncGenerator<InputRecord>;
  /** Rows in the input when known up front (.npy, .fvecs), for progress. */
  readonly total: number | undefined;
  close(): Promise<void>;
}

export function readerFor(source: Source, format: InputFormat, options: ReaderOptions, onTotal: (n: number) => void): AsyncGenerator<InputRecord> {
  switch (format) {
    case 'jsonl':
      return readJsonl(source, options);
    case 'json':
      return readJsonArray(source, options);
    case 'npy':
      return readNpy(source, options, (h) => onTotal(h.rows));
    case 'fvecs':
      return readFvecs(source, options);
    case 'csv':
      return readCsv(source, ',', options);
    case 'tsv':
      return readCsv(source, '\t', options);
  }
}

export interface OpenInputOptions extends ReaderOptions {
  format?: string | undefined;
  stdin: Readable;
  cwd: string;
}

export async function openInput(path: string, opts: OpenInputOptions): Promise<Input> {
  const source = await openSource(path, opts.stdin, opts.cwd);
  try {
    return await inputFromSource(source, path, opts);
  } catch (e) {
    await source.close();
    throw e;
  }
}

/** An input over an already opened source (which may have been peeked at). */
export async function inputFromSource(source: Source, path: string, opts: Omit<OpenInputOptions, 'stdin' | 'cwd'>): Promise<Input> {
  const head = path === '-' || opts.format === undefined ? await source.peek() : undefined;
  const format = detectFormat(path, opts.format, head);
  let total: number | undefined;
  return {
    source,
    format,
    get total() {
      return total;
    },
    async *records() {
      let n = 0;
      for await (const r of readerFor(source, format, opts, (t) => (total = t))) {
        if (n === 0 && format === 'fvecs' && source.size !== undefined) total = Math.floor(source.size / (4 + 4 * r.vector.length));
        n++;
        yield r;
      }
      if (n === 0) throw new EmptyInput(`${source.name}: no records`);
    },
    close: () => source.close(),
  };
}

/** Does this first chunk start a sealed file (a sealed JSONL file or a sealed .npy sidecar)? */
export function looksSealed(head: Uint8Array): boolean {
  return sealedKindOf(head) !== undefined;
}
