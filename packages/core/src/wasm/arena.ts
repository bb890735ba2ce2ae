/**
 * Byte ranges of one growable WebAssembly memory, handed out and taken back (first fit, free
 * neighbours merged, a free range at the top returned to the top). Many small owners share one
 * memory this way: every WebAssembly memory reserves about 10 GB of address space up front, so
 * a process cannot afford one per owner when owners number in the thousands.
 *
 * The memory never shrinks (WebAssembly cannot); freed ranges are zeroed (what an owner kept
 * there, keyed tables or vectors, does not outlive it) and reused by later allocations.
 */
import { WASM_PAGE, type WasmMemory } from './runtime.js';

const ALIGN = 16;

interface Range {
  off: number;
  size: number;
}

export class Arena {
  readonly memory: WasmMemory;
  /** Bumped on every growth (which detaches the old buffer, so views must be made again). */
  generation = 0;
  /** Offset 0 is never handed out, so 0 can mean "no table". */
  #top = ALIGN;
  /** Free ranges below #top, sorted by offset, never adjacent to one another. */
  readonly #free: Range[] = [];

  constructor(memory: WasmMemory) {
    this.memory = memory;
  }

  /** Bytes handed out and not freed, plus free gaps below the top (what the memory must hold). */
  get top(): number {
    return this.#top;
  }

  get freeRanges(): readonly Readonly<Range>[] {
    return this.#free;
  }

  /** A 16-aligned range of at least `bytes` bytes, or null when the memory cannot grow enough. */
  alloc(bytes: number): number | null {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new RangeError(`"bytes" expected a positive integer, got ${bytes}`);
    const size = align(bytes);
    const free = this.#free;
    for (let i = 0; i < free.length; i++) {
      const r = free[i]!;
      if (r.size < size) continue;
      const off = r.off;
      if (r.size === size) free.splice(i, 1);
      else {
        r.off += size;
        r.size -= size;
      }
      return off;
    }
    const off = this.#top;
    const end = off + size;
    const have = this.memory.buffer.byteLength;
    if (end > have && !this.#grow(end - have)) return null;
    this.#top = end;
    return off;
  }

  /** Returns a range from `alloc` (with the same `bytes`). */
  free(off: number, bytes: number): void {
    const size = align(bytes);
    const free = this.#free;
    let i = 0;
    while (i < free.length && free[i]!.off < off) i++;
    const prev = free[i - 1];
    const next = free[i];
    if (off < ALIGN || off % ALIGN !== 0 || off + size > this.#top || (prev && prev.off + prev.size > off) || (next && off + size > next.off)) {
      throw new RangeError(`free of [${off}, ${off + size}) that is not an allocated range`);
    }
    new Uint8Array(this.memory.buffer, off, size).fill(0);
    let r: Range = { off, size };
    if (prev && prev.off + prev.size === off) {
      prev.size += size;
      r = prev;
    } else {
      free.splice(i, 0, r);
      i++;
    }
    if (next && r.off + r.size === next.off) {
      r.size += next.size;
      free.splice(i, 1);
    }
    const last = free[free.length - 1];
    if (last && last.off + last.size === this.#top) {
      this.#top = last.off;
      free.pop();
    }
  }

  /** Grows by at least `bytes`, by a quarter of the memory when that is more (few detaching growths). */
  #grow(bytes: number): boolean {
    const pages = this.memory.buffer.byteLength / WASM_PAGE;
    const need = Math.ceil(bytes / WASM_PAGE);
    for (const n of [Math.max(need, pages >>> 2), need]) {
      try {
        this.memory.grow(n);
        this.generation++;
        return true;
      } catch {
        // past the engine's limit: try the exact need, then give up
      }
    }
    return false;
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
