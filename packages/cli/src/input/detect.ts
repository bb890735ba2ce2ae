/** Which reader to use: `--format`, else the file's extension, else (stdin) a sniff of its first bytes. */
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { isNpy } from './npy.js';
import { INPUT_FORMATS, type InputFormat } from './types.js';

const BY_EXTENSION: Readonly<Record<string, InputFormat>> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.jsonlines': 'jsonl',
  '.json': 'json',
  '.npy': 'npy',
  '.fvecs': 'fvecs',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
};

export function parseFormat(value: string): InputFormat {
  const f = value.toLowerCase();
  if ((INPUT_FORMATS as readonly string[]).includes(f)) return f as InputFormat;
  throw new UsageError(`unknown input format ${JSON.stringify(value)} (expected one of ${INPUT_FORMATS.join(', ')})`);
}

export function formatFromPath(path: string): InputFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

/** A guess from the first bytes: .npy magic, `[` (JSON array) or `{` (JSON Lines). */
export function sniffFormat(head: Uint8Array): InputFormat | undefined {
  if (isNpy(head)) return 'npy';
  for (const b of head) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    if (b === 0xef) continue; // UTF-8 BOM
    if (b === 0xbb || b === 0xbf) continue;
    if (b === 0x5b) return 'json';
    if (b === 0x7b) return 'jsonl';
    return undefined;
  }
  return undefined;
}

export function detectFormat(path: string, explicit: string | undefined, head: Uint8Array | undefined): InputFormat {
  if (explicit !== undefined) return parseFormat(explicit);
  const byExt = path === '-' ? undefined : formatFromPath(path);
  if (byExt) return byExt;
  const sniffed = head ? sniffFormat(head) : undefined;
  if (sniffed) return sniffed;
  throw new UsageError(
    `cannot tell the format of ${path === '-' ? 'stdin' : path} (use --format ${INPUT_FORMATS.join('|')})`,
  );
}
