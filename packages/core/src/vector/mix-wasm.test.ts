import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { generateVectorKey } from '../keys/vector-key.js';
import { createVectorCipher, type VectorCipherParams } from './cipher.js';
import { applyMix, fastMix, invertMix, type FastMix } from './mix-fast.js';
import { createMix } from './mix.js';
import { getMixBackend, setMixBackend, wasmMix, wasmMixAvailable, wasmMixMemory, type MixTransform } from './mix-wasm.js';

// Every shape the kernel distinguishes: d < 8 (unfused passes), B = d (one block) or two
// overlapping blocks, d odd (an unpaired coordinate and a padding lane), log2 B odd or even (the
// Hadamard's last pass is one stage or two), and the dimensions embedders use.
const DIMS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 384, 511, 512, 768, 1000, 1024, 1536, 2047, 3072];

/** A deterministic input with every kind of float64: ordinary values of many magnitudes, +-0, subnormals, huge ones. */
function input(d: number, salt: number, extremes: boolean): Float64Array {
  let s = (salt ^ 0x9e3779b9) >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  return Float64Array.from({ length: d }, () => {
    const u = next() * 2 - 1;
    if (!extremes) return u;
    const k = next();
    if (k < 0.05) return u < 0 ? -0 : 0;
    if (k < 0.1) return u * 2 ** -1060; // subnormal
    if (k < 0.15) return u * 2 ** 900;
    return u * 2 ** Math.floor(next() * 80 - 40);
  });
}

const seedOf = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i * 7) & 255);

function same(a: Float64Array, b: Float64Array, d: number): number {
  let bad = 0;
  for (let i = 0; i < d; i++) if (!Object.is(a[i], b[i])) bad++;
  return bad;
}

function bothWays(m: FastMix, w: MixTransform, x: Float64Array): void {
  const d = m.dimension;
  const tmp = new Float64Array(d);
  const yJs = new Float64Array(d);
  const yWasm = new Float64Array(d);
  applyMix(m, x, yJs, tmp);
  w.apply(x, yWasm);
  expect(same(yJs, yWasm, d)).toBe(0);
  const xJs = new Float64Array(d);
  const xWasm = new Float64Array(d);
  invertMix(m, x, xJs, tmp);
  w.invert(x, xWasm);
  expect(same(xJs, xWasm, d)).toBe(0);
}

// These tests need the WebAssembly path whatever the suite runs on (SEALVEC_MIX=js forces the
// JavaScript mix everywhere else); each puts the suite's choice back.
const suiteBackend = getMixBackend();
beforeEach(() => setMixBackend('auto'));
afterEach(() => setMixBackend(suiteBackend));

