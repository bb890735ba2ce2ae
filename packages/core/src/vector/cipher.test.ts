import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecryptionFailed, DimensionMismatch, EmptyInput, InvalidVector } from '../errors.js';
import { exportVectorKey, vectorKeyFromSecret } from '../keys/vector-key.js';
import { createVectorCipher, type VectorCipherParams } from './cipher.js';

const runs = process.env.SLOW ? 300 : 25;
const key = vectorKeyFromSecret(new Uint8Array(32).fill(9));
const otherKey = vectorKeyFromSecret(new Uint8Array(32).fill(10));
const dataKey = new Uint8Array(32).fill(5);

function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(s);
}
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) ** 2;
    bb += (b[i] as number) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
function norm(a: ArrayLike<number>): number {
  return dist(a, new Float64Array(a.length));
}

const vectorArb = (d: number) =>
  fc.array(fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }), { minLength: d, maxLength: d }).map((a) => Float32Array.from(a));

describe('vector cipher round trip', () => {
  it.each([
    ['euclid', 7],
    ['euclid', 100],
    ['cosine', 64],
    ['cosine', 384],
    ['dot', 33],
  ] as const)('decrypt(encrypt(x)) = x within 1e-5 relative (%s, d=%i)', (metric, d) => {
    const params: VectorCipherParams = { dimension: d, metric, beta: 2, ...(metric === 'dot' ? { maxNorm: 100 } : {}) };
    const c = createVectorCipher(key, params);
    fc.assert(
      fc.property(vectorArb(d), fc.string(), (x, recordId) => {
        if (metric === 'cosine' && norm(x) === 0) return;
        const ct = c.encrypt(x, { recordId, dataKey });
        expect(ct.vector.length).toBe(c.storedDimension);
        const back = c.decrypt(ct, { recordId, dataKey });
        const expected = metric === 'cosine' ? Float32Array.from(x, (v) => v / norm(x)) : x;
        // float32 rounding of c bounds the error by 2^-24 |c| / s <= 2^-24 (|x| + beta/4): relative to
        // the ciphertext's magnitude, not to |x| alone (a tiny x under large noise has |c| >> s|x|).
        expect(dist(back, expected)).toBeLessThanOrEqual(1e-5 * (norm(expected) + params.beta / 4));
        if (norm(expected) >= params.beta / 4) expect(dist(back, expected)).toBeLessThanOrEqual(2e-5 * norm(expected));
      }),
      { numRuns: runs },
    );
  });

  it('batches larger than one CSPRNG call (5,000 rows) get distinct nonces', () => {
    const c = createVectorCipher(key, { dimension: 2, metric: 'euclid', beta: 1 });
    const n = 5000;
    const cts = c.encryptBatch(new Float32Array(2 * n).fill(1), n, Array.from({ length: n }, (_, i) => ({ recordId: String(i), dataKey })));
    expect(new Set(cts.map((ct) => Array.from(ct.nonce).join(','))).size).toBe(n);
  });

  it('batch encryption equals one-by-one encryption with the same nonces', () => {
    const d = 48;
    const c = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 1 });
    const n = 5;
    const m = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i));
    const bindings = Array.from({ length: n }, (_, i) => ({ recordId: `r${i}`, dataKey, nonce: new Uint8Array(16).fill(i) }));
    const batch = c.encryptBatch(m, n, bindings);
    for (let i = 0; i < n; i++) {
      const one = c.encrypt(m.subarray(i * d, (i + 1) * d), bindings[i]!);
      expect(batch[i]!.vector).toEqual(one.vector);
      expect(batch[i]!.tag).toEqual(one.tag);
    }
  });
});

