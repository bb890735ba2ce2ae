/**
 * Float32 values as JSON numbers, written as ASCII straight into a byte buffer: the hot path of
 * sealed JSONL, where a 1536-d record is 1536 numbers and `toPrecision(9)` plus string joining and
 * UTF-8 encoding cost about as much as sealing the record.
 *
 * Each value gets 9 significant digits (trailing zeros dropped), computed with one float64
 * multiplication by a power of ten picked from a table indexed by the float32 exponent field.
 *
 * Why this is exact (a reader's JSON.parse to float64, then Math.fround, gives back the float32):
 * - Let x > 0 be a normal float32 in [2^n, 2^(n+1)), with ulp u = 2^(n-23). Its neighbours are u
 *   above and u below (u/2 below when x = 2^n), so every real y with |y - x| < u/4 rounds to x.
 *   As x < 2^(n+1), u/4 = 2^(n-25) > 2^-26 * x: any y with |y - x| <= 2^-26 * x (~1.49e-8 * x)
 *   rounds to x, ties excluded.
 * - The table gives P = fl(10^k) with t = x * 10^k in [1e8, 2e9) for the whole binade (checked
 *   exactly with BigInt by the test); when fl(x * P) >= 999999999.5 the next power down is used
 *   (t >= 1e8 - 0.05 then), so N = floor(fl(x * P) + 0.5) has exactly 9 digits. fl(x * fl(10^k))
 *   has relative error <= 2^-52, so |N - t| <= 0.5 + 2e9 * 2^-52 < 0.5000005 and the decimal
 *   D = N * 10^-k has |D - x| / x <= 0.5000005 / (1e8 - 0.05) ~ 5.0e-9, a third of the bound.
 * - JSON.parse rounds D correctly to float64 (relative error <= 2^-53 ~ 1.1e-16), which keeps the
 *   float64 within 2^-26 * x of x, so Math.fround returns x.
 * - Subnormals (spacing 2^-149 everywhere) have relative half-gaps above 2^-24, so the same 9
 *   digits are more than enough; they take a slower path that finds the decade with log10 and
 *   corrects it. -0 is written "-0" (the ciphertext tag covers the float32 bytes, sign included).
 * The property test (sealed-file.test.ts / float32-text.test.ts) checks random bit patterns and
 * edge cases on every run, and every binade with thousands of mantissas under SLOW=1.
 */

/** The longest text of one value: "-d.dddddddde-dd". */
export const FLOAT32_MAX_CHARS = 15;

const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;
const COMMA = 0x2c;

/** "00".."99" as byte pairs (exponents). */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = ZERO + Math.floor(i / 10);
  PAIRS[2 * i + 1] = ZERO + (i % 10);
}

