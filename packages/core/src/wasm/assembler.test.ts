import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import * as A from './assembler.js';
import { compileModule, wasmApi, type WasmMemory } from './runtime.js';

/** Decoders, written from the LEB128 definition, to check the encoders against. */
function readUleb(b: number[]): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) n += (b[i]! & 0x7f) * 2 ** (7 * i);
  return n;
}
function readSleb(b: number[]): number {
  let n = readUleb(b);
  const bits = 7 * b.length;
  if (b[b.length - 1]! & 0x40) n -= 2 ** bits;
  return n;
}

describe('WebAssembly assembler', () => {
  it('LEB128: known encodings, and every u32 / i32 round-trips with continuation bits only where needed', () => {
    expect(A.uleb(0)).toEqual([0]);
    expect(A.uleb(127)).toEqual([0x7f]);
    expect(A.uleb(128)).toEqual([0x80, 0x01]);
    expect(A.uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(A.sleb(-1)).toEqual([0x7f]);
    expect(A.sleb(63)).toEqual([0x3f]);
    expect(A.sleb(64)).toEqual([0xc0, 0x00]);
    expect(A.sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (u, s) => {
        const ue = A.uleb(u);
        const se = A.sleb(s);
        expect(readUleb(ue)).toBe(u);
        expect(readSleb(se)).toBe(s);
        for (const e of [ue, se]) {
          expect(e.slice(0, -1).every((b) => b & 0x80)).toBe(true);
          expect(e[e.length - 1]! & 0x80).toBe(0);
        }
      }),
      { numRuns: numRuns(300) },
    );
  });

  it('assembles a module that validates, runs, and groups runs of equal local types', () => {
    // sum(p, n): sum of n float64 at p, two lanes at a time (n even), using an f64 and a v128 local
    const [P, N, E, ACC] = [0, 1, 2, 3];
    const body = A.code(
      A.get(P), A.get(N), A.i32c(3), A.I32_SHL, A.I32_ADD, A.set(E),
      A.V128_ZERO, A.set(ACC),
      A.loopUntil(
        A.code(A.get(P), A.get(E), A.I32_GE_U),
        A.code(A.get(ACC), A.get(P), A.v128Load(), A.F64X2_ADD, A.set(ACC), A.get(P), A.i32c(16), A.I32_ADD, A.set(P)),
      ),
      A.i32c(0), A.get(ACC), A.v128Store(), A.i32c(0), A.f64Load(), A.i32c(0), A.f64Load(8), A.F64_ADD,
    );
    const bytes = A.assembleModule([{ name: 'sum', params: [A.I32, A.I32], results: [A.F64], locals: [A.I32, A.V128], body }]);
    const mod = compileModule(bytes);
    expect(mod).not.toBeNull();
    const api = wasmApi()!;
    const mem: WasmMemory = new api.Memory({ initial: 1 });
    const { sum } = new api.Instance(mod!, { env: { mem } }).exports as { sum: (p: number, n: number) => number };
    new Float64Array(mem.buffer, 64, 6).set([1, 2, 3, 4, 5, 6.5]);
    expect(sum(64, 6)).toBe(1 + 3 + 5 + (2 + 4 + 6.5));
    // two locals of one type are declared as one group
    const grouped = A.assembleModule([{ params: [], results: [], locals: [A.I32, A.I32, A.F64], body: [] }]);
    expect(Array.from(grouped.slice(-7))).toEqual([6, 2, 2, A.I32, 1, A.F64, 0x0b]);
  });

  it('compileModule returns null for bytes that are not a valid module (the fallback signal)', () => {
    expect(compileModule(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01]))).toBeNull();
    expect(compileModule(new Uint8Array(0))).toBeNull();
  });
});