describe('beta-DCP guarantee', () => {
  const d = 32;
  const beta = 1.5;
  const c = createVectorCipher(key, { dimension: d, metric: 'euclid', beta });
  const s = c.scale;
  // float32 rounding of ciphertext coordinates (|c| up to ~60) adds at most ~1e-5 to a distance.
  const eps = 1e-4;

  it('every ciphertext distance lies within s*beta/2 of s*d(x, y)', () => {
    fc.assert(
      fc.property(vectorArb(d), vectorArb(d), (x, y) => {
        const cx = c.encrypt(x, { recordId: 'x', dataKey }).vector;
        const cy = c.encrypt(y, { recordId: 'y', dataKey: new Uint8Array(32).fill(6) }).vector;
        expect(Math.abs(dist(cx, cy) - s * dist(x, y))).toBeLessThanOrEqual((s * beta) / 2 + eps);
        const q = c.encryptQuery(x);
        expect(Math.abs(dist(q, cy) - s * dist(x, y))).toBeLessThanOrEqual((s * beta) / 2 + eps);
      }),
      { numRuns: runs * 4 },
    );
  });

  it('preserves order when d(x, y) < d(x, z) - beta', () => {
    fc.assert(
      fc.property(vectorArb(d), vectorArb(d), vectorArb(d), (x, y, z) => {
        let [near, far] = dist(x, y) <= dist(x, z) ? [y, z] : [z, y];
        if (!(dist(x, near) < dist(x, far) - beta - eps)) {
          // Make a qualifying triple: push `far` away from x along its own direction.
          far = Float32Array.from(far, (v, i) => (x[i] as number) + ((v - (x[i] as number)) * (dist(x, near) + beta + 1)) / Math.max(dist(x, far), 1e-3));
          if (!(dist(x, near) < dist(x, far) - beta - eps)) return;
        }
        const q = c.encryptQuery(x);
        const cn = c.encrypt(near, { recordId: 'n', dataKey }).vector;
        const cf = c.encrypt(far, { recordId: 'f', dataKey }).vector;
        expect(dist(q, cn)).toBeLessThan(dist(q, cf));
      }),
      { numRuns: runs * 4 },
    );
  });

  it('noise has radius at most s*beta/4 and is not zero', () => {
    const x = new Float32Array(d).fill(0.5);
    const ct = c.encrypt(x, { recordId: 'a', dataKey });
    const zero = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 0 });
    const clean = zero.encrypt(x, { recordId: 'a', dataKey }).vector;
    expect(dist(ct.vector, clean)).toBeLessThanOrEqual((s * beta) / 4 + 1e-5);
    expect(dist(ct.vector, clean)).toBeGreaterThan(0);
  });
});

describe('queries', () => {
  const c = createVectorCipher(key, { dimension: 16, metric: 'cosine', beta: 1 });
  it('identical queries give identical ciphertexts (repeats cannot be averaged)', () => {
    const q = Float32Array.from({ length: 16 }, (_, i) => i - 7.5);
    expect(c.encryptQuery(q)).toEqual(c.encryptQuery(Array.from(q)));
    expect(c.encryptQueries(Float32Array.from([...q, ...q]), 2)).toEqual(Float32Array.from([...c.encryptQuery(q), ...c.encryptQuery(q)]));
  });
  it('different queries get different noise (queries further apart than the noise grid)', () => {
    const q1 = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const q2 = Float32Array.from(q1, (v, i) => (i === 0 ? v + 0.5 : v));
    const zero = createVectorCipher(key, { dimension: 16, metric: 'cosine', beta: 0 });
    const n1 = Float32Array.from(c.encryptQuery(q1), (v, i) => v - zero.encryptQuery(q1)[i]!);
    const n2 = Float32Array.from(c.encryptQuery(q2), (v, i) => v - zero.encryptQuery(q2)[i]!);
    expect(Math.abs(cosine(n1, n2))).toBeLessThan(0.9);
  });
  it('record encryption is randomized (fresh nonce each time)', () => {
    const x = new Float32Array(16).fill(1);
    const a = c.encrypt(x, { recordId: 'r', dataKey });
    const b = c.encrypt(x, { recordId: 'r', dataKey });
    expect(a.nonce).not.toEqual(b.nonce);
    expect(a.vector).not.toEqual(b.vector);
  });
});

