/**
 * Outputs that appear whole or not at all: data goes to a temp file in the target's directory
 * (so the final rename stays on one file system and is atomic), is flushed to disk, then renamed
 * over the target. On failure or abort the temp file is removed; on SIGINT/SIGTERM the process
 * handler in ./cleanup.ts removes it. `-` writes to stdout instead (no atomicity possible).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { describeFsError, OutputError } from '../errors.js';
import { registerTemp, unregisterTemp } from './cleanup.js';

export interface Output {
  /** The name used in messages. */
  readonly name: string;
  /** Writes text or bytes, waiting when the destination's buffer is full (backpressure). */
  write(data: string | Uint8Array): Promise<void>;
  /** Finishes: flushes, syncs and renames into place. */
  commit(): Promise<void>;
  /** Gives up: removes the temp file. Safe to call after commit (no-op) and twice. */
  abort(): Promise<void>;
}

/** An exclusive output whose target exists (callers add the option that would replace it). */
export class OutputExists extends OutputError {}

export interface OutputOptions {
  /** File mode of the created file (default 0o644; key files and decrypted plaintext use 0o600). */
  mode?: number;
  /** Refuse to replace an existing file. */
  exclusive?: boolean;
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
  const stream = createWriteStream('', { fd: fh.fd, autoClose: false, highWaterMark: 1 << 20 });
  let error: Error | undefined;
  stream.on('error', (e) => {
    error ??= e;
  });
  let state: 'open' | 'committed' | 'aborted' = 'open';

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
    if (state !== 'open') return;
    state = 'aborted';
    stream.destroy();
    await fh.close().catch(() => {});
    await unlink(temp).catch(() => {});
    unregisterTemp(temp);
  };

  return {
    name: path,
    async write(data) {
      if (state !== 'open') throw new Error(`write after ${state}`);
      if (error) fail(error);
      if (!stream.write(data)) {
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
      if (state !== 'open') throw new Error(`commit after ${state}`);
      try {
        await closeStream(stream);
        if (error) fail(error);
        await fh.sync();
        await fh.close();
        await rename(temp, target);
        state = 'committed';
        unregisterTemp(temp);
      } catch (e) {
        await abort();
        if (e instanceof OutputError) throw e;
        fail(e);
      }
    },
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
    async write(data) {
      if (error) throw new OutputError(`cannot write to stdout: ${describeFsError(error)}`, { cause: error });
      if (!stdout.write(data)) {
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