/** "0000".."9999" as little-endian uint32s: four digits in one store (a 40 KB table). */
const QUADS = new Uint32Array(10000);
for (let i = 0; i < 10000; i++) {
  const d = [Math.floor(i / 1000), Math.floor(i / 100) % 10, Math.floor(i / 10) % 10, i % 10].map((x) => ZERO + x);
  QUADS[i] = (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
}

/** 10^k for k in [-30, 54], correctly rounded to float64 (the parser's rounding). */
const POW10_MIN = -30;
const POW10 = new Float64Array(85);
for (let k = POW10_MIN; k < POW10_MIN + POW10.length; k++) POW10[k - POW10_MIN] = Number(`1e${k}`);
function pow10(k: number): number {
  return POW10[k - POW10_MIN]!;
}

/**
 * Per float32 exponent field e (1..254): DECADE[e] = floor(log10(2^(e-127))), and SCALE[e] =
 * 10^(8 - DECADE[e]), which maps the binade [2^(e-127), 2^(e-126)) into [1e8, 2e9).
 */
export const DECADE = new Int8Array(256);
const SCALE = new Float64Array(256);
const SCALE_NEXT = new Float64Array(256);
for (let e = 1; e < 255; e++) {
  // log10(2^n) is an integer only for n = 0 and is otherwise at least ~1e-3 away from one, far
  // beyond Math.log10's error; the test re-checks every entry exactly with BigInt.
  const d = Math.floor((e - 127) * Math.log10(2));
  DECADE[e] = d;
  SCALE[e] = pow10(8 - d);
  SCALE_NEXT[e] = pow10(7 - d);
}

/** The 8 digits of r (0 <= r < 1e8) at byte p of `dv`. */
function put8(dv: DataView, p: number, r: number): void {
  const hi = (r / 10000) | 0;
  dv.setUint32(p, QUADS[hi]!, true);
  dv.setUint32(p + 4, QUADS[r - hi * 10000]!, true);
}

/**
 * Writes N (9 digits) scaled by 10^(E-8), i.e. d.dddddddd x 10^E, at buf[p], and returns the end.
 * Fixed notation for E in [-3, 8] (what ciphertexts mostly are: shorter than exponent notation),
 * exponent notation elsewhere; trailing fraction zeros dropped.
 */
function putDecimal(buf: Uint8Array, dv: DataView, p: number, N: number, E: number): number {
  const first = (N / 100000000) | 0;
  const rest = N - first * 100000000;
  if (E < -3 || E > 8) {
    buf[p] = ZERO + first;
    buf[p + 1] = DOT;
    put8(dv, p + 2, rest);
    let end = p + 10;
    while (buf[end - 1] === ZERO) end--;
    if (end === p + 2) end = p + 1;
    buf[end++] = 0x65; // e
    let x = E;
    if (x < 0) {
      buf[end++] = MINUS;
      x = -x;
    }
    if (x >= 10) {
      buf[end] = PAIRS[2 * x]!;
      buf[end + 1] = PAIRS[2 * x + 1]!;
      return end + 2;
    }
    buf[end] = ZERO + x;
    return end + 1;
  }
  if (E < 0) {
    // 0.[zeros]ddddddddd
    buf[p] = ZERO;
    buf[p + 1] = DOT;
    let q = p + 2;
    for (let z = -1; z > E; z--) buf[q++] = ZERO;
    buf[q] = ZERO + first;
    put8(dv, q + 1, rest);
    let end = q + 9;
    while (buf[end - 1] === ZERO) end--;
    return end;
  }
  // E + 1 integer digits, then the fraction: the digits are written in one go, then the fraction
  // digits move one place right to make room for the point.
  buf[p] = ZERO + first;
  put8(dv, p + 1, rest);
  if (E === 8) return p + 9;
  const dot = p + E + 1;
  for (let i = p + 9; i > dot; i--) buf[i] = buf[i - 1]!;
  buf[dot] = DOT;
  let end = p + 10;
  while (end > dot + 1 && buf[end - 1] === ZERO) end--;
  if (end === dot + 1) end = dot;
  return end;
}

/** Subnormal magnitudes (float32 exponent field 0): the decade from log10, then corrected. */
function putSubnormal(buf: Uint8Array, dv: DataView, p: number, x: number): number {
  let E = Math.floor(Math.log10(x));
  let t = x * pow10(8 - E);
  if (t >= 999999999.5) t = x * pow10(8 - ++E);
  else if (t < 99999999.5) t = x * pow10(8 - --E);
  return putDecimal(buf, dv, p, Math.floor(t + 0.5), E);
}

/**
 * Writes one float32 value (given as the number and its bit pattern) at buf[p] (room for
 * FLOAT32_MAX_CHARS bytes needed; `dv` views the same bytes as `buf`) and returns the end.
 * RangeError for NaN and infinities, which no ciphertext holds.
 */
export function putFloat32(buf: Uint8Array, dv: DataView, p: number, value: number, bits: number): number {
  const e = (bits >>> 23) & 0xff;
  let x = value;
  if (bits < 0) {
    buf[p++] = MINUS;
    x = -x;
  }
  if (e === 0) {
    if (x === 0) {
      buf[p] = ZERO;
      return p + 1;
    }
    return putSubnormal(buf, dv, p, x);
  }
  if (e === 255) throw new RangeError(`"value" expected a finite float32, got ${value}`);
  let t = x * SCALE[e]!;
  let E = DECADE[e]!;
  if (t >= 999999999.5) {
    t = x * SCALE_NEXT[e]!;
    E++;
  }
  return putDecimal(buf, dv, p, (t + 0.5) | 0, E);
}

/**
 * Writes the values of v comma-separated at buf[p] (room for v.length * (FLOAT32_MAX_CHARS + 1)
 * bytes needed, the last comma's included) and returns the end. The common case of ciphertexts (normal numbers in [1e-3, 1),
 * fixed notation) is written inline here, the rest by putFloat32: the same text, but the call
 * chain per value costs a third of the time when it runs between sealing calls (measured).
 */
export function putFloat32s(buf: Uint8Array, p: number, v: Float32Array): number {
  const n = v.length;
  const bits = new Int32Array(v.buffer, v.byteOffset, n);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let q = p;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    const e = (b >>> 23) & 0xff;
    const E0 = DECADE[e]!;
    if (e === 0 || e === 255 || E0 < -4 || E0 > -1) {
      q = putFloat32(buf, dv, q, v[i]!, b);
      buf[q++] = COMMA;
      continue;
    }
    let x = v[i]!;
    if (b < 0) {
      buf[q++] = MINUS;
      x = -x;
    }
    let t = x * SCALE[e]!;
    let E = E0;
    if (t >= 999999999.5) {
      t = x * SCALE_NEXT[e]!;
      E++;
    }
    if (E === -4 || E === 0) {
      q = putDecimal(buf, dv, q, (t + 0.5) | 0, E);
      buf[q++] = COMMA;
      continue;
    }
    // 0.ddddddddd, 0.0ddddddddd or 0.00ddddddddd, trailing zeros dropped.
    const N = (t + 0.5) | 0;
    buf[q] = ZERO;
    buf[q + 1] = DOT;
    q += 2;
    if (E <= -2) {
      buf[q++] = ZERO;
      if (E === -3) buf[q++] = ZERO;
    }
    const first = (N / 100000000) | 0;
    const rest = N - first * 100000000;
    buf[q] = ZERO + first;
    const hi = (rest / 10000) | 0;
    dv.setUint32(q + 1, QUADS[hi]!, true);
    dv.setUint32(q + 5, QUADS[rest - hi * 10000]!, true);
    q += 9;
    while (buf[q - 1] === ZERO) q--;
    buf[q++] = COMMA;
  }
  // Every value was followed by a comma (no per-value test): the last one goes.
  return n === 0 ? p : q - 1;
}

