import { describe, expect, it } from 'vitest';
import type { VectorSet } from '../datasets/vectors.js';
import { fromVectors, type Mat, selectRows } from '../linalg/matrix.js';
import { createRng } from '../rng.js';
import { rotationScheme } from '../schemes/rotation.js';
import { sealvecScheme } from '../schemes/sealvec.js';
import { cosineStats } from './cosine.js';
import { leastSquaresAttack } from './known-plaintext.js';
import { applyTransform, boxLeastSquares, candidateTransforms, structuredAttack } from './structured.js';

function data(rows: number, dim: number, seed: number): VectorSet {
  const rng = createRng(seed);
  return { rows, dim, data: Float32Array.from({ length: rows * dim }, (_, k) => rng.gaussian() * (k % dim < 8 ? 2 : 0.5) + 0.2) };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

describe('structured known-plaintext attack', () => {
  const d = 64;
  const x = data(400, d, 21);
  const X = fromVectors(x);
  const known = range(0, 96); // 1.5 d pairs
  const targets = range(200, 400);
  const truth = selectRows(X, targets);

  it('recovers the format v1 mix exactly at power-of-two d from 1.5 d pairs and matches the key holder', () => {
    const s = sealvecScheme({ dimension: d, metric: 'euclid', beta: 2, seed: 3, version: 1 });
    const C = fromVectors(s.encryptRecords(x));
    const res = structuredAttack(selectRows(X, known), selectRows(C, known), selectRows(C, targets));
    expect(res.found).toBe(true);
    expect(res.transform).toBe('hadamard');
    expect(res.heldOutRatio).toBeLessThan(1);
    const keyHolder = cosineStats(s.keyHolderInverse()!(selectRows(C, targets)), truth).mean;
    const structured = cosineStats(res.estimates!, truth).mean;
    // Exact recovery of R: the estimate is the key holder's (x plus the noise), to rounding.
    expect(structured).toBeCloseTo(keyHolder, 6);
  });

  it('finds no structure in the format v2 mix (its keyed rotations leave nothing to round), as in a random rotation', () => {
    const s = sealvecScheme({ dimension: d, metric: 'euclid', beta: 2, seed: 3 });
    const C = fromVectors(s.encryptRecords(x));
    const res = structuredAttack(selectRows(X, known), selectRows(C, known), selectRows(C, targets));
    expect(res.found).toBe(false);
    expect(res.estimates).toBeNull();
  });

  it('with only d pairs the box still pins the v1 mix down, where a free linear fit is poor', () => {
    const s = sealvecScheme({ dimension: d, metric: 'euclid', beta: 2, seed: 4, version: 1 });
    const C = fromVectors(s.encryptRecords(x));
    const few = range(0, d);
    const res = structuredAttack(selectRows(X, few), selectRows(C, few), selectRows(C, targets));
    expect(res.found).toBe(true);
    const structured = cosineStats(res.estimates!, truth).mean;
    const ls = cosineStats(leastSquaresAttack(selectRows(X, few), selectRows(C, few), selectRows(C, targets)), truth).mean;
    expect(structured).toBeGreaterThan(ls + 0.05);
  });

  it('finds no structure in a uniformly random rotation', () => {
    const s = rotationScheme({ dimension: d, metric: 'euclid', beta: 2, seed: 3 });
    const C = fromVectors(s.encryptRecords(x));
    const res = structuredAttack(selectRows(X, known), selectRows(C, known), selectRows(C, targets));
    expect(res.found).toBe(false);
    expect(res.estimates).toBeNull();
    expect(res.heldOutRatio).toBeGreaterThan(1);
  });

  it('rejects mismatched shapes and too few pairs', () => {
    const m: Mat = { rows: 3, cols: d, data: new Float64Array(3 * d) };
    expect(() => structuredAttack(m, m, m)).toThrow(RangeError);
    expect(() => structuredAttack(selectRows(X, known), { rows: 96, cols: 3, data: new Float64Array(288) }, m)).toThrow(RangeError);
  });
});

describe('building blocks', () => {
  it('public transforms are orthogonal involutions (applying one twice is the identity)', () => {
    for (const d of [16, 24]) {
      const c = fromVectors(data(3, d, 5));
      for (const t of candidateTransforms(d)) {
        const back = applyTransform(t, applyTransform(t, c));
        for (let i = 0; i < c.data.length; i++) expect(back.data[i]).toBeCloseTo(c.data[i] as number, 12);
      }
    }
  });

  it('the box-constrained fit equals least squares inside the box and respects the box', () => {
    const rng = createRng(9);
    const X: Mat = { rows: 40, cols: 5, data: Float64Array.from({ length: 200 }, () => rng.gaussian()) };
    const W: Mat = { rows: 5, cols: 2, data: Float64Array.of(0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0, 0.15, -0.3, 0.25) };
    const Y = { rows: 40, cols: 2, data: new Float64Array(80) };
    for (let i = 0; i < 40; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 5; k++) Y.data[i * 2 + j]! += X.data[i * 5 + k]! * W.data[k * 2 + j]!;
    const free = boxLeastSquares(X, Y, 1, 100);
    for (let i = 0; i < 10; i++) expect(free.data[i]).toBeCloseTo(W.data[i]!, 6);
    const boxed = boxLeastSquares(X, Y, 0.2, 300);
    for (const v of boxed.data) expect(Math.abs(v)).toBeLessThanOrEqual(0.2 + 1e-12);
  });
});
