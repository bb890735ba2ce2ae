/**
 * Scoring kernels for brute-force search: a tiny WebAssembly SIMD module (assembled below, 4
 * float32 lanes, 16 values per step) with a plain JavaScript fallback for runtimes without
 * WebAssembly SIMD.
 *
 * Each vector block owns its memory, laid out as
 *   [stride float32 query][maxRows float32 scores][capacity x stride float32 vectors]
 * where `stride` is the dimension rounded up to a multiple of 4 and the padding lanes are zero
 * in both vectors and query, so they add nothing to a distance or a product. A block starts
 * small and grows (WebAssembly memory grows in place) up to `maxRows`, so a small collection
 * costs little memory and a large one few blocks: every WebAssembly memory reserves ~10 GB of
 * address space, which limits a process to roughly 13 000 of them.
 *
 * The SIMD kernel computes in float32, like Qdrant does. Callers that need exact float64 scores
 * use `errorBound` to keep every candidate whose float32 score could still make the top k, and
 * re-score those in float64 (see LocalCollection.search).
 */

import { compileModule, WASM_PAGE, wasmApi, wasmAsm, type WasmModule } from '@sealvec/core/internal';

export type Metric = 'l2' | 'dot';

export interface Block {
  /** Vector rows, `capacity * stride` floats; padding lanes stay zero. Invalidated by `reserve`. */
  readonly data: Float32Array;
  /** The query slot, `stride` floats. Invalidated by `reserve`. */
  readonly query: Float32Array;
  /** One score per row, written by `scan`. Invalidated by `reserve`. */
  readonly scores: Float32Array | Float64Array;
  /** Rows currently allocated. */
  readonly capacity: number;
  /** Grows the block to hold at least `rows` rows (at most its maxRows); keeps the data. */
  reserve(rows: number): void;
  /** Scores rows [0, rows): squared Euclidean distance ('l2') or inner product ('dot'). */
  scan(metric: Metric, rows: number): void;
}

// ---- the kernel, in the core's WebAssembly assembler ------------------------------------------

const {
  BLOCK, br, brIf, END, F32_ADD, f32Store, f32x4ExtractLane, F32X4_ADD, F32X4_MUL, F32X4_SUB, get, I32, I32_ADD, I32_AND,
  I32_GE_U, I32_MUL, i32c, LOOP, set, tee, V128, V128_ZERO, v128Load,
} = wasmAsm;
const F32_STORE = f32Store();
const V_LOAD = v128Load;
const V_ZERO = V128_ZERO;
const F32X4_EXTRACT = f32x4ExtractLane;

