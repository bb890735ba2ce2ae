/**
 * Exact-size reads over a chunked source, for the binary formats: `take(n)` returns n bytes
 * (a view into the current chunk when it fits, a copy when the bytes straddle chunks), or fewer
 * only at the end of the input.
 */
export class BlockReader {
  #chunks: AsyncGenerator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  #off = 0;
  #done = false;
  /** Bytes handed out by `take` so far. */
  position = 0;

  constructor(chunks: AsyncGenerator<Buffer>) {
    this.#chunks = chunks;
  }

  async take(n: number): Promise<Buffer> {
    const avail = this.#buf.length - this.#off;
    if (n <= avail) {
      const out = this.#buf.subarray(this.#off, this.#off + n);
      this.#off += n;
      this.position += n;
      return out;
    }
    const parts: Buffer[] = [];
    let have = 0;
    if (avail > 0) {
      parts.push(this.#buf.subarray(this.#off));
      have = avail;
    }
    this.#buf = Buffer.alloc(0);
    this.#off = 0;
    while (have < n && !this.#done) {
      const r = await this.#chunks.next();
      if (r.done) {
        this.#done = true;
        break;
      }
      const c = r.value;
      const need = n - have;
      if (c.length <= need) {
        parts.push(c);
        have += c.length;
      } else {
        parts.push(c.subarray(0, need));
        have += need;
        this.#buf = c;
        this.#off = need;
      }
    }
    const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    this.position += out.length;
    return out;
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    if (this.#off < this.#buf.length) return false;
    while (!this.#done) {
      const r = await this.#chunks.next();
      if (r.done) {
        this.#done = true;
        break;
      }
      if (r.value.length > 0) {
        this.#buf = r.value;
        this.#off = 0;
        return false;
      }
    }
    return true;
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * `count` float32 values from `bytes` (in the given byte order): a view over the same memory when
 * the byte order and alignment allow (read chunks are never reused, so the view stays valid; one
 * allocation and copy less per row), else a copy.
 */
export function readFloat32(bytes: Buffer, count: number, littleEndian: boolean): Float32Array {
  if (littleEndian === LITTLE_ENDIAN_HOST && bytes.byteOffset % 4 === 0 && bytes.byteLength >= 4 * count) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  }
  const out = new Float32Array(count);
  if (littleEndian === LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, littleEndian);
  return out;
}

/** float64 values rounded to float32; the float64 originals are kept for messages. */
export function readFloat64(bytes: Buffer, count: number, littleEndian: boolean): { vector: Float32Array; source: Float64Array } {
  const src = new Float64Array(count);
  if (littleEndian === LITTLE_ENDIAN_HOST) {
    new Uint8Array(src.buffer).set(bytes.subarray(0, count * 8));
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) src[i] = dv.getFloat64(i * 8, littleEndian);
  }
  return { vector: Float32Array.from(src), source: src };
}
