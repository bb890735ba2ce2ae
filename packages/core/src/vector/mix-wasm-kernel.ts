/**
 * The WebAssembly SIMD code of the mix: the passes of mix-fast.ts, two float64 lanes at a time.
 *
 * Bit-identical to mix-fast.ts by construction: every output coordinate is computed by the same
 * IEEE float64 operations on the same operands, in the same order (WebAssembly, like
 * JavaScript, never fuses a multiply and an add and keeps subnormals). Only these rewrites are
 * used, each exact:
 * - lanes: two independent butterflies / products side by side;
 * - the Walsh-Hadamard transform is the radix-2 stages h = 1, 2, 4, ..., n/2 in order, however
 *   they are grouped into passes (mix-fast.ts groups them by two, so do we);
 * - a - b is a + (-b) and (-k) * c is -(k * c) (IEEE 754 defines subtraction so, and rounding is
 *   symmetric in sign), and a + b = b + a: so each Givens pair is one vector expression
 *   splat(a) * (k0, k2) + splat(c) * (-k1, k3);
 * - a pass that only multiplies (the gather's signs, the mid multipliers, the scatter's) is done
 *   inside the first or last pass of the adjacent Hadamard instead of on its own.
 *
 * Memory layout (all byte offsets, the tables filled by mix-wasm.ts): a descriptor
 *   +0 d, +4 B, +8 n2 (d rounded up to even), +12 X, +16 T (two n2-float64 buffers), +20 rounds,
 *   +32 + ROUND_BYTES r: round r's table pointers (ROUND_* below) and the unpaired coordinate's factor.
 * Permutations and pairs hold byte offsets (8 i). When d is odd, the padding lane of X and T and
 * of every per-coordinate table makes the vector loops whole: its perm entry is 8 d (the padding
 * slot itself) and its multipliers are 0; no real coordinate ever reads a padding slot.
 */
import {
  assembleModule,
  call,
  code,
  ELSE,
  END,
  F64_MUL,
  F64X2_ADD,
  F64X2_MUL,
  F64X2_SUB,
  f64Load,
  f64Store,
  get,
  I32,
  I32_ADD,
  I32_GE_S,
  I32_GE_U,
  I32_LT_U,
  I32_MUL,
  I32_EQ,
  I32_EQZ,
  I32_NE,
  I32_SHL,
  I32_SHR_U,
  I32_SUB,
  i32c,
  i32Load,
  IF,
  loopUntil,
  RETURN,
  set,
  shuffle64,
  tee,
  V128,
  v128Load,
  v128Load64Lane,
  v128Load64Splat,
  v128Load64Zero,
  v128Store,
  v128Store64Lane,
  type Code,
  type FunctionDef,
} from '../wasm/assembler.js';

export const DESC_D = 0;
export const DESC_B = 4;
export const DESC_N2 = 8;
export const DESC_X = 12;
export const DESC_T = 16;
export const DESC_ROUNDS = 20;
export const DESC_HEAD = 32;
export const ROUND_BYTES = 56;
/** The permutation (natural order): the inverse's scatter, and the forward's gather when B < 8. */
export const ROUND_PERM = 0;
/**
 * The forward gather's permutation and multipliers (the signs): in natural order, except
 * coordinates [0, B) when B >= 8, which are in group order (i, i+2, i+1, i+3 per group of four)
 * for the Hadamard's fused first pass.
 */
export const ROUND_GPERM = 4;
export const ROUND_GSIGNS = 8;
export const ROUND_MID = 12;
export const ROUND_MID_INV = 16;
/** Inverse scatter multipliers. */
export const ROUND_SCATTER = 20;
export const ROUND_PAIRS = 24;
/** Per pair (k0, k2, -k1, k3): the forward rotation with its folded normalization. */
export const ROUND_COEF_FWD = 28;
/** Per pair (c, -s, s, c): the inverse rotation. */
export const ROUND_COEF_INV = 32;
export const ROUND_NPAIRS = 36;
/** Byte offset of the unpaired coordinate (odd d), or -1. */
export const ROUND_UNPAIRED = 40;
/** float64: what the forward pass multiplies the unpaired coordinate by. */
export const ROUND_UNPAIRED_FACTOR = 48;
/** The Hadamard variants fuse the gather, mid multipliers and scatter from this block size on. */
export const FUSED_FROM = 8;