describe('metrics', () => {
  it('dot: Euclidean order of augmented ciphertexts is inner-product order (beta 0)', () => {
    const d = 8;
    const c = createVectorCipher(key, { dimension: d, metric: 'dot', beta: 0, maxNorm: 10 });
    expect(c.storedDimension).toBe(9);
    fc.assert(
      fc.property(vectorArb(d), vectorArb(d), vectorArb(d), (q, a, b) => {
        if (norm(a) > 10 || norm(b) > 10) return;
        const dotA = a.reduce((s, v, i) => s + v * q[i]!, 0);
        const dotB = b.reduce((s, v, i) => s + v * q[i]!, 0);
        if (Math.abs(dotA - dotB) < 1e-2) return;
        const eq = c.encryptQuery(q);
        const ea = c.encrypt(a, { recordId: 'a', dataKey }).vector;
        const eb = c.encrypt(b, { recordId: 'b', dataKey }).vector;
        expect(dist(eq, ea) < dist(eq, eb)).toBe(dotA > dotB);
      }),
      { numRuns: runs },
    );
  });
  it('cosine: scaling a vector does not change its ciphertext under a pinned nonce', () => {
    const c = createVectorCipher(key, { dimension: 4, metric: 'cosine', beta: 1 });
    const nonce = new Uint8Array(16);
    const a = c.encrypt([1, 2, 3, 4], { recordId: 'r', dataKey, nonce });
    const b = c.encrypt([2, 4, 6, 8], { recordId: 'r', dataKey, nonce });
    expect(dist(a.vector, b.vector)).toBeLessThan(1e-6);
  });
});

describe('keys and tenants', () => {
  const x = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i));
  const zeroNoise = (k = key, tenant = '') => createVectorCipher(k, { dimension: 64, metric: 'euclid', beta: 0, tenant });
  it('different keys or tenants give unrelated ciphertexts', () => {
    const a = zeroNoise().encryptQuery(x);
    const b = zeroNoise(otherKey).encryptQuery(x);
    const t = zeroNoise(key, 'tenant-b').encryptQuery(x);
    expect(Math.abs(cosine(a, b))).toBeLessThan(0.4);
    expect(Math.abs(cosine(a, t))).toBeLessThan(0.4);
  });
  it("a query for tenant A scores like noise against tenant B's vectors", () => {
    const d = 64;
    const A = createVectorCipher(key, { dimension: d, metric: 'cosine', beta: 0.5, tenant: 'A' });
    const B = createVectorCipher(key, { dimension: d, metric: 'cosine', beta: 0.5, tenant: 'B' });
    const base = Array.from({ length: 200 }, (_, i) => Float32Array.from({ length: d }, (_, j) => Math.sin(i * 0.37 + j * (1 + i * 0.01))));
    const query = base[17]!;
    const qa = A.encryptQuery(query);
    const rank = (cts: Float32Array[]) => cts.map((v, i) => [dist(qa, v), i] as const).sort((p, q) => p[0] - q[0])[0]![1];
    expect(rank(base.map((v, i) => A.encrypt(v, { recordId: String(i), dataKey }).vector))).toBe(17);
    const hitsInB = rank(base.map((v, i) => B.encrypt(v, { recordId: String(i), dataKey }).vector));
    expect(hitsInB).not.toBe(17);
  });
});

