/**
 * A minimal WebAssembly assembler: the binary encoding of the few instructions our hand-written
 * kernels use (integer and float64 arithmetic, structured control flow, 128-bit SIMD), and a
 * module builder with one imported memory. The kernels are small enough that writing them as
 * instruction lists beats a toolchain and a build step, and it keeps the core free of binary
 * assets: the bytes are assembled at run time, where WebAssembly exists.
 *
 * Each helper returns the bytes of one instruction (a number[]); a function body is their
 * concatenation (`code(...)` flattens nested lists).
 */

export type Code = number[];

export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): Code {
  const out: Code = [];
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

/** Concatenates instructions (and lists of them). */
export function code(...parts: (number | Code)[]): Code {
  const out: Code = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const b of p) out.push(b);
  }
  return out;
}

export const vec = (items: Code[]): Code => code(uleb(items.length), ...items);
export const section = (id: number, body: Code): Code => code(id, uleb(body.length), body);
export const str = (s: string): Code => vec([...s].map((c) => [c.charCodeAt(0)]));

// ---- value types ----
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

// ---- locals and control ----
export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
export const tee = (i: number): Code => [0x22, ...uleb(i)];
export const BLOCK: Code = [0x02, 0x40];
export const LOOP: Code = [0x03, 0x40];
export const IF: Code = [0x04, 0x40];
export const ELSE: Code = [0x05];
export const END: Code = [0x0b];
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): Code => [0x0d, ...uleb(depth)];
export const RETURN: Code = [0x0f];
export const call = (f: number): Code => [0x10, ...uleb(f)];

/**
 * `while (!exit) { body }`: exit is evaluated before each pass and must leave an i32 (non-zero
 * ends the loop). Inside body, `br(0)` continues and `br(1)` breaks.
 */
export const loopUntil = (exit: Code, body: Code): Code => code(BLOCK, LOOP, exit, brIf(1), body, br(0), END, END);

// ---- i32 ----
export const i32c = (n: number): Code => [0x41, ...sleb(n | 0)];
export const I32_EQZ: Code = [0x45];
export const I32_EQ: Code = [0x46];
export const I32_NE: Code = [0x47];
export const I32_LT_S: Code = [0x48];
export const I32_LT_U: Code = [0x49];
export const I32_GE_S: Code = [0x4e];
export const I32_GE_U: Code = [0x4f];
export const I32_ADD: Code = [0x6a];
export const I32_SUB: Code = [0x6b];
export const I32_MUL: Code = [0x6c];
export const I32_AND: Code = [0x71];
export const I32_SHL: Code = [0x74];
export const I32_SHR_U: Code = [0x76];
/** Loads and stores take a constant byte offset added to the address on the stack. */
export const i32Load = (offset = 0): Code => [0x28, 2, ...uleb(offset)];
export const i32Store = (offset = 0): Code => [0x36, 2, ...uleb(offset)];

// ---- scalar floats ----
export const F32_ADD: Code = [0x92];
export const F64_ADD: Code = [0xa0];
export const F64_SUB: Code = [0xa1];
export const F64_MUL: Code = [0xa2];
export const f32Store = (offset = 0): Code => [0x38, 2, ...uleb(offset)];
export const f64Load = (offset = 0): Code => [0x2b, 3, ...uleb(offset)];
export const f64Store = (offset = 0): Code => [0x39, 3, ...uleb(offset)];

// ---- 128-bit SIMD (prefix 0xfd) ----
export const simd = (op: number, ...imm: number[]): Code => [0xfd, ...uleb(op), ...imm];
export const v128Load = (offset = 0): Code => simd(0x00, 4, ...uleb(offset));
export const v128Load64Splat = (offset = 0): Code => simd(0x0a, 3, ...uleb(offset));
export const v128Store = (offset = 0): Code => simd(0x0b, 4, ...uleb(offset));
export const V128_ZERO: Code = simd(0x0c, ...new Array<number>(16).fill(0));
/** i8x16.shuffle of two vectors, given as lane indices (0-1 the first vector's, 2-3 the second's) of 64-bit lanes. */
export const shuffle64 = (lo: number, hi: number): Code => {
  const bytes = (lane: number) => Array.from({ length: 8 }, (_, k) => lane * 8 + k);
  return simd(0x0d, ...bytes(lo), ...bytes(hi));
};
export const v128Load64Lane = (lane: number, offset = 0): Code => simd(0x57, 3, ...uleb(offset), lane);
export const v128Store64Lane = (lane: number, offset = 0): Code => simd(0x5b, 3, ...uleb(offset), lane);
export const v128Load64Zero = (offset = 0): Code => simd(0x5d, 3, ...uleb(offset));
export const f32x4ExtractLane = (lane: number): Code => simd(0x1f, lane);
export const F32X4_ADD: Code = simd(0xe4);
export const F32X4_SUB: Code = simd(0xe5);
export const F32X4_MUL: Code = simd(0xe6);
export const F64X2_ADD: Code = simd(0xf0);
export const F64X2_SUB: Code = simd(0xf1);
export const F64X2_MUL: Code = simd(0xf2);

// ---- modules ----

export interface FunctionDef {
  /** Export name, or undefined for an internal function. */
  name?: string;
  params: number[];
  results: number[];
  /** Types of the locals after the parameters (numbered from params.length on). */
  locals: number[];
  body: Code;
}

function localDecls(types: number[]): Code {
  const groups: Code[] = [];
  for (let i = 0; i < types.length; ) {
    let j = i;
    while (j < types.length && types[j] === types[i]) j++;
    groups.push([...uleb(j - i), types[i]!]);
    i = j;
  }
  return vec(groups);
}

/**
 * A module that imports one memory as env.mem (with at least `minPages` pages) and defines
 * `funcs`, in order: function i is called as `call(i)`.
 */
export function assembleModule(funcs: FunctionDef[], minPages = 1): Uint8Array {
  const sigs: string[] = [];
  const typeOf = funcs.map((f) => {
    const key = `${f.params.join(',')}:${f.results.join(',')}`;
    let t = sigs.indexOf(key);
    if (t < 0) t = sigs.push(key) - 1;
    return t;
  });
  const types = sigs.map((key) => {
    const [p, r] = key.split(':').map((s) => (s === '' ? [] : s.split(',').map(Number)));
    return code(0x60, vec(p!.map((t) => [t])), vec(r!.map((t) => [t])));
  });
  const bodies = funcs.map((f) => {
    const body = code(localDecls(f.locals), f.body, END);
    return code(uleb(body.length), body);
  });
  const exported = funcs.flatMap((f, i) => (f.name === undefined ? [] : [code(str(f.name), 0x00, uleb(i))]));
  return Uint8Array.from(
    code(
      [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      section(1, vec(types)),
      section(2, vec([code(str('env'), str('mem'), 0x02, 0x00, uleb(minPages))])),
      section(3, vec(typeOf.map((t) => uleb(t)))),
      section(7, vec(exported)),
      section(10, vec(bodies)),
    ),
  );
}