const add = (a: Code, b: Code): Code => code(a, b, I32_ADD);
const bump = (local: number, by: number): Code => code(get(local), i32c(by), I32_ADD, set(local));
/** local = a + 8 * n */
const endOf = (local: number, a: number, n: number): Code => code(get(a), get(n), i32c(3), I32_SHL, I32_ADD, set(local));

/** gather(dst, src, perm, mul, n): dst[i] = src[perm[i]] * mul[i] for i < n (n even). */
function gather(): FunctionDef {
  const [DST, SRC, PERM, MUL, N, E] = [0, 1, 2, 3, 4, 5];
  return {
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [I32],
    body: code(
      endOf(E, DST, N),
      loopUntil(
        code(get(DST), get(E), I32_GE_U),
        code(
          get(DST),
          add(get(SRC), code(get(PERM), i32Load(4))),
          add(get(SRC), code(get(PERM), i32Load(0))),
          v128Load64Zero(),
          v128Load64Lane(1),
          get(MUL), v128Load(), F64X2_MUL,
          v128Store(),
          bump(DST, 16), bump(PERM, 8), bump(MUL, 16),
        ),
      ),
    ),
  };
}

/** scatter(dst, src, perm, mul, n): dst[perm[i]] = src[i] * mul[i] for i < n (n even). */
function scatter(): FunctionDef {
  const [DST, SRC, PERM, MUL, N, E, V] = [0, 1, 2, 3, 4, 5, 6];
  return {
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, V128],
    body: code(
      endOf(E, SRC, N),
      loopUntil(
        code(get(SRC), get(E), I32_GE_U),
        code(
          get(SRC), v128Load(), get(MUL), v128Load(), F64X2_MUL, set(V),
          add(get(DST), code(get(PERM), i32Load(0))), get(V), v128Store64Lane(0),
          add(get(DST), code(get(PERM), i32Load(4))), get(V), v128Store64Lane(1),
          bump(SRC, 16), bump(PERM, 8), bump(MUL, 16),
        ),
      ),
    ),
  };
}

/** vmul(x, mul, n): x[i] *= mul[i] for i < n (any n). */
function vmul(): FunctionDef {
  const [X, MUL, N, E] = [0, 1, 2, 3];
  return {
    params: [I32, I32, I32],
    results: [],
    locals: [I32],
    body: code(
      endOf(E, X, N),
      loopUntil(
        code(get(E), get(X), I32_SUB, i32c(16), I32_LT_U),
        code(get(X), get(X), v128Load(), get(MUL), v128Load(), F64X2_MUL, v128Store(), bump(X, 16), bump(MUL, 16)),
      ),
      get(X), get(E), I32_LT_U,
      IF,
      get(X), get(X), f64Load(), get(MUL), f64Load(), F64_MUL, f64Store(),
      END,
    ),
  };
}

/**
 * What the last pass of a Walsh-Hadamard transform does with its outputs: store them in place
 * ('none'), times a table (the mid multipliers: 'mul'), or times a table and scattered to another
 * buffer (the inverse's permutation: 'scatter'). Fusing these saves a pass over memory each.
 */
type Post = 'none' | 'mul' | 'scatter';