describe('tamper detection', () => {
  const d = 24;
  const c = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 1, tenant: 't1', collection: 'docs' });
  const x = Float32Array.from({ length: d }, (_, i) => i / 3);
  const binding = { recordId: 'rec-1', dataKey };
  const ct = c.encrypt(x, binding);

  it('accepts the untouched ciphertext', () => {
    expect(dist(c.decrypt(ct, binding), x)).toBeLessThan(1e-4);
  });
  it('detects any changed coordinate (even by one float32 ulp)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: d - 1 }), fc.boolean(), (i, up) => {
        const v = Float32Array.from(ct.vector);
        const bits = new Uint32Array(v.buffer);
        bits[i] = (bits[i]! + (up ? 1 : -1)) >>> 0;
        expect(() => c.decrypt({ ...ct, vector: v }, binding)).toThrow(DecryptionFailed);
      }),
      { numRuns: runs },
    );
  });
  it('detects a changed nonce, tag, record id, collection, tenant, key or data key', () => {
    const flip = (b: Uint8Array, i: number) => {
      const o = Uint8Array.from(b);
      o[i]! ^= 1;
      return o;
    };
    for (let i = 0; i < 16; i++) {
      expect(() => c.decrypt({ ...ct, nonce: flip(ct.nonce, i) }, binding)).toThrow(DecryptionFailed);
      expect(() => c.decrypt({ ...ct, tag: flip(ct.tag, i) }, binding)).toThrow(DecryptionFailed);
    }
    expect(() => c.decrypt(ct, { ...binding, recordId: 'rec-2' })).toThrow(DecryptionFailed);
    const otherCollection = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 1, tenant: 't1', collection: 'other' });
    expect(() => otherCollection.decrypt(ct, binding)).toThrow(DecryptionFailed);
    expect(() => c.decrypt(ct, { ...binding, collection: 'other' })).toThrow(TypeError); // a v2 cipher serves one collection
    expect(() => c.decrypt(ct, { ...binding, dataKey: flip(dataKey, 0) })).toThrow(DecryptionFailed);
    const otherTenant = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 1, tenant: 't2', collection: 'docs' });
    expect(() => otherTenant.decrypt(ct, binding)).toThrow(DecryptionFailed);
    const otherK = createVectorCipher(otherKey, { dimension: d, metric: 'euclid', beta: 1, tenant: 't1', collection: 'docs' });
    expect(() => otherK.decrypt(ct, binding)).toThrow(DecryptionFailed);
    expect(() => otherK.decrypt({ ...ct, kid: otherK.kid }, binding)).toThrow(DecryptionFailed);
    expect(() => c.decrypt({ ...ct, tag: ct.tag.subarray(0, 15) }, binding)).toThrow(DecryptionFailed);
  });
  it('every failure carries the same generic message', () => {
    const msgs = new Set<string>();
    for (const f of [
      () => c.decrypt(ct, { ...binding, recordId: 'x' }),
      () => c.decrypt({ ...ct, kid: 'ffff' }, binding),
      () => c.decrypt({ ...ct, tag: new Uint8Array(16) }, binding),
    ]) {
      try {
        f();
      } catch (e) {
        msgs.add(`${(e as Error).name}:${(e as Error).message}`);
      }
    }
    expect([...msgs]).toEqual(['DecryptionFailed:decryption failed']);
  });
});