// params: 0 base, 1 rows, 2 stride (floats), 3 query ptr, 4 out ptr
// locals: 5 r, 6 p (row ptr), 7 j (byte offset), 8 strideBytes, 9 end16 (bytes), 10 t (v128),
//         11..14 acc0..acc3 (v128)
const [BASE, ROWS, STRIDE, Q, OUT, R, P, J, SB, E16, T, A0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** acc[k] += term(row[j + 16k], q[j + 16k]) */
function step(metric: Metric, k: number): number[] {
  const off = 16 * k;
  const load = (ptr: number) => [...get(ptr), ...get(J), ...I32_ADD, ...V_LOAD(off)];
  const term =
    metric === 'l2'
      ? [...load(P), ...load(Q), ...F32X4_SUB, ...tee(T), ...get(T), ...F32X4_MUL]
      : [...load(P), ...load(Q), ...F32X4_MUL];
  return [...term, ...get(A0 + k), ...F32X4_ADD, ...set(A0 + k)];
}

function scanBody(metric: Metric): wasmAsm.FunctionDef {
  const locals = [
    ...[I32, I32, I32, I32, I32], // r, p, j, strideBytes, end16
    ...[V128, V128, V128, V128, V128], // t, acc0..acc3
  ];
  const code = [
    ...get(STRIDE), ...i32c(4), ...I32_MUL, ...set(SB),
    ...get(STRIDE), ...i32c(-16), ...I32_AND, ...i32c(4), ...I32_MUL, ...set(E16),
    ...i32c(0), ...set(R),
    ...BLOCK, ...LOOP,
    ...get(R), ...get(ROWS), ...I32_GE_U, ...brIf(1),
    ...get(BASE), ...get(R), ...get(SB), ...I32_MUL, ...I32_ADD, ...set(P),
    ...V_ZERO, ...set(A0), ...V_ZERO, ...set(A0 + 1), ...V_ZERO, ...set(A0 + 2), ...V_ZERO, ...set(A0 + 3),
    ...i32c(0), ...set(J),
    // 16 floats per step into four accumulators
    ...BLOCK, ...LOOP,
    ...get(J), ...get(E16), ...I32_GE_U, ...brIf(1),
    ...step(metric, 0), ...step(metric, 1), ...step(metric, 2), ...step(metric, 3),
    ...get(J), ...i32c(64), ...I32_ADD, ...set(J),
    ...br(0), ...END, ...END,
    // the remaining 4-float groups
    ...BLOCK, ...LOOP,
    ...get(J), ...get(SB), ...I32_GE_U, ...brIf(1),
    ...step(metric, 0),
    ...get(J), ...i32c(16), ...I32_ADD, ...set(J),
    ...br(0), ...END, ...END,
    // out[r] = sum of the lanes of (acc0 + acc1) + (acc2 + acc3)
    ...get(OUT), ...get(R), ...i32c(4), ...I32_MUL, ...I32_ADD,
    ...get(A0), ...get(A0 + 1), ...F32X4_ADD, ...get(A0 + 2), ...get(A0 + 3), ...F32X4_ADD, ...F32X4_ADD, ...tee(T),
    ...F32X4_EXTRACT(0), ...get(T), ...F32X4_EXTRACT(1), ...F32_ADD,
    ...get(T), ...F32X4_EXTRACT(2), ...get(T), ...F32X4_EXTRACT(3), ...F32_ADD, ...F32_ADD,
    ...F32_STORE,
    ...get(R), ...i32c(1), ...I32_ADD, ...set(R),
    ...br(0), ...END, ...END,
  ];
  return { name: metric, params: [I32, I32, I32, I32, I32], results: [], locals, body: code };
}

function assemble(): Uint8Array {
  return wasmAsm.assembleModule([scanBody('l2'), scanBody('dot')]);
}

const wasm = wasmApi();
let wasmModule: WasmModule | null | undefined;

/** The compiled SIMD module, or null where WebAssembly SIMD is unavailable. */
function simdModule(): WasmModule | null {
  if (wasmModule === undefined) {
    wasmModule = compileModule(assemble());
  }
  return wasmModule;
}

export function simdAvailable(): boolean {
  return simdModule() !== null;
}

const PAGE = WASM_PAGE;
/** A fresh block holds about this many bytes of vectors before its first growth. */
const INITIAL_DATA_BYTES = 64 * 1024;

interface ScanExports {
  l2(base: number, rows: number, stride: number, q: number, out: number): void;
  dot(base: number, rows: number, stride: number, q: number, out: number): void;
}

export function strideFor(dimension: number): number {
  return Math.ceil(dimension / 4) * 4;
}

function initialRows(maxRows: number, stride: number): number {
  return Math.min(maxRows, Math.max(1, Math.floor(INITIAL_DATA_BYTES / (stride * 4))));
}

function grownRows(capacity: number, rows: number, maxRows: number): number {
  if (rows > maxRows) throw new RangeError(`"rows" expected at most ${maxRows}, got ${rows}`);
  let c = capacity;
  while (c < rows) c *= 2;
  return Math.min(c, maxRows);
}

/** A block of up to `maxRows` vectors with `stride` floats each, SIMD-backed unless `forceJs`. */
export function createBlock(maxRows: number, stride: number, forceJs = false): Block {
  const mod = forceJs ? null : simdModule();
  if (mod === null || wasm === undefined) return jsBlock(maxRows, stride);
  const queryBytes = stride * 4;
  const dataOffset = queryBytes + maxRows * 4;
  const pagesFor = (rows: number) => Math.ceil((dataOffset + rows * stride * 4) / PAGE);
  let capacity = initialRows(maxRows, stride);
  const memory = new wasm.Memory({ initial: pagesFor(capacity), maximum: pagesFor(maxRows) });
  const exp = new wasm.Instance(mod, { env: { mem: memory } }).exports as unknown as ScanExports;
  let data!: Float32Array;
  let query!: Float32Array;
  let scores!: Float32Array;
  // Growing a memory detaches its old buffer: views are made again after every growth.
  const views = () => {
    query = new Float32Array(memory.buffer, 0, stride);
    scores = new Float32Array(memory.buffer, queryBytes, maxRows);
    data = new Float32Array(memory.buffer, dataOffset, capacity * stride);
  };
  views();
  return {
    get data() {
      return data;
    },
    get query() {
      return query;
    },
    get scores() {
      return scores;
    },
    get capacity() {
      return capacity;
    },
    reserve(rows) {
      if (rows <= capacity) return;
      const next = grownRows(capacity, rows, maxRows);
      const extra = pagesFor(next) - memory.buffer.byteLength / PAGE;
      if (extra > 0) memory.grow(extra);
      capacity = next;
      views();
    },
    scan(metric, n) {
      exp[metric](dataOffset, n, stride, 0, queryBytes);
    },
  };
}

function jsBlock(maxRows: number, stride: number): Block {
  let capacity = initialRows(maxRows, stride);
  let data = new Float32Array(capacity * stride);
  const query = new Float32Array(stride);
  const scores = new Float64Array(maxRows);
  return {
    get data() {
      return data;
    },
    query,
    scores,
    get capacity() {
      return capacity;
    },
    reserve(rows) {
      if (rows <= capacity) return;
      capacity = grownRows(capacity, rows, maxRows);
      const next = new Float32Array(capacity * stride);
      next.set(data);
      data = next;
    },
    scan(metric, n) {
      for (let r = 0; r < n; r++) {
        scores[r] = metric === 'l2' ? squaredDistance(data, r * stride, query, stride) : dot(data, r * stride, query, stride);
      }
    },
  };
}

/** Exact (float64 accumulation) squared distance between a[off..off+d) and q[0..d). */
export function squaredDistance(a: Float32Array, off: number, q: Float32Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const x0 = (a[off + j] as number) - (q[j] as number);
    const x1 = (a[off + j + 1] as number) - (q[j + 1] as number);
    s0 += x0 * x0;
    s1 += x1 * x1;
  }
  if (j < d) {
    const x = (a[off + j] as number) - (q[j] as number);
    s0 += x * x;
  }
  return s0 + s1;
}

/** Exact (float64 accumulation) inner product of a[off..off+d) and q[0..d). */
export function dot(a: Float32Array, off: number, q: Float32Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    s0 += (a[off + j] as number) * (q[j] as number);
    s1 += (a[off + j + 1] as number) * (q[j + 1] as number);
  }
  if (j < d) s0 += (a[off + j] as number) * (q[j] as number);
  return s0 + s1;
}

/**
 * A bound on the relative error of a float32 sum of `d` non-negative rounded terms (and, times
 * the sum of |terms|, on the absolute error of an inner product): gamma_{d+4} with unit
 * roundoff 2^-24, doubled for margin. Zero for the exact JavaScript kernel.
 */
export function errorBound(block: Block, d: number): number {
  if (block.scores instanceof Float64Array) return 0;
  const u = 2 ** -24;
  const n = d + 4;
  return (2 * n * u) / (1 - n * u);
}
