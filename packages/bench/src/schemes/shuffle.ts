/**
 * Baseline: a keyed dimension shuffle with the same noise as the cipher (lambda uniform in the
 * ball of radius beta/4, scale 1). It preserves distances exactly as the real cipher does, so
 * recall is identical; it exists to show what the orthogonal mix adds against attacks that
 * look at single coordinates. Bench-only: seeded PRNG, not a cryptographic construction.
 */
import type { Metric } from '@sealvec/core';
import { normalizeRows, type VectorSet } from '../datasets/vectors.js';
import { type Mat, zeros } from '../linalg/matrix.js';
import { ballPoint, createRng, permutation } from '../rng.js';
import type { Scheme } from './scheme.js';

export function shuffleScheme(opts: { dimension: number; metric: Metric; beta: number; seed: number }): Scheme {
  if (opts.metric === 'dot') throw new RangeError('"metric" dot is not supported by the shuffle baseline');
  const d = opts.dimension;
  const rng = createRng(opts.seed);
  const perm = permutation(rng, d);
  const radius = opts.beta / 4;
  const noise = new Float64Array(d);
  const encrypt = (x: VectorSet): VectorSet => {
    if (x.dim !== d) throw new RangeError(`"x" expected dimension ${d}, got ${x.dim}`);
    const src = opts.metric === 'cosine' ? normalizeRows(x) : x;
    const out = new Float32Array(src.data.length);
    for (let i = 0; i < src.rows; i++) {
      ballPoint(rng, radius, noise);
      for (let j = 0; j < d; j++) out[i * d + j] = (src.data[i * d + (perm[j] as number)] as number) + (noise[j] as number);
    }
    return { rows: src.rows, dim: d, data: out };
  };
  return {
    name: 'shuffle',
    storedDimension: d,
    encryptRecords: encrypt,
    encryptQueries: encrypt,
    keyHolderInverse() {
      return (c: Mat) => {
        const out = zeros(c.rows, d);
        for (let i = 0; i < c.rows; i++) for (let j = 0; j < d; j++) out.data[i * d + (perm[j] as number)] = c.data[i * d + j] as number;
        return out;
      };
    },
  };
}