describe('bad input', () => {
  const c = createVectorCipher(key, { dimension: 4, metric: 'cosine', beta: 1 });
  const b = { recordId: 'r', dataKey };
  it.each([
    [[1, 2, NaN, 4], InvalidVector, /non-finite value at index 2/],
    [[1, Infinity, 3, 4], InvalidVector, /index 1/],
    [[0, 0, 0, 0], InvalidVector, /zero vector/],
    [[1, 2, 3], DimensionMismatch, /dimension 3, expected 4/],
    [[1e39, 1, 1, 1], InvalidVector, /non-finite/], // overflows float32
  ])('rejects %j with a coded error', (v, cls, msg) => {
    expect(() => c.encrypt(v, b)).toThrow(cls);
    expect(() => c.encrypt(v, b)).toThrow(msg);
    expect(() => c.encryptQuery(v)).toThrow(cls);
  });
  it('rejects dot-product records above maxNorm', () => {
    const dc = createVectorCipher(key, { dimension: 2, metric: 'dot', beta: 1, maxNorm: 1 });
    expect(() => dc.encrypt([1, 1], b)).toThrow(InvalidVector);
    expect(dc.encryptQuery([10, 10]).length).toBe(3); // queries are not bounded
  });
  it('rejects empty and mis-shaped batches', () => {
    expect(() => c.encryptBatch(new Float32Array(0), 0, [])).toThrow(EmptyInput);
    expect(() => c.encryptBatch(new Float32Array(7), 2, [b, b])).toThrow(DimensionMismatch);
    expect(() => c.encryptBatch(new Float32Array(8), 2, [b])).toThrow(RangeError);
    expect(() => c.encryptQueries(new Float32Array(0), 0)).toThrow(EmptyInput);
  });
  it('programmer errors name the argument', () => {
    expect(() => createVectorCipher(key, { dimension: 0, metric: 'cosine', beta: 1 })).toThrow(/"dimension" expected integer in \[1, 65536\], got 0/);
    expect(() => createVectorCipher(key, { dimension: 70000, metric: 'cosine', beta: 1 })).toThrow(RangeError);
    expect(() => createVectorCipher(key, { dimension: 1.5, metric: 'cosine', beta: 1 })).toThrow(TypeError);
    expect(() => createVectorCipher(key, { dimension: 4, metric: 'manhattan' as 'cosine', beta: 1 })).toThrow(/"metric"/);
    expect(() => createVectorCipher(key, { dimension: 4, metric: 'cosine', beta: -1 })).toThrow(/"beta"/);
    expect(() => createVectorCipher(key, { dimension: 4, metric: 'cosine', beta: NaN })).toThrow(/"beta"/);
    expect(() => createVectorCipher(key, { dimension: 4, metric: 'dot', beta: 1 })).toThrow(/"maxNorm"/);
    expect(() => c.encrypt([1, 2, 3, 4], { recordId: 'r', dataKey: new Uint8Array(16) })).toThrow(
      /"dataKey" expected Uint8Array of length 32, got length=16/,
    );
    expect(() => c.encrypt([1, 2, 3, 4], { recordId: 'r', dataKey, nonce: new Uint8Array(8) })).toThrow(/"nonce"/);
    expect(() => c.encrypt([1, 2, 3, 4], { recordId: 5 as unknown as string, dataKey })).toThrow(/"recordId"/);
  });
  it('rejects a ciphertext of the wrong dimension with a coded error', () => {
    const ct = c.encrypt([1, 2, 3, 4], b);
    expect(() => c.decrypt({ ...ct, vector: new Float32Array(5) }, b)).toThrow(DimensionMismatch);
  });
  it('never puts key material in errors or JSON', () => {
    const secretB64 = exportVectorKey(key).split(':')[1]!;
    expect(JSON.stringify(key)).not.toContain(secretB64);
    expect(JSON.stringify({ key })).toBe(`{"key":{"type":"sealvec/vector-key","version":1,"kid":"${key.kid}"}}`);
    expect(String(key)).toBe(`VectorKey(${key.kid})`);
    expect(JSON.stringify(c)).not.toMatch(/secret|mix/i);
  });
});