/**
 * The unnormalized Walsh-Hadamard transform of the n float64 at p (n a power of two), in
 * mix-fast.ts's passes: stages (1, 2) with in-register shuffles, then (h, 2h) for h = 4, 16, ...,
 * then a last single stage when log2 n is odd.
 *
 * Parameters (p, n, src, gperm, gmul, out, pperm, pmul); the unfused variant reads only p and n.
 * - gather: the first pass reads its inputs x[i] = src[gperm[i]] * gmul[i] (as gather() does)
 *   instead of x[i] at p; the tables are in group order (i, i+2, i+1, i+3 per group of four), so
 *   that two gathers give the vectors (x0, x2) and (x1, x3) the stages (1, 2) start from.
 * - post 'mul': the last pass stores x[i] * pmul[i]; 'scatter': it stores out[pperm[i]] =
 *   x[i] * pmul[i] (tables indexed from the block's first coordinate).
 * Fused variants need n >= 8 (so the first and last passes differ); the unfused one takes any n.
 */
function hadamard(gatherFirst: boolean, post: Post): FunctionDef {
  const fused = gatherFirst || post !== 'none';
  const [P, N, SRC, GP, GM, OUT, PP, PM] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [E, H, I, J, J1, J2, J3, JE, DELTA, PA] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [V0, V1, S, D, A2, A3, TV] = [18, 19, 20, 21, 22, 23, 24];
  const ld = (ptr: number, offset = 0) => code(get(ptr), v128Load(offset));
  const nBytes = code(get(E), get(P), I32_SUB);
  const times = (addr: number) => code(get(addr), get(DELTA), I32_ADD, v128Load(), F64X2_MUL);
  /** Stores `value` (a v128) as the output at byte address `addr` (a local) of the block. */
  const put = (how: Post, addr: number, value: Code): Code => {
    if (how === 'none') return code(get(addr), value, v128Store());
    if (how === 'mul') return code(get(addr), value, times(addr), v128Store());
    return code(
      value, times(addr), set(TV),
      get(addr), get(P), I32_SUB, i32c(1), I32_SHR_U, get(PP), I32_ADD, set(PA),
      add(get(OUT), code(get(PA), i32Load(0))), get(TV), v128Store64Lane(0),
      add(get(OUT), code(get(PA), i32Load(4))), get(TV), v128Store64Lane(1),
    );
  };
  // (u, w) = ((x0, x2), (x1, x3)) in A2, A3 -> s = u + w = (s01, s23), d = u - w = (d01, d23);
  // P = (s01, d01), Q = (s23, d23); out = P + Q, P - Q = (s01+s23, d01+d23), (s01-s23, d01-d23),
  // exactly mix-fast.ts's radix-4 step at h = 1.
  const firstPassLoads = gatherFirst
    ? code(
        add(get(SRC), code(get(GP), i32Load(4))), add(get(SRC), code(get(GP), i32Load(0))), v128Load64Zero(), v128Load64Lane(1),
        get(GM), v128Load(0), F64X2_MUL, set(A2),
        add(get(SRC), code(get(GP), i32Load(12))), add(get(SRC), code(get(GP), i32Load(8))), v128Load64Zero(), v128Load64Lane(1),
        get(GM), v128Load(16), F64X2_MUL, set(A3),
        bump(GP, 16), bump(GM, 32),
      )
    : code(
        ld(J), set(V0), ld(J, 16), set(V1),
        get(V0), get(V1), shuffle64(0, 2), set(A2),
        get(V0), get(V1), shuffle64(1, 3), set(A3),
      );
  const firstPass = code(
    get(P), set(J),
    loopUntil(
      code(get(J), get(E), I32_GE_U),
      code(
        firstPassLoads,
        get(A2), get(A3), F64X2_ADD, set(S),
        get(A2), get(A3), F64X2_SUB, set(D),
        get(S), get(D), shuffle64(0, 2), set(V0),
        get(S), get(D), shuffle64(1, 3), set(V1),
        get(J), get(V0), get(V1), F64X2_ADD, v128Store(),
        get(J), get(V0), get(V1), F64X2_SUB, v128Store(16),
        bump(J, 32),
      ),
    ),
  );
  /** Stages (h, 2h), h = H bytes / 8: per j, (a0..a3) at j + kh -> (s01+s23, d01+d23, s01-s23, d01-d23). */
  const radix4 = (how: Post) =>
    code(
      get(P), set(I),
      loopUntil(
        code(get(I), get(E), I32_GE_U),
        code(
          get(I), set(J), get(I), get(H), I32_ADD, set(JE),
          loopUntil(
            code(get(J), get(JE), I32_GE_U),
            code(
              get(J), get(H), I32_ADD, tee(J1), get(H), I32_ADD, tee(J2), get(H), I32_ADD, set(J3),
              ld(J), set(V0), ld(J1), set(V1), ld(J2), set(A2), ld(J3), set(A3),
              get(V0), get(V1), F64X2_ADD, set(S), // s01
              get(V0), get(V1), F64X2_SUB, set(D), // d01
              get(A2), get(A3), F64X2_ADD, set(V0), // s23
              get(A2), get(A3), F64X2_SUB, set(V1), // d23
              put(how, J, code(get(S), get(V0), F64X2_ADD)),
              put(how, J1, code(get(D), get(V1), F64X2_ADD)),
              put(how, J2, code(get(S), get(V0), F64X2_SUB)),
              put(how, J3, code(get(D), get(V1), F64X2_SUB)),
              bump(J, 16),
            ),
          ),
          get(I), get(H), i32c(2), I32_SHL, I32_ADD, set(I),
        ),
      ),
    );
  /** The single stage h = H bytes / 8 = n / 2. */
  const radix2 = (how: Post) =>
    code(
      get(P), set(J), get(P), get(H), I32_ADD, set(JE),
      loopUntil(
        code(get(J), get(JE), I32_GE_U),
        code(
          get(J), get(H), I32_ADD, set(J1),
          ld(J), set(V0), ld(J1), set(V1),
          put(how, J, code(get(V0), get(V1), F64X2_ADD)),
          put(how, J1, code(get(V0), get(V1), F64X2_SUB)),
          bump(J, 16),
        ),
      ),
    );
  // The unfused variant also takes n < 8: n = 1 is nothing; n = 2 is one butterfly, done on
  // v = (a, b) as (a, a) + (b, b) and (a, a) - (b, b), lane 0 of each; n = 4 is the first pass.
  const small = fused
    ? []
    : code(
        get(N), i32c(2), I32_LT_U, IF, RETURN, END,
        get(N), i32c(2), I32_EQ,
        IF,
        ld(P), set(V0),
        get(P),
        get(V0), get(V0), shuffle64(0, 0), get(V0), get(V0), shuffle64(1, 1), F64X2_ADD,
        get(V0), get(V0), shuffle64(0, 0), get(V0), get(V0), shuffle64(1, 1), F64X2_SUB,
        shuffle64(0, 2),
        v128Store(),
        RETURN,
        END,
      );
  return {
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128],
    body: code(
      small,
      endOf(E, P, N),
      get(PM), get(P), I32_SUB, set(DELTA),
      firstPass,
      fused ? [] : code(nBytes, i32c(32), I32_EQ, IF, RETURN, END),
      // every pair of stages but the last pass, h (in bytes) = 32, 128, ... while 4h < 8n
      i32c(32), set(H),
      loopUntil(code(get(H), i32c(2), I32_SHL, nBytes, I32_GE_U), code(radix4('none'), get(H), i32c(2), I32_SHL, set(H))),
      // the last pass: two stages when 4h = 8n, one (h = n/2) otherwise
      get(H), i32c(2), I32_SHL, nBytes, I32_EQ,
      IF, radix4(post), ELSE, radix2(post), END,
    ),
  };
}

