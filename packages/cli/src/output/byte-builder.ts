/**
 * A growable byte buffer that output text is written into directly: sealed files are mostly
 * numbers and base64, and building them as bytes skips the string joins and the UTF-8 encoding
 * pass of a whole batch (which cost as much as formatting the numbers). Each builder owns its
 * ArrayBuffer, so a finished batch can be transferred to another thread without a copy, and the
 * ArrayBuffer can be handed back for reuse once written (fresh megabyte buffers for every batch
 * cost page faults and garbage collections).
 */
import { FLOAT32_MAX_CHARS, putFloat32s } from './float32-text.js';

export class ByteBuilder {
  // A plain Uint8Array for the number writer (one element kind at that call site keeps it
  // monomorphic), and a Buffer over the same memory for Node's native string writes.
  #bytes: Uint8Array;
  #node: Buffer;
  #len = 0;

  /** A new buffer of at least `capacity` bytes, or `reuse` when it is given (and large enough). */
  constructor(capacity = 1 << 16, reuse?: ArrayBuffer) {
    const ab = reuse !== undefined && reuse.byteLength >= capacity ? reuse : new ArrayBuffer(Math.max(64, capacity));
    this.#bytes = new Uint8Array(ab);
    this.#node = Buffer.from(ab);
  }

  get length(): number {
    return this.#len;
  }

  /** Makes room for n more bytes. */
  reserve(n: number): void {
    const need = this.#len + n;
    if (need <= this.#bytes.length) return;
    const ab = new ArrayBuffer(Math.max(need, this.#bytes.length * 2));
    const next = new Uint8Array(ab);
    next.set(this.#bytes.subarray(0, this.#len));
    this.#bytes = next;
    this.#node = Buffer.from(ab);
  }

  /** Any string, as UTF-8 (lone surrogates become U+FFFD, as TextEncoder does). */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.#len += this.#node.write(s, this.#len, 'utf8');
  }

  /** A string known to be ASCII (JSON punctuation, base64, digits): one byte per character. */
  ascii(s: string): void {
    this.reserve(s.length);
    this.#len += this.#node.write(s, this.#len, 'latin1');
  }

  /** One byte (JSON punctuation). */
  byte(b: number): void {
    if (this.#len === this.#bytes.length) this.reserve(1);
    this.#bytes[this.#len++] = b;
  }

  /** Float32 values as comma-separated JSON numbers that read back exactly (float32-text.ts). */
  float32s(v: Float32Array): void {
    this.reserve(v.length * (FLOAT32_MAX_CHARS + 1));
    this.#len = putFloat32s(this.#bytes, this.#len, v);
  }

  /** The bytes written so far: a view over the builder's own ArrayBuffer (transferable). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#len);
  }
}