describe('format v2 closes the leaks of v1 (issue #9, finding 6)', () => {
  const d = 32;
  const xs = Array.from({ length: 40 }, (_, i) => Float32Array.from({ length: d }, (_, j) => Math.sin(i * 1.3 + j * 0.7) + (j === i % d ? 2 : 0)));

  it('one key gives unrelated transforms in two collections: known pairs from one do not transfer', () => {
    const pub = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 0, collection: 'public' });
    const priv = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 0, collection: 'private' });
    // An attacker who knows (x, c) pairs of the public collection fits the linear map exactly
    // (beta 0: no noise), then applies it to the private collection's ciphertexts.
    const cPub = xs.map((x) => Array.from(pub.encryptQuery(x)));
    const cPriv = xs.map((x) => Array.from(priv.encryptQuery(x)));
    expect(cPub[0]).not.toEqual(cPriv[0]);
    // The best the attacker can do with the public transform: pick, for each private ciphertext,
    // the public ciphertext nearest to it. With unrelated transforms that match is chance.
    let right = 0;
    cPriv.forEach((c, i) => {
      const nearest = cPub.map((p, j) => [dist(p, c), j] as const).sort((a, b) => a[0] - b[0])[0]![1];
      if (nearest === i) right++;
    });
    expect(right).toBeLessThan(5);
  });

  it('near-repeat queries (jittered by an ulp, as one text embedded twice) share their noise: averaging gains nothing', () => {
    const q = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i + 1));
    // Error of the average of 256 jittered encryptions, relative to the error of one, where the
    // error is the distance to the noiseless encryption of q (the attacker's target).
    const averagingGain = (version: 1 | 2) => {
      const c = createVectorCipher(key, { dimension: 64, metric: 'cosine', beta: 1, version });
      const exact = createVectorCipher(key, { dimension: 64, metric: 'cosine', beta: 0, version }).encryptQuery(q);
      const sum = new Float64Array(64);
      for (let j = 0; j < 256; j++) {
        const v = Float32Array.from(q);
        new Uint32Array(v.buffer)[j % 64]! += j < 128 ? 1 : -1;
        c.encryptQuery(v).forEach((x, i) => (sum[i]! += x / 256));
      }
      return dist(sum, exact) / dist(c.encryptQuery(q), exact);
    };
    // v2: the same noise every time (a grid boundary may split a few repeats).
    expect(averagingGain(2)).toBeGreaterThan(0.9);
    // v1, for comparison: fresh noise each time, so averaging cuts it about 16x.
    expect(averagingGain(1)).toBeLessThan(0.2);
  });

  it('the noise grid is exact and documented: cells of 2^(e - 10) with e = floor(log2(sqrt(2) |q|))', async () => {
    const { queryGrid, exponentOf, QUERY_GRID_BITS } = await import('./cipher.js');
    expect(QUERY_GRID_BITS).toBe(10);
    expect([1, 1.5, 2, 0.75, 2 ** -1074, 2 ** 1000 * 1.9].map(exponentOf)).toEqual([0, 0, 1, -1, -1074, 1000]);
    const a = queryGrid(Float64Array.from([0.6, 0.8]), 2);
    const b = queryGrid(Float64Array.from([0.6 + 1e-9, 0.8 - 1e-9]), 2);
    const c = queryGrid(Float64Array.from([0.61, 0.79]), 2);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(queryGrid(new Float64Array(2), 2)).toEqual(queryGrid(new Float64Array(2), 2));
  });

  it('euclid: the keyed offset breaks the exact link between ciphertext and plaintext norms', () => {
    const v2 = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 0 });
    const v1 = createVectorCipher(key, { dimension: d, metric: 'euclid', beta: 0, version: 1 });
    const ratios = (c: typeof v2) => xs.slice(0, 10).map((x) => norm(c.encryptQuery(x)) / norm(x));
    const r1 = ratios(v1);
    const r2 = ratios(v2);
    // v1: |c| = s |x| for every x (the origin is a fixed point).
    expect(Math.max(...r1) - Math.min(...r1)).toBeLessThan(1e-5);
    expect(Math.max(...r2) - Math.min(...r2)).toBeGreaterThan(0.05);
    // Distances (what search uses) are still preserved up to the scale.
    const s = v2.scale;
    expect(dist(v2.encryptQuery(xs[0]!), v2.encryptQuery(xs[1]!)) / s).toBeCloseTo(dist(xs[0]!, xs[1]!), 4);
  });

  it('v1 ciphers still decrypt what v1 encrypted (reading old collections), and differ from v2', () => {
    const v1 = createVectorCipher(key, { dimension: d, metric: 'cosine', beta: 1, version: 1 });
    const v2 = createVectorCipher(key, { dimension: d, metric: 'cosine', beta: 1 });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    const ct = v1.encrypt(xs[3]!, { recordId: 'r', dataKey, collection: 'docs' });
    const back = v1.decrypt(ct, { recordId: 'r', dataKey, collection: 'docs' });
    expect(cosine(back, xs[3]!)).toBeGreaterThan(0.99999);
    expect(() => v2.decrypt(ct, { recordId: 'r', dataKey })).toThrow(DecryptionFailed);
    expect(() => createVectorCipher(key, { dimension: d, metric: 'cosine', beta: 1, version: 3 as 2 })).toThrow(RangeError);
  });
});