describe('mix on WebAssembly SIMD', () => {
  it('is available in this runtime (so the comparisons below compare two implementations)', () => {
    expect(wasmMixAvailable()).toBe(true);
    expect(wasmMix(fastMix(createMix(seedOf(1), 8)))).not.toBeNull();
  });

  it('is bit-identical to mix-fast.ts, forward and inverse, for every dimension shape (Object.is per coordinate)', () => {
    for (const d of DIMS) {
      const m = fastMix(createMix(seedOf(d), d));
      const w = wasmMix(m)!;
      for (const extremes of [false, true]) bothWays(m, w, input(d, d, extremes));
    }
  });

  it('is bit-identical to mix-fast.ts for random keys, dimensions and inputs', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...DIMS), fc.integer({ min: 1, max: 3200 })),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer(),
        fc.boolean(),
        (d, seed, salt, extremes) => {
          const m = fastMix(createMix(seed, d));
          bothWays(m, wasmMix(m)!, input(d, salt, extremes));
        },
      ),
      { numRuns: numRuns(80) },
    );
  });

  it('takes arrays longer than d and the same array for input and output, and keeps no state between calls', () => {
    const d = 100;
    const m = fastMix(createMix(seedOf(5), d));
    const w = wasmMix(m)!;
    const x = input(d, 5, false);
    const expected = new Float64Array(d);
    applyMix(m, x, expected, new Float64Array(d));
    const long = new Float64Array(d + 7).fill(42);
    long.set(x);
    const out = new Float64Array(d + 3).fill(-1);
    w.apply(long, out);
    expect(same(out, expected, d)).toBe(0);
    expect(Array.from(out.subarray(d))).toEqual([-1, -1, -1]);
    const inPlace = Float64Array.from(x);
    w.apply(inPlace, inPlace);
    expect(same(inPlace, expected, d)).toBe(0);
    w.invert(inPlace, inPlace);
    for (let i = 0; i < d; i++) expect(Math.abs(inPlace[i]! - x[i]!)).toBeLessThan(1e-12);
    expect(() => w.apply(new Float64Array(d - 1), out)).toThrow(RangeError);
    expect(() => w.invert(x, new Float64Array(d - 1))).toThrow(RangeError);
  });

  it('many mixes share the one memory, each with its own tables, across growths of it', () => {
    const mixes = Array.from({ length: 300 }, (_, i) => {
      const d = 1 + ((i * 37) % 700);
      const m = fastMix(createMix(seedOf(i), d));
      return { m, w: wasmMix(m)! };
    });
    // interleaved use after all were made (the memory grew many times since the first)
    for (const { m, w } of mixes.slice().reverse()) bothWays(m, w, input(m.dimension, m.dimension, false));
  });

  it('gives a mix\'s range back when its transform is garbage-collected, and reuses it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const make = (count: number) => {
      for (let i = 0; i < count; i++) wasmMix(fastMix(createMix(seedOf(i), 1536)));
    };
    const collect = async (until: () => boolean, tries = 100) => {
      for (let t = 0; t < tries && !until(); t++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await collect(() => false, 3); // settle what earlier tests left
    const before = wasmMixMemory();
    make(40); // about 10 MB of tables, unreachable at once
    expect(wasmMixMemory().liveBytes).toBeGreaterThan(before.liveBytes + 40 * 1536 * 100);
    await collect(() => wasmMixMemory().liveBytes <= before.liveBytes);
    expect(wasmMixMemory().liveBytes).toBeLessThanOrEqual(before.liveBytes);
    const grown = wasmMixMemory().memoryBytes;
    make(40);
    expect(wasmMixMemory().memoryBytes).toBe(grown); // the freed ranges were reused
  });

  it("setMixBackend('js') makes new ciphers use mix-fast.ts; 'auto' brings WebAssembly back; other values are a TypeError", () => {
    const m = fastMix(createMix(seedOf(2), 16));
    setMixBackend('js');
    expect(getMixBackend()).toBe('js');
    expect(wasmMix(m)).toBeNull();
    setMixBackend('auto');
    expect(wasmMix(m)).not.toBeNull();
    expect(() => setMixBackend('wasm' as never)).toThrow(TypeError);
    expect(getMixBackend()).toBe('auto');
  });
});

describe('vector cipher on either mix', () => {
  const key = generateVectorKey();
  const params: VectorCipherParams[] = [
    { dimension: 384, metric: 'cosine', beta: 0.3, collection: 'a' },
    { dimension: 100, metric: 'euclid', beta: 0.5, scale: 3, collection: 'b' },
    { dimension: 767, metric: 'dot', beta: 0.2, maxNorm: 40, collection: 'c' }, // stored dimension 768
    { dimension: 1, metric: 'euclid', beta: 0.1 },
    { dimension: 7, metric: 'dot', beta: 0.1, maxNorm: 3 }, // stored dimension 8
  ];

  it.each(params.map((p) => [`${p.metric} d=${p.dimension}`, p] as const))(
    'gives the same ciphertexts, query ciphertexts and decryptions with WebAssembly and with mix-fast.ts (%s)',
    (_, p) => {
      setMixBackend('auto');
      const wasm = createVectorCipher(key, p);
      setMixBackend('js');
      const js = createVectorCipher(key, p);
      setMixBackend('auto');
      const x = Array.from(input(p.dimension, p.dimension, false));
      const binding = { recordId: 'r1', dataKey: new Uint8Array(32).fill(9), nonce: new Uint8Array(16).fill(3) };
      const a = wasm.encrypt(x, binding);
      const b = js.encrypt(x, binding);
      expect(a.vector).toEqual(b.vector);
      expect(a.tag).toEqual(b.tag);
      expect(wasm.encryptQuery(x)).toEqual(js.encryptQuery(x));
      const rows = new Float32Array(3 * p.dimension).map((_, i) => Math.sin(i) / Math.sqrt(p.dimension));
      const bindings = [0, 1, 2].map((i) => ({ ...binding, recordId: `r${i}` }));
      const batchA = wasm.encryptBatch(rows, 3, bindings);
      const batchB = js.encryptBatch(rows, 3, bindings);
      for (let i = 0; i < 3; i++) expect(batchA[i]!.vector).toEqual(batchB[i]!.vector);
      // each decrypts the other's ciphertext, to the same float32 values
      expect(wasm.decrypt(b, binding)).toEqual(js.decrypt(a, binding));
    },
  );
});
