import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DECADE, FLOAT32_MAX_CHARS, formatFloat32, formatFloat32Shortest, putFloat32, putFloat32s } from './float32-text.js';

const SLOW = process.env.SLOW !== undefined && process.env.SLOW !== '' && process.env.SLOW !== '0';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const i32 = new Int32Array(f32.buffer);
function fromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}
function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/**
 * Formats every finite bit pattern of `bits` through putFloat32s (the hot path), reads the text
 * back with JSON.parse + Math.fround as a reader does, and returns the patterns that did not come
 * back bit for bit (the sign of zero included).
 */
function mismatches(bits: Uint32Array): number[] {
  const values = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  const buf = new Uint8Array(bits.length * (FLOAT32_MAX_CHARS + 1) + 2);
  buf[0] = 0x5b;
  let end = putFloat32s(buf, 1, values);
  buf[end++] = 0x5d;
  const back = JSON.parse(Buffer.from(buf.buffer, 0, end).toString('latin1')) as number[];
  const bad: number[] = [];
  if (back.length !== bits.length) throw new Error(`parsed ${back.length} values, wrote ${bits.length}`);
  for (let i = 0; i < bits.length; i++) if (bitsOf(Math.fround(back[i]!)) !== bits[i]) bad.push(bits[i]!);
  return bad;
}

const hex = (b: number) => `0x${(b >>> 0).toString(16).padStart(8, '0')}`;

/** Finite patterns only (exponent field 255 is NaN or infinity). */
const finite = (b: number) => ((b >>> 23) & 0xff) !== 255;

