/**
 * The v2 mix on WebAssembly SIMD (mix-wasm-kernel.ts), bit-identical to mix-fast.ts, which stays
 * the fallback where WebAssembly SIMD is missing (or run-time compilation is forbidden), when a
 * memory cannot grow, and when forced with setMixBackend('js').
 *
 * Memory: one module instance and one memory for the whole process (per JS realm), shared by
 * every mix. Each mix owns a range of it (Arena) holding its descriptor, its two working buffers
 * and its tables, about 160 bytes per coordinate (250 KB at d = 1536, what mix-fast.ts's arrays
 * take too), given back (zeroed) when the mix's transform is garbage-collected (FinalizationRegistry). Why
 * not one small instance per mix: every WebAssembly memory reserves about 10 GB of address space,
 * so a process holding thousands of ciphers (tenants x collections) would run out of it; and
 * copying one mix's tables in per call would cost more than the mix. The memory grows as mixes
 * are created and never shrinks; freed ranges are reused.
 */
import { Arena } from '../wasm/arena.js';
import { compileModule, wasmApi } from '../wasm/runtime.js';
import type { FastMix } from './mix-fast.js';
import {
  assembleMixModule,
  DESC_B,
  DESC_D,
  DESC_HEAD,
  DESC_N2,
  DESC_ROUNDS,
  DESC_T,
  DESC_X,
  FUSED_FROM,
  ROUND_BYTES,
  ROUND_COEF_FWD,
  ROUND_COEF_INV,
  ROUND_GPERM,
  ROUND_GSIGNS,
  ROUND_MID,
  ROUND_MID_INV,
  ROUND_NPAIRS,
  ROUND_PAIRS,
  ROUND_PERM,
  ROUND_SCATTER,
  ROUND_UNPAIRED,
  ROUND_UNPAIRED_FACTOR,
} from './mix-wasm-kernel.js';

/** y = R x and x = R^T y over Float64Arrays (at least d long); `tmp` is unused here. */
export interface MixTransform {
  apply(x: Float64Array, y: Float64Array, tmp?: Float64Array): void;
  invert(y: Float64Array, x: Float64Array, tmp?: Float64Array): void;
}

export type MixBackend = 'auto' | 'js';

let backend: MixBackend = 'auto';

/**
 * 'auto' (default): ciphers created from now on use WebAssembly SIMD when available; 'js': they
 * use mix-fast.ts. Both give the same bits; the switch exists for tests and benchmarks.
 */
export function setMixBackend(b: MixBackend): void {
  if (b !== 'auto' && b !== 'js') throw new TypeError(`"backend" expected 'auto' | 'js', got ${String(b)}`);
  backend = b;
}

export function getMixBackend(): MixBackend {
  return backend;
}

interface MixExports {
  forward(desc: number): number;
  inverse(desc: number): number;
}

interface Shared {
  arena: Arena;
  exports: MixExports;
  /** Views of the memory's current buffer, made again when the arena grows. */
  generation: number;
  f64: Float64Array;
  i32: Int32Array;
}

let shared: Shared | null | undefined;

function sharedInstance(): Shared | null {
  if (shared !== undefined) return shared;
  shared = null;
  const api = wasmApi();
  const mod = compileModule(assembleMixModule());
  if (api === undefined || mod === null) return null;
  try {
    const memory = new api.Memory({ initial: 1 });
    const exports = new api.Instance(mod, { env: { mem: memory } }).exports as MixExports;
    shared = { arena: new Arena(memory), exports, generation: -1, f64: new Float64Array(0), i32: new Int32Array(0) };
  } catch {
    // an engine that compiles but cannot instantiate: the JavaScript mix
  }
  return shared;
}

function views(s: Shared): Shared {
  if (s.generation !== s.arena.generation) {
    s.generation = s.arena.generation;
    s.f64 = new Float64Array(s.arena.memory.buffer);
    s.i32 = new Int32Array(s.arena.memory.buffer);
  }
  return s;
}

/** Whether this runtime runs the mix on WebAssembly SIMD (whatever setMixBackend says). */
export function wasmMixAvailable(): boolean {
  return sharedInstance() !== null;
}

