/**
 * What a command may touch of the outside world. Commands take an `Io` instead of reaching for
 * `process`, so tests call them directly with in-memory streams and a fake environment.
 */
import type { Readable, Writable } from 'node:stream';
import { hiddenPrompt } from './prompt.js';

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: progress and colour are shown only then. */
  isTTY: boolean;
  /** Directory that relative paths and the default `.sealvec/` resolve against. */
  cwd: string;
  /** Asks for a secret without echo (absent without a terminal; tests inject one). */
  prompt?: ((question: string) => Promise<string>) | undefined;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    cwd: process.cwd(),
    prompt: process.stderr.isTTY === true || process.stdin.isTTY === true ? hiddenPrompt(process.stderr) : undefined,
  };
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off. */
export function useColor(io: Pick<Io, 'isTTY' | 'env'>): boolean {
  const noColor = io.env.NO_COLOR;
  return io.isTTY && (noColor === undefined || noColor === '') && io.env.TERM !== 'dumb';
}

/** Writes to a stream and waits for it to drain when its buffer is full (backpressure). */
export function writeOut(stream: Writable, text: string): Promise<void> | void {
  if (stream.write(text)) return;
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (e: Error) => {
      stream.off('drain', onDrain);
      reject(e);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}
