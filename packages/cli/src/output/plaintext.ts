/**
 * Decrypted records as JSONL `{"id", "vector"?, "payload"}`, the output of decrypt, get and
 * export. Plaintext is the secret the whole system protects: a file output is created mode 0600
 * (atomic, like every output); `-` writes to stdout.
 */
import type { Writable } from 'node:stream';
import type { JsonValue } from '@sealvec/core';
import { formatVectorShortest } from './float32-text.js';
import { openOutput, type Output } from './atomic.js';

export const PLAINTEXT_FILE_MODE = 0o600;

export function openPlaintextOutput(path: string, stdout: Writable, cwd: string): Promise<Output> {
  return openOutput(path, stdout, cwd, { mode: PLAINTEXT_FILE_MODE });
}

/** One output line (with its newline). */
export function plaintextLine(r: { id: string; vector?: Float32Array | undefined; payload: JsonValue }): string {
  return `{"id":${JSON.stringify(r.id)}${r.vector ? `,"vector":[${formatVectorShortest(r.vector)}]` : ''},"payload":${JSON.stringify(r.payload)}}\n`;
}
