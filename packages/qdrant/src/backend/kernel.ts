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

// ---- a minimal WebAssembly assembler ----------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32c = (n: number) => [0x41, ...sleb(n)];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_AND = [0x71];
const I32_GE_U = [0x4f];
const F32_ADD = [0x92];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const V_LOAD = (offset: number) => simd(0x00, 4, ...uleb(offset));
const V_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const F32X4_EXTRACT = (lane: number) => simd(0x1f, lane);
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const F32_STORE = [0x38, 2, 0];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const br = (d: number) => [0x0c, d];
const brIf = (d: number) => [0x0d, d];

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

function scanBody(metric: Metric): number[] {
  const locals = vec([
    [5, I32], // r, p, j, strideBytes, end16
    [5, V128], // t, acc0..acc3
  ]);
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
    ...END,
  ];
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function assemble(): Uint8Array {
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])]]));
  const imports = section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec([[0], [0]]));
  const exports = section(7, vec([[...str('l2'), 0x00, 0], [...str('dot'), 0x00, 1]]));
  const code = section(10, vec([scanBody('l2'), scanBody('dot')]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

/** The part of the WebAssembly JS API used here (the ES2022 lib does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let wasmModule: object | null | undefined;

/** The compiled SIMD module, or null where WebAssembly SIMD is unavailable. */
function simdModule(): object | null {
  if (wasmModule === undefined) {
    try {
      wasmModule = wasm === undefined ? null : new wasm.Module(assemble());
    } catch {
      wasmModule = null;
    }
  }
  return wasmModule;
}

export function simdAvailable(): boolean {
  return simdModule() !== null;
}

const PAGE = 65_536;
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