/** Bytes of the shared memory held by live mixes. */
let liveBytes = 0;

/** What the shared memory holds: bytes of live mixes, and the memory's size (it never shrinks). */
export function wasmMixMemory(): { liveBytes: number; memoryBytes: number } {
  return { liveBytes, memoryBytes: shared ? shared.arena.memory.buffer.byteLength : 0 };
}

const freeRange = (r: { off: number; bytes: number }): void => {
  shared?.arena.free(r.off, r.bytes);
  liveBytes -= r.bytes;
};
const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry(freeRange) : undefined;

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * The WebAssembly transform of `m`, or null (then use mix-fast.ts): backend forced to 'js', no
 * WebAssembly SIMD here, or the shared memory cannot grow.
 */
export function wasmMix(m: FastMix): MixTransform | null {
  if (backend === 'js') return null;
  const s = sharedInstance();
  if (s === null) return null;
  const d = m.dimension;
  const b = m.block;
  const two = b !== d;
  const rounds = m.perms.length;
  const n2 = d + (d & 1);
  const npairs = m.pairs.map((q) => q.length >>> 1);

  // The range: descriptor, X, T, then each round's tables, every piece 16-aligned.
  let bytes = 0;
  const take = (n: number): number => {
    const at = bytes;
    bytes += align16(n);
    return at;
  };
  const desc = take(DESC_HEAD + ROUND_BYTES * rounds);
  const X = take(8 * n2);
  const T = take(8 * n2);
  const tables = npairs.map((np) => ({
    perm: take(4 * n2),
    gperm: take(4 * n2),
    gsigns: take(8 * n2),
    mid: two ? take(8 * n2) : 0,
    midInv: two ? take(8 * n2) : 0,
    scatter: take(8 * n2),
    pairs: take(8 * np),
    coefFwd: take(32 * np),
    coefInv: take(32 * np),
  }));
  const base = s.arena.alloc(bytes);
  if (base === null) return null;
  liveBytes += bytes;
  const { f64, i32 } = views(s);

  const at = (off: number) => base + off;
  const w32 = (off: number, v: number) => (i32[(base + off) >>> 2] = v);
  const wf64 = (off: number, v: number) => (f64[(base + off) >>> 3] = v);
  const perCoordinate = (off: number, src: Float64Array) => {
    f64.set(src.subarray(0, d), (base + off) >>> 3);
    if (n2 > d) f64[((base + off) >>> 3) + d] = 0;
  };
  w32(desc + DESC_D, d);
  w32(desc + DESC_B, b);
  w32(desc + DESC_N2, n2);
  w32(desc + DESC_X, at(X));
  w32(desc + DESC_T, at(T));
  w32(desc + DESC_ROUNDS, rounds);
  f64.fill(0, at(X) >>> 3, (at(T) >>> 3) + n2);
  const norm = 1 / Math.sqrt(b); // as mix-fast.ts computes it
  for (let r = 0; r < rounds; r++) {
    const t = tables[r]!;
    const rd = desc + DESC_HEAD + ROUND_BYTES * r;
    const perm = m.perms[r]!;
    const signs = m.signs[r]!;
    const p0 = at(t.perm) >>> 2;
    const g0 = at(t.gperm) >>> 2;
    const s0 = at(t.gsigns) >>> 3;
    for (let i = 0; i < d; i++) {
      // group order (i, i+2, i+1, i+3) over the head block when its Hadamard fuses the gather
      const j = b >= FUSED_FROM && i < b ? (i & ~3) | ((i & 1) << 1) | ((i >>> 1) & 1) : i;
      i32[p0 + i] = 8 * perm[i]!;
      i32[g0 + j] = 8 * perm[i]!;
      f64[s0 + j] = signs[i]!;
    }
    if (n2 > d) {
      // the padding lane reads and writes the padding slot, times 0
      i32[p0 + d] = 8 * d;
      i32[g0 + d] = 8 * d;
      f64[s0 + d] = 0;
    }
    if (two) {
      perCoordinate(t.mid, m.mid[r]!);
      perCoordinate(t.midInv, m.midInv[r]!);
    }
    perCoordinate(t.scatter, m.scatter[r]!);
    const q = m.pairs[r]!;
    const k = m.coef[r]!;
    const c = m.cos[r]!;
    const sn = m.sin[r]!;
    const q0 = at(t.pairs) >>> 2;
    const f0 = at(t.coefFwd) >>> 3;
    const h0 = at(t.coefInv) >>> 3;
    for (let i = 0; i < npairs[r]!; i++) {
      i32[q0 + 2 * i] = 8 * q[2 * i]!;
      i32[q0 + 2 * i + 1] = 8 * q[2 * i + 1]!;
      // forward: (k0 a - k1 c, k2 a + k3 c) = a (k0, k2) + c (-k1, k3)
      f64[f0 + 4 * i] = k[4 * i]!;
      f64[f0 + 4 * i + 1] = k[4 * i + 2]!;
      f64[f0 + 4 * i + 2] = -k[4 * i + 1]!;
      f64[f0 + 4 * i + 3] = k[4 * i + 3]!;
      // inverse: (c a + s e, c e - s a) = a (c, -s) + e (s, c)
      f64[h0 + 4 * i] = c[i]!;
      f64[h0 + 4 * i + 1] = -sn[i]!;
      f64[h0 + 4 * i + 2] = sn[i]!;
      f64[h0 + 4 * i + 3] = c[i]!;
    }
    w32(rd + ROUND_PERM, at(t.perm));
    w32(rd + ROUND_GPERM, at(t.gperm));
    w32(rd + ROUND_GSIGNS, at(t.gsigns));
    w32(rd + ROUND_MID, two ? at(t.mid) : 0);
    w32(rd + ROUND_MID_INV, two ? at(t.midInv) : 0);
    w32(rd + ROUND_SCATTER, at(t.scatter));
    w32(rd + ROUND_PAIRS, at(t.pairs));
    w32(rd + ROUND_COEF_FWD, at(t.coefFwd));
    w32(rd + ROUND_COEF_INV, at(t.coefInv));
    w32(rd + ROUND_NPAIRS, npairs[r]!);
    const u = m.unpaired[r]!;
    w32(rd + ROUND_UNPAIRED, u >= 0 ? 8 * u : -1);
    wf64(rd + ROUND_UNPAIRED_FACTOR, u >= 0 ? (two ? (u >= d - b ? norm : 1) : norm) : 0);
  }

  const transform = new WasmMix(s, at(desc), at(X), at(T), d);
  registry?.register(transform, { off: base, bytes });
  return transform;
}

