/**
 * Outputs that appear whole or not at all: data goes to a temp file in the target's directory
 * (so the final rename stays on one file system and is atomic), is flushed to disk, then renamed
 * over the target. On failure or abort the temp file is removed; on SIGINT/SIGTERM the process
 * handler in ./cleanup.ts removes it. `-` writes to stdout instead (no atomicity possible).
 *
 * Commit is two steps a caller may also take apart: `prepare` (flush, write header patches at
 * their offsets, fsync, close) and `publishSync` (the rename). Two files that must appear together
 * (a sealed .npy and its sidecar) prepare both, then publish both synchronously, back to back:
 * no signal handler can run between the two renames.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, renameSync, type WriteStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { describeFsError, OutputError } from '../errors.js';
import { registerTemp, unregisterTemp } from './cleanup.js';

export interface Output {
  /** The name used in messages. */
  readonly name: string;
  /**
   * Writes text or bytes, waiting when the destination's buffer is full (backpressure).
   * `onFlushed` runs once the data has been handed to the operating system (or has failed),
   * after which the caller may reuse its memory.
   */
  write(data: string | Uint8Array, onFlushed?: () => void): Promise<void>;
  /** Finishes: flushes, syncs and renames into place (prepare, then publishSync). */
  commit(): Promise<void>;
  /**
   * Flushes, writes each patch at its byte offset (headers whose final values are known only at
   * the end), syncs and closes the temp file, without renaming it. A failure aborts.
   */
  prepare(patches?: readonly Patch[]): Promise<void>;
  /** Renames the prepared temp file over the target, synchronously. A failure aborts. */
  publishSync(): void;
  /** Gives up: removes the temp file. Safe to call after commit (no-op) and twice. */
  abort(): Promise<void>;
}

/** Bytes to write over what was written at `offset` (same length: a header written twice). */
export interface Patch {
  offset: number;
  bytes: Uint8Array;
}

/** An exclusive output whose target exists (callers add the option that would replace it). */
export class OutputExists extends OutputError {}

export interface OutputOptions {
  /** File mode of the created file (default 0o644; key files and decrypted plaintext use 0o600). */
  mode?: number;
  /** Refuse to replace an existing file. */
  exclusive?: boolean;
  /**
   * Bytes buffered before a write waits for the disk (default 1 MiB). Sealed outputs take more, so
   * that writing one batch overlaps with sealing the next instead of idling the thread.
   */
  bufferBytes?: number;
}

function tempNameFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function openOutput(path: string, stdout: Writable, cwd: string, options: OutputOptions = {}): Promise<Output> {
  if (path === '-') return stdoutOutput(stdout);
  const target = resolve(cwd, path);
  const temp = tempNameFor(target);
  let fh;
  try {
    if (options.exclusive) {
      const exists = await open(target, 'r').then(
        async (h) => {
          await h.close();
          return true;
        },
        () => false,
      );
      if (exists) throw new OutputExists(`${path} already exists`);
    }
    fh = await open(temp, 'wx', options.mode ?? 0o644);
    // The umask cannot widen the mode but may narrow it; secrets must be exactly 0600.
    if (options.mode !== undefined) await fh.chmod(options.mode);
  } catch (e) {
    if (e instanceof OutputError) throw e;
    throw new OutputError(`cannot write ${path}: ${describeFsError(e)}`, { cause: e });
  }
  registerTemp(temp);
  const stream = createWriteStream('', { fd: fh.fd, autoClose: false, highWaterMark: options.bufferBytes ?? 1 << 20 });
  let error: Error | undefined;
  stream.on('error', (e) => {
    error ??= e;
  });
  let state: 'open' | 'prepared' | 'committed' | 'aborted' = 'open';

  const fail = (e: unknown): never => {
    throw new OutputError(`cannot write ${path}: ${describeFsError(e)}`, { cause: e });
  };

  const closeStream = (s: WriteStream) =>
    new Promise<void>((res) => {
      if (s.writableFinished || s.destroyed) return res();
      s.end(() => res());
      s.once('error', () => res());
    });

  const abort = async () => {
    if (state === 'committed' || state === 'aborted') return;
    const wasOpen = state === 'open';
    state = 'aborted';
    if (wasOpen) {
      stream.destroy();
      await fh.close().catch(() => {});
    }
    await unlink(temp).catch(() => {});
    unregisterTemp(temp);
  };

  const prepare = async (patches: readonly Patch[] = []) => {
    if (state !== 'open') throw new Error(`prepare after ${state}`);
    try {
      await closeStream(stream);
      if (error) fail(error);
      for (const p of patches) await fh.write(p.bytes, 0, p.bytes.length, p.offset);
      await fh.sync();
      await fh.close();
      state = 'prepared';
    } catch (e) {
      await abort();
      if (e instanceof OutputError) throw e;
      fail(e);
    }
  };

  const publishSync = () => {
    if (state !== 'prepared') throw new Error(`publish after ${state}`);
    try {
      renameSync(temp, target);
    } catch (e) {
      void abort();
      fail(e);
    }
    state = 'committed';
    unregisterTemp(temp);
  };

  return {
    name: path,
    async write(data, onFlushed) {
      if (state !== 'open') throw new Error(`write after ${state}`);
      if (error) fail(error);
      if (!stream.write(data, onFlushed)) {
        await new Promise<void>((res) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('error', done);
            res();
          };
          stream.once('drain', done);
          stream.once('error', done);
        });
        if (error) fail(error);
      }
    },
    async commit() {
      await prepare();
      publishSync();
    },
    prepare,
    publishSync,
    abort,
  };
}

function stdoutOutput(stdout: Writable): Output {
  let error: Error | undefined;
  const onError = (e: Error) => {
    error ??= e;
  };
  stdout.on('error', onError);
  return {
    name: '<stdout>',
    async write(data, onFlushed) {
      if (error) throw new OutputError(`cannot write to stdout: ${describeFsError(error)}`, { cause: error });
      if (!stdout.write(data, onFlushed)) {
        await new Promise<void>((res) => {
          const done = () => {
            stdout.off('drain', done);
            stdout.off('error', done);
            res();
          };
          stdout.once('drain', done);
          stdout.once('error', done);
        });
      }
    },
    async commit() {
      stdout.off('error', onError);
      if (error && (error as { code?: string }).code !== 'EPIPE') {
        throw new OutputError(`cannot write to stdout: ${describeFsError(error)}`, { cause: error });
      }
    },
    prepare() {
      return Promise.reject(new Error('stdout cannot be patched or published'));
    },
    publishSync() {
      throw new Error('stdout cannot be patched or published');
    },
    async abort() {
      stdout.off('error', onError);
    },
  };
}

/** Writes a whole small file atomically (key files, configs). */
export async function writeFileAtomic(path: string, text: string, cwd: string, options: OutputOptions = {}): Promise<void> {
  // Small files written this way are keys and configs: never to stdout.
  if (path === '-') throw new OutputError('this output cannot go to stdout');
  const out = await openOutput(path, process.stdout, cwd, options);
  try {
    await out.write(text);
    await out.commit();
  } catch (e) {
    await out.abort();
    throw e;
  }
}
