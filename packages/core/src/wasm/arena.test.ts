import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { Arena } from './arena.js';
import { WASM_PAGE, type WasmMemory } from './runtime.js';

/** A stand-in memory: grows like a WebAssembly memory, up to `maxPages` (then throws RangeError like it). */
function fakeMemory(maxPages = 1 << 16): WasmMemory & { grows: number } {
  let buffer = new ArrayBuffer(WASM_PAGE);
  return {
    grows: 0,
    get buffer() {
      return buffer;
    },
    grow(pages: number) {
      const old = buffer.byteLength / WASM_PAGE;
      if (old + pages > maxPages) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
      buffer = new ArrayBuffer((old + pages) * WASM_PAGE);
      this.grows++;
      return old;
    },
  };
}

describe('Arena', () => {
  it('hands out disjoint, 16-aligned ranges inside the memory, reuses freed ones, and returns to empty (random alloc/free)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 200_000 }), fc.nat()), { maxLength: 60 }), (ops) => {
        const memory = fakeMemory();
        const arena = new Arena(memory);
        const live: { off: number; bytes: number }[] = [];
        for (const [doAlloc, bytes, pick] of ops) {
          if (doAlloc || live.length === 0) {
            const off = arena.alloc(bytes);
            expect(off).not.toBeNull();
            expect(off! % 16).toBe(0);
            expect(off!).toBeGreaterThanOrEqual(16);
            expect(off! + bytes).toBeLessThanOrEqual(memory.buffer.byteLength);
            for (const r of live) expect(off! + bytes <= r.off || r.off + r.bytes <= off!).toBe(true);
            live.push({ off: off!, bytes });
          } else {
            const [r] = live.splice(pick % live.length, 1);
            arena.free(r!.off, r!.bytes);
          }
          // the free list stays sorted, merged and below the top
          const free = arena.freeRanges;
          for (let i = 1; i < free.length; i++) expect(free[i - 1]!.off + free[i - 1]!.size).toBeLessThan(free[i]!.off);
          if (free.length > 0) expect(free[free.length - 1]!.off + free[free.length - 1]!.size).toBeLessThan(arena.top);
        }
        for (const r of live.splice(0)) arena.free(r.off, r.bytes);
        expect(arena.top).toBe(16);
        expect(arena.freeRanges).toEqual([]);
      }),
      { numRuns: numRuns(200) },
    );
  });

  it('reuses a freed range without growing, zeroed, and counts every growth in `generation`', () => {
    const memory = fakeMemory();
    const arena = new Arena(memory);
    const a = arena.alloc(100_000)!;
    const b = arena.alloc(100_000)!;
    new Uint8Array(memory.buffer, a, 100_000).fill(0xa5);
    new Uint8Array(memory.buffer, b, 100_000).fill(0x5a);
    expect(arena.generation).toBe(memory.grows);
    expect(memory.grows).toBeGreaterThan(0);
    const grows = memory.grows;
    arena.free(a, 100_000);
    expect(new Uint8Array(memory.buffer, a, 100_000).every((v) => v === 0)).toBe(true);
    expect(new Uint8Array(memory.buffer, b, 100_000).every((v) => v === 0x5a)).toBe(true);
    expect(arena.alloc(50_000)).toBe(a);
    expect(arena.alloc(50_000)).toBe(a + 50_000);
    expect(memory.grows).toBe(grows);
    arena.free(b, 100_000);
    expect(arena.top).toBe(a + 100_000);
  });

  it('returns null when the memory cannot grow enough, and keeps working for what fits', () => {
    const arena = new Arena(fakeMemory(4));
    expect(arena.alloc(5 * WASM_PAGE)).toBeNull();
    const small = arena.alloc(WASM_PAGE);
    expect(small).toBe(16);
    expect(arena.alloc(3 * WASM_PAGE)).toBeNull();
    expect(arena.alloc(2 * WASM_PAGE)).not.toBeNull();
  });

  it('refuses frees of ranges it did not hand out, and bad sizes', () => {
    const arena = new Arena(fakeMemory());
    const a = arena.alloc(64)!;
    const b = arena.alloc(64)!;
    expect(() => arena.free(a + 8, 64)).toThrow(RangeError);
    expect(() => arena.free(0, 16)).toThrow(RangeError);
    expect(() => arena.free(b + 64, 64)).toThrow(RangeError); // beyond the top
    arena.free(a, 64);
    expect(() => arena.free(a, 64)).toThrow(RangeError); // twice
    expect(() => arena.alloc(0)).toThrow(RangeError);
    expect(() => arena.alloc(1.5)).toThrow(RangeError);
    expect(() => arena.alloc(Number.NaN)).toThrow(RangeError);
  });
});