const one = new Float32Array(1);
const oneBits = new Int32Array(one.buffer);
const scratch = new Uint8Array(FLOAT32_MAX_CHARS);
const scratchView = new DataView(scratch.buffer);

/** One float32 value as JSON text (x is rounded to float32 first). */
export function formatFloat32(x: number): string {
  one[0] = x;
  const end = putFloat32(scratch, scratchView, 0, one[0]!, oneBits[0]!);
  return String.fromCharCode.apply(null, scratch.subarray(0, end) as unknown as number[]);
}

/** Drops trailing zeros of a toPrecision() mantissa: "0.0874589980" -> "0.087458998", "1.50000e-7" -> "1.5e-7". */
function trimZeros(s: string): string {
  const e = s.indexOf('e');
  const mant = e < 0 ? s : s.slice(0, e);
  if (mant.indexOf('.') < 0) return s;
  let end = mant.length;
  while (mant.charCodeAt(end - 1) === 0x30) end--;
  if (mant.charCodeAt(end - 1) === 0x2e) end--;
  return e < 0 ? mant.slice(0, end) : mant.slice(0, end) + s.slice(e);
}

/**
 * The shortest decimal that reads back as the same float32, for plaintext output people read
 * (decrypt, get, export, search --with-vector). Slower than putFloat32; not on a hot path.
 */
export function formatFloat32Shortest(x: number): string {
  if (x === 0) return '0';
  for (let p = 6; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return trimZeros(s);
  }
  return trimZeros(x.toPrecision(9));
}

/** Float32 values in their shortest forms, comma separated. */
export function formatVectorShortest(v: Float32Array): string {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = formatFloat32Shortest(v[i]!);
  return parts.join(',');
}
