/** Telling sealed files apart from plaintext inputs by their first bytes. */
import { open } from 'node:fs/promises';

/**
 * What the first line of `head` says the file is: a sealed JSONL file ('jsonl'), the sidecar of
 * a sealed .npy pair ('npy'), or neither. A sniff for choosing a reader; the reader validates.
 */
export function sealedKindOf(head: Uint8Array): 'jsonl' | 'npy' | undefined {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 4096)).toString('utf8');
  const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
  const m = /^\{\s*"type"\s*:\s*"sealvec\/sealed-(jsonl|npy)"/.exec(firstLine);
  return m ? (m[1] as 'jsonl' | 'npy') : undefined;
}

/** Is the file at `path` (absolute) the sidecar of a sealed .npy pair? False when it cannot be read. */
export async function isSidecarFile(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      return sealedKindOf(head.subarray(0, bytesRead)) === 'npy';
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}