class WasmMix implements MixTransform {
  readonly #s: Shared;
  readonly #desc: number;
  readonly #x: number;
  readonly #t: number;
  readonly #d: number;
  #generation = -1;
  #xView = new Float64Array(0);
  #tView = new Float64Array(0);

  constructor(s: Shared, desc: number, x: number, t: number, d: number) {
    this.#s = s;
    this.#desc = desc;
    this.#x = x;
    this.#t = t;
    this.#d = d;
  }

  apply(x: Float64Array, y: Float64Array): void {
    this.#run(x, y, false);
  }

  invert(y: Float64Array, x: Float64Array): void {
    this.#run(y, x, true);
  }

  #run(input: Float64Array, output: Float64Array, inverse: boolean): void {
    const d = this.#d;
    if (input.length < d || output.length < d) throw new RangeError(`mix expected arrays of length >= ${d}`);
    const s = this.#s;
    if (this.#generation !== s.arena.generation) {
      // the memory grew since the last call: its old buffer (and every view of it) is detached
      this.#generation = s.arena.generation;
      const buffer = s.arena.memory.buffer;
      this.#xView = new Float64Array(buffer, this.#x, d);
      this.#tView = new Float64Array(buffer, this.#t, d);
    }
    this.#xView.set(input.length === d ? input : input.subarray(0, d));
    // the result's address comes back as an i32: unsigned, it is X or T (memories pass 2 GB)
    const out = (inverse ? s.exports.inverse(this.#desc) : s.exports.forward(this.#desc)) >>> 0;
    output.set(out === this.#x ? this.#xView : this.#tView);
  }
}
