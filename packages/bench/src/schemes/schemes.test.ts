import { describe, expect, it } from 'vitest';
import { fromVectors, mulBT } from '../linalg/matrix.js';
import { createRng } from '../rng.js';
import { sealvecScheme } from './sealvec.js';
import { haarOrthogonal, rotationScheme } from './rotation.js';
import { shuffleScheme } from './shuffle.js';

const rng = createRng(3);
const x = { rows: 6, dim: 10, data: Float32Array.from({ length: 60 }, () => rng.gaussian()) };

function dist2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] as number) - (b[i] as number)) ** 2;
  return s;
}

describe('sealvec scheme', () => {
  it('is reproducible from its seed, with fresh noise for every record', () => {
    const a = sealvecScheme({ dimension: 10, metric: 'euclid', beta: 1, seed: 7 });
    const b = sealvecScheme({ dimension: 10, metric: 'euclid', beta: 1, seed: 7 });
    const ca = a.encryptRecords(x);
    expect(Array.from(b.encryptRecords(x).data)).toEqual(Array.from(ca.data));
    expect(Array.from(a.encryptRecords(x).data)).not.toEqual(Array.from(ca.data));
    expect(Array.from(a.encryptQueries(x).data)).toEqual(Array.from(a.encryptQueries(x).data));
  });

  it('gives the key holder the exact inverse of mix and scale (no noise at beta 0)', () => {
    for (const metric of ['euclid', 'cosine'] as const) {
      const s = sealvecScheme({ dimension: 10, metric, beta: 0, seed: 8 });
      const inv = s.keyHolderInverse()!;
      const back = inv(fromVectors(s.encryptRecords(x)));
      for (let i = 0; i < 6; i++) {
        let nx = 1;
        if (metric === 'cosine') {
          let t = 0;
          for (let j = 0; j < 10; j++) t += (x.data[i * 10 + j] as number) ** 2;
          nx = Math.sqrt(t);
        }
        for (let j = 0; j < 10; j++) expect(back.data[i * 10 + j]).toBeCloseTo((x.data[i * 10 + j] as number) / nx, 5);
      }
    }
  });

  it('has no key-holder inverse for dot (the extra coordinate is never a query input)', () => {
    expect(sealvecScheme({ dimension: 10, metric: 'dot', beta: 0, maxNorm: 10, seed: 1 }).keyHolderInverse()).toBeNull();
  });
});

describe('shuffle baseline', () => {
  it('preserves distances exactly at beta 0 and is inverted by its key holder', () => {
    const s = shuffleScheme({ dimension: 10, metric: 'euclid', beta: 0, seed: 9 });
    const c = s.encryptRecords(x);
    const r = (set: typeof c, i: number) => set.data.subarray(i * 10, (i + 1) * 10);
    expect(dist2(r(c, 0), r(c, 1))).toBeCloseTo(dist2(r(x, 0), r(x, 1)), 5);
    const back = s.keyHolderInverse()!(fromVectors(c));
    expect(Array.from(back.data, (v) => Math.fround(v))).toEqual(Array.from(x.data));
  });

  it('adds noise of norm at most beta/4 and rejects dot and wrong dimensions', () => {
    const s = shuffleScheme({ dimension: 10, metric: 'euclid', beta: 2, seed: 10 });
    const inv = s.keyHolderInverse()!;
    const back = inv(fromVectors(s.encryptRecords(x)));
    for (let i = 0; i < 6; i++) {
      let e = 0;
      for (let j = 0; j < 10; j++) e += ((back.data[i * 10 + j] as number) - (x.data[i * 10 + j] as number)) ** 2;
      expect(Math.sqrt(e)).toBeLessThanOrEqual(0.5 + 1e-6);
    }
    expect(() => shuffleScheme({ dimension: 10, metric: 'dot', beta: 1, seed: 1 })).toThrow(RangeError);
    expect(() => s.encryptRecords({ rows: 1, dim: 3, data: new Float32Array(3) })).toThrow(RangeError);
  });
});

describe('random rotation baseline', () => {
  it('uses an orthogonal matrix, inverts exactly for its key holder at beta 0 and keeps distances', () => {
    const s = rotationScheme({ dimension: 10, metric: 'euclid', beta: 0, seed: 11 });
    const q = s.rotation;
    const qqt = mulBT(q, q);
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) expect(qqt.data[i * 10 + j]).toBeCloseTo(i === j ? 1 : 0, 10);
    const c = s.encryptRecords(x);
    const r = (set: typeof c, i: number) => set.data.subarray(i * 10, (i + 1) * 10);
    expect(dist2(r(c, 0), r(c, 1))).toBeCloseTo(s.scale * s.scale * dist2(r(x, 0), r(x, 1)), 3);
    const back = s.keyHolderInverse()!(fromVectors(c));
    for (let i = 0; i < 60; i++) expect(back.data[i]).toBeCloseTo(x.data[i] as number, 4);
  });

  it('draws a numerically orthogonal matrix at a larger d too', () => {
    const q = haarOrthogonal(96, createRng(5));
    const g = mulBT(q, q);
    let worst = 0;
    for (let i = 0; i < 96; i++) for (let j = 0; j < 96; j++) worst = Math.max(worst, Math.abs((g.data[i * 96 + j] as number) - (i === j ? 1 : 0)));
    expect(worst).toBeLessThan(1e-12);
  });

  it('gives fresh noise to records, the same ciphertext to a repeated query, and rejects dot', () => {
    const s = rotationScheme({ dimension: 10, metric: 'cosine', beta: 1, seed: 12 });
    expect(Array.from(s.encryptRecords(x).data)).not.toEqual(Array.from(s.encryptRecords(x).data));
    expect(Array.from(s.encryptQueries(x).data)).toEqual(Array.from(s.encryptQueries(x).data));
    const back = s.keyHolderInverse()!(fromVectors(s.encryptRecords(x)));
    for (let i = 0; i < 6; i++) {
      let e = 0;
      let nx = 0;
      for (let j = 0; j < 10; j++) nx += (x.data[i * 10 + j] as number) ** 2;
      for (let j = 0; j < 10; j++) e += ((back.data[i * 10 + j] as number) - (x.data[i * 10 + j] as number) / Math.sqrt(nx)) ** 2;
      expect(Math.sqrt(e)).toBeLessThanOrEqual(0.25 + 1e-6);
    }
    expect(() => rotationScheme({ dimension: 10, metric: 'dot', beta: 1, seed: 1 })).toThrow(RangeError);
  });
});