/**
 * givens(x, pairs, coef, npairs): per pair (a at x + pairs[2i], c at x + pairs[2i+1]) and its
 * coefficients (p0, p1, q0, q1): (a, c) <- splat(a) * (p0, p1) + splat(c) * (q0, q1).
 */
function givens(): FunctionDef {
  const [X, PAIRS, COEF, NP, E, A, C, R] = [0, 1, 2, 3, 4, 5, 6, 7];
  return {
    params: [I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, V128],
    body: code(
      endOf(E, PAIRS, NP),
      loopUntil(
        code(get(PAIRS), get(E), I32_GE_U),
        code(
          add(get(X), code(get(PAIRS), i32Load(0))), set(A),
          add(get(X), code(get(PAIRS), i32Load(4))), set(C),
          get(A), v128Load64Splat(), get(COEF), v128Load(0), F64X2_MUL,
          get(C), v128Load64Splat(), get(COEF), v128Load(16), F64X2_MUL,
          F64X2_ADD, set(R),
          get(A), get(R), v128Store64Lane(0),
          get(C), get(R), v128Store64Lane(1),
          bump(PAIRS, 8), bump(COEF, 32),
        ),
      ),
    ),
  };
}

/** Locals shared by forward and inverse. */
const [DESC, SRC, DST, R, D, B, N2, T, U, RS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const field = (at: number) => code(get(R), i32Load(at));
const header = code(
  get(DESC), i32Load(DESC_D), set(D),
  get(DESC), i32Load(DESC_B), set(B),
  get(DESC), i32Load(DESC_N2), set(N2),
  get(DESC), i32Load(DESC_X), set(SRC),
  get(DESC), i32Load(DESC_T), set(DST),
);
const swap = code(get(SRC), set(T), get(DST), set(SRC), get(T), set(DST));
/** ptr + k * count, count a local (k = bytes per entry). */
const skip = (ptr: Code, count: number, k: 4 | 8): Code => code(ptr, get(count), i32c(k === 4 ? 2 : 3), I32_SHL, I32_ADD);
/** ptr + k * (d - B): the tail block's first entry. */
const tail = (ptr: Code, k: 4 | 8 = 8): Code => code(ptr, get(D), get(B), I32_SUB, i32c(k === 4 ? 2 : 3), I32_SHL, I32_ADD);
const twoBlocks = code(get(B), get(D), I32_NE);
const fusable = code(get(B), i32c(FUSED_FROM), I32_GE_U);
const n2MinusB = code(get(N2), get(B), I32_SUB);
const ZERO = i32c(0);
/** A Walsh-Hadamard variant's call: (p, n, src, gperm, gmul, out, pperm, pmul). */
const wht = (fn: number, p: Code, n: Code, g: [Code, Code, Code] = [ZERO, ZERO, ZERO], post: [Code, Code, Code] = [ZERO, ZERO, ZERO]) =>
  code(p, n, ...g, ...post, call(fn));

/** An exported driver: (desc) -> pointer to the buffer holding the result, after `rounds`. */
const driver = (name: string, rounds: Code): FunctionDef => ({
  name,
  params: [I32],
  results: [I32],
  locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
  body: code(header, rounds, get(SRC)),
});

/** forward(desc) -> pointer to y = R x, where x was written to the descriptor's X. */
function forward(): FunctionDef {
  return driver(
    'forward',
    code(
      get(DESC), i32c(DESC_HEAD), I32_ADD, set(R),
      get(R), get(DESC), i32Load(DESC_ROUNDS), i32c(ROUND_BYTES), I32_MUL, I32_ADD, set(RS),
      loopUntil(
        code(get(R), get(RS), I32_GE_U),
        code(
          // the gather (permutation and signs), the head Hadamard, the mid multipliers
          fusable, IF,
          twoBlocks, IF,
          wht(WHT_GATHER_MUL, get(DST), get(B), [get(SRC), field(ROUND_GPERM), field(ROUND_GSIGNS)], [ZERO, ZERO, field(ROUND_MID)]),
          skip(get(DST), B, 8), get(SRC), skip(field(ROUND_GPERM), B, 4), skip(field(ROUND_GSIGNS), B, 8), n2MinusB, call(GATHER),
          skip(get(DST), B, 8), skip(field(ROUND_MID), B, 8), n2MinusB, call(VMUL),
          ELSE,
          wht(WHT_GATHER, get(DST), get(B), [get(SRC), field(ROUND_GPERM), field(ROUND_GSIGNS)]),
          END,
          ELSE,
          get(DST), get(SRC), field(ROUND_GPERM), field(ROUND_GSIGNS), get(N2), call(GATHER),
          wht(WHT, get(DST), get(B)),
          twoBlocks, IF, get(DST), field(ROUND_MID), get(N2), call(VMUL), END,
          END,
          // the tail Hadamard
          twoBlocks, IF, wht(WHT, tail(get(DST)), get(B)), END,
          // the Givens layer, and the unpaired coordinate's pending normalization
          get(DST), field(ROUND_PAIRS), field(ROUND_COEF_FWD), field(ROUND_NPAIRS), call(GIVENS),
          field(ROUND_UNPAIRED), tee(U), i32c(0), I32_GE_S,
          IF,
          get(DST), get(U), I32_ADD, tee(U),
          get(U), f64Load(), get(R), f64Load(ROUND_UNPAIRED_FACTOR), F64_MUL,
          f64Store(),
          END,
          swap,
          bump(R, ROUND_BYTES),
        ),
      ),
    ),
  );
}

/** inverse(desc) -> pointer to x = R^T y, where y was written to the descriptor's X. */
function inverse(): FunctionDef {
  return driver(
    'inverse',
    code(
      // rounds last to first; U counts the rounds left (a pointer would wrap below the descriptor)
      get(DESC), i32Load(DESC_ROUNDS), set(U),
      get(DESC), i32c(DESC_HEAD), I32_ADD, get(U), i32c(ROUND_BYTES), I32_MUL, I32_ADD, set(R),
      loopUntil(
        code(get(U), I32_EQZ),
        code(
          get(R), i32c(ROUND_BYTES), I32_SUB, set(R),
          get(U), i32c(1), I32_SUB, set(U),
          get(SRC), field(ROUND_PAIRS), field(ROUND_COEF_INV), field(ROUND_NPAIRS), call(GIVENS),
          fusable, IF,
          // the tail Hadamard with the inverse mid multipliers, the rest of them, then the head
          // Hadamard scattering (inverse permutation and signs) into DST, then the rest of it
          twoBlocks, IF,
          wht(WHT_MUL, tail(get(SRC)), get(B), undefined, [ZERO, ZERO, tail(field(ROUND_MID_INV))]),
          get(SRC), field(ROUND_MID_INV), get(D), get(B), I32_SUB, call(VMUL),
          END,
          wht(WHT_SCATTER, get(SRC), get(B), undefined, [get(DST), field(ROUND_PERM), field(ROUND_SCATTER)]),
          get(DST), skip(get(SRC), B, 8), skip(field(ROUND_PERM), B, 4), skip(field(ROUND_SCATTER), B, 8), n2MinusB, call(SCATTER),
          ELSE,
          twoBlocks, IF,
          wht(WHT, tail(get(SRC)), get(B)),
          get(SRC), field(ROUND_MID_INV), get(N2), call(VMUL),
          END,
          wht(WHT, get(SRC), get(B)),
          get(DST), get(SRC), field(ROUND_PERM), field(ROUND_SCATTER), get(N2), call(SCATTER),
          END,
          swap,
        ),
      ),
    ),
  );
}

const [GATHER, SCATTER, VMUL, GIVENS, WHT, WHT_GATHER, WHT_GATHER_MUL, WHT_MUL, WHT_SCATTER] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/** The mix module: exports forward(desc) and inverse(desc); imports env.mem. */
export function assembleMixModule(): Uint8Array {
  // The order gives the function indices above, used by `call`.
  return assembleModule([
    gather(),
    scatter(),
    vmul(),
    givens(),
    hadamard(false, 'none'),
    hadamard(true, 'none'),
    hadamard(true, 'mul'),
    hadamard(false, 'mul'),
    hadamard(false, 'scatter'),
    forward(),
    inverse(),
  ]);
}