describe('putFloat32 (exact float32 to JSON text)', () => {
  it('has a decade table that maps each whole binade into [1e8, 2e9) (checked exactly with BigInt)', () => {
    /** The sign of 10^d - 2^n, both sides scaled to integers by 10^max(-d,0) * 2^max(-n,0). */
    const tenVsTwo = (d: number, n: number): number => {
      const a = 10n ** BigInt(Math.max(d, 0)) * 2n ** BigInt(Math.max(-n, 0));
      const b = 2n ** BigInt(Math.max(n, 0)) * 10n ** BigInt(Math.max(-d, 0));
      return a < b ? -1 : a > b ? 1 : 0;
    };
    for (let e = 1; e < 255; e++) {
      const n = e - 127;
      const d = DECADE[e]!;
      // 10^d <= 2^n < 10^(d+1): then x * 10^(8-d) is in [1e8, 2e9) for x in [2^n, 2^(n+1)).
      expect(tenVsTwo(d, n), `10^${d} <= 2^${n}`).toBeLessThanOrEqual(0);
      expect(tenVsTwo(d + 1, n), `2^${n} < 10^${d + 1}`).toBe(1);
    }
  });

  it('writes edge cases exactly and as valid JSON', () => {
    const cases: [number, string][] = [
      [0x00000000, '0'],
      [0x80000000, '-0'],
      [0x3f800000, '1'],
      [0xbf800000, '-1'],
      [0x3f000000, '0.5'],
      [0x00000001, '1.40129846e-45'], // smallest subnormal
      [0x807fffff, '-1.17549421e-38'], // largest subnormal
      [0x00800000, '1.17549435e-38'], // smallest normal
      [0x7f7fffff, '3.40282347e38'], // largest normal
      [0x4b800000, '16777216'],
      [0x4cbebc20, '100000000'],
      [0x4e6e6b28, '1e9'],
      [0x3a83126f, '0.00100000005'],
      [0x38d1b717, '9.99999975e-5'],
    ];
    for (const [bits, text] of cases) {
      expect(formatFloat32(fromBits(bits)), hex(bits)).toBe(text);
      expect(mismatches(Uint32Array.of(bits)), hex(bits)).toEqual([]);
    }
    expect(formatFloat32(0.1)).toBe('0.100000001');
    expect(formatFloat32(-123.456)).toBe('-123.456001');
  });

  it('round-trips every power of two, every decade boundary and its neighbours', () => {
    const list: number[] = [];
    for (let e = 0; e < 255; e++) for (const m of [0, 1, 0x7fffff, 0x400000]) list.push((e << 23) | m);
    for (let k = -45; k <= 38; k++) {
      const b = bitsOf(Number(`1e${k}`));
      for (let j = -3; j <= 3; j++) if (b + j > 0 && finite(b + j)) list.push(b + j);
    }
    for (let s = 0; s < 23; s++) list.push(1 << s); // subnormal powers of two
    const all = Uint32Array.from([...list, ...list.map((b) => (b | 0x80000000) >>> 0)]);
    expect(mismatches(all).map(hex)).toEqual([]);
  });

  it('round-trips random bit patterns (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }).filter(finite), { minLength: 1, maxLength: 64 }), (patterns) => {
        expect(mismatches(Uint32Array.from(patterns)).map(hex)).toEqual([]);
      }),
      { numRuns: SLOW ? 200_000 : 2000 },
    );
  });

  it('writes exactly what formatFloat32 writes (its inline fast path included), comma separated, within FLOAT32_MAX_CHARS each', () => {
    // Random patterns, and values like ciphertexts (mostly in [1e-4, 10)), which take the inline path.
    const pattern = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).filter(finite),
      fc.float({ min: -10, max: 10, noNaN: true }).map((x) => bitsOf(x)),
    );
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 0, maxLength: 40 }), (patterns) => {
        const v = new Float32Array(Uint32Array.from(patterns).buffer);
        const buf = new Uint8Array(v.length * (FLOAT32_MAX_CHARS + 1));
        const end = putFloat32s(buf, 0, v);
        const parts = Array.from(v, (x) => formatFloat32(x));
        expect(Buffer.from(buf.subarray(0, end)).toString('latin1')).toBe(parts.join(','));
        for (const p of parts) expect(p.length).toBeLessThanOrEqual(FLOAT32_MAX_CHARS);
      }),
      { numRuns: SLOW ? 20_000 : 1000 },
    );
  });

  it('refuses NaN and infinities', () => {
    const buf = new Uint8Array(FLOAT32_MAX_CHARS);
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      f32[0] = x;
      expect(() => putFloat32(buf, new DataView(buf.buffer), 0, f32[0]!, i32[0]!)).toThrow(RangeError);
    }
  });

  // Every binade (both signs) with its first and last 2048 mantissas and 8192 spread over the
  // rest, and every subnormal: about 14 million values. (scripts/check-float32-text.mjs runs all
  // 2^31 positive patterns.)
  it.runIf(SLOW)('round-trips a structured sample of every binade and all subnormals (SLOW=1)', () => {
    const block = new Uint32Array(1 << 16);
    let n = 0;
    let bad: number[] = [];
    const flush = () => {
      bad = bad.concat(mismatches(block.subarray(0, n)));
      n = 0;
    };
    const add = (b: number) => {
      block[n++] = b >>> 0;
      if (n === block.length) flush();
    };
    for (const sign of [0, 0x80000000]) {
      for (let e = 1; e < 255; e++) {
        for (let m = 0; m < 2048; m++) add(sign | (e << 23) | m);
        for (let m = 0x7fffff - 2047; m <= 0x7fffff; m++) add(sign | (e << 23) | m);
        for (let i = 0; i < 8192; i++) add(sign | (e << 23) | (2048 + Math.floor((i * (0x800000 - 4096)) / 8192)));
      }
      for (let m = 1; m <= 0x7fffff; m++) add(sign | m);
    }
    flush();
    expect(bad.slice(0, 20).map(hex)).toEqual([]);
  }, 600_000);
});

describe('formatFloat32Shortest (plaintext output)', () => {
  it('round-trips and drops trailing zeros (property)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = formatFloat32Shortest(x);
        expect(Math.fround(Number(s))).toBe(Object.is(x, -0) ? 0 : x);
        expect(() => JSON.parse(`[${s}]`)).not.toThrow();
      }),
      { numRuns: SLOW ? 100_000 : 2000 },
    );
    expect(formatFloat32Shortest(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32Shortest(Math.fround(1.5e-7))).toBe('1.5e-7');
  });
});
