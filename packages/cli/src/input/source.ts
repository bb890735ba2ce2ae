/**
 * A byte source read in chunks: a file (opened up front so a missing file fails before any
 * output is created) or stdin (`-`). It counts bytes read so progress can show an ETA, and it
 * can hand back its first chunk after a peek (format sniffing on stdin).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { describeFsError, InputFileError } from '../errors.js';

/** Read size: large enough to amortize syscalls, small enough that memory stays flat. */
export const CHUNK_SIZE = 1 << 20;

export interface Source {
  /** Name used in messages: the path as given, or `<stdin>`. */
  readonly name: string;
  /** Total bytes when known (regular files). */
  readonly size: number | undefined;
  /** Bytes handed out so far. */
  readonly bytesRead: number;
  /** The first chunk, without consuming it (empty when the source is empty). */
  peek(): Promise<Buffer>;
  chunks(): AsyncGenerator<Buffer>;
  close(): Promise<void>;
}

export async function openSource(path: string, stdin: Readable, cwd: string): Promise<Source> {
  if (path === '-') return new StreamSource('<stdin>', stdin, undefined, undefined);
  let fh: FileHandle;
  try {
    fh = await open(resolve(cwd, path), 'r');
  } catch (e) {
    throw new InputFileError(`cannot read ${path}: ${describeFsError(e)}`, { cause: e });
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new InputFileError(`cannot read ${path}: is a directory`);
    const size = st.isFile() ? st.size : undefined;
    const stream = fh.createReadStream({ highWaterMark: CHUNK_SIZE, autoClose: true });
    return new StreamSource(path, stream, size, fh);
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}

/**
 * A source over in-memory bytes (tests, inline data). `chunks` sets where reads split: a size, or
 * a list of sizes used in turn (tests put boundaries inside records and multi-byte characters).
 */
export function bufferSource(name: string, bytes: Uint8Array | string, chunks: number | readonly number[] = CHUNK_SIZE): Source {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizes = typeof chunks === 'number' ? [chunks] : chunks.length > 0 ? chunks : [CHUNK_SIZE];
  async function* gen(): AsyncGenerator<Buffer> {
    let i = 0;
    for (let off = 0; off < buf.length; ) {
      const n = Math.max(1, sizes[i++ % sizes.length]!);
      yield Buffer.from(buf.subarray(off, Math.min(buf.length, off + n)));
      off += n;
    }
  }
  return new StreamSource(name, gen(), buf.length, undefined);
}

class StreamSource implements Source {
  readonly name: string;
  readonly size: number | undefined;
  bytesRead = 0;
  #iter: AsyncIterator<Buffer | string>;
  #head: Buffer | undefined;
  #fh: FileHandle | undefined;
  #started = false;

  constructor(name: string, stream: AsyncIterable<Buffer | string>, size: number | undefined, fh: FileHandle | undefined) {
    this.name = name;
    this.size = size;
    this.#iter = stream[Symbol.asyncIterator]();
    this.#fh = fh;
  }

  async #next(): Promise<Buffer | undefined> {
    let r: IteratorResult<Buffer | string>;
    try {
      r = await this.#iter.next();
    } catch (e) {
      throw new InputFileError(`cannot read ${this.name}: ${describeFsError(e)}`, { cause: e });
    }
    if (r.done) return undefined;
    return typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
  }

  async peek(): Promise<Buffer> {
    if (this.#started) throw new Error('peek after reading started');
    if (this.#head === undefined) this.#head = (await this.#next()) ?? Buffer.alloc(0);
    return this.#head;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    if (this.#started) throw new Error('a source can be read once');
    this.#started = true;
    if (this.#head !== undefined) {
      const h = this.#head;
      this.#head = undefined;
      if (h.length > 0) {
        this.bytesRead += h.length;
        yield h;
      }
    }
    for (;;) {
      const c = await this.#next();
      if (c === undefined) return;
      if (c.length === 0) continue;
      this.bytesRead += c.length;
      yield c;
    }
  }

  async close(): Promise<void> {
    await this.#iter.return?.();
    const fh = this.#fh;
    this.#fh = undefined;
    // The read stream closes the handle itself (autoClose); closing twice is harmless here.
    if (fh) await fh.close().catch(() => {});
  }
}
