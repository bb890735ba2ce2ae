/**
 * The real cipher from @sealvec/core. The key, data keys and nonces come from a seed so that a
 * benchmark run is reproducible; nothing else differs from production use (same encryptBatch,
 * same per-record noise from the record's data key).
 */
import { createVectorCipher, type Metric, type VectorCipher, vectorKeyFromSecret } from '@sealvec/core';
import { type Mat, mul, transpose, zeros } from '../linalg/matrix.js';
import { createRng, type Rng } from '../rng.js';
import type { Scheme } from './scheme.js';

const BATCH = 1024;

export function seededBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

export interface SealvecSchemeOptions {
  readonly dimension: number;
  readonly metric: Metric;
  /** Absolute beta (in the units of the cipher's input, unit vectors for cosine). */
  readonly beta: number;
  readonly maxNorm?: number;
  readonly seed: number;
  /** Cipher format (default 2; 1 shows the v1 mix the structured attack breaks). */
  readonly version?: 1 | 2;
}

export function sealvecScheme(opts: SealvecSchemeOptions): Scheme {
  const keyRng = createRng(opts.seed);
  const key = vectorKeyFromSecret(seededBytes(keyRng, 32));
  const params = {
    dimension: opts.dimension,
    metric: opts.metric,
    beta: opts.beta,
    ...(opts.maxNorm !== undefined ? { maxNorm: opts.maxNorm } : {}),
    ...(opts.version !== undefined ? { version: opts.version } : {}),
  };
  const cipher = createVectorCipher(key, params);
  // Data keys and nonces: a separate stream so that records differ between calls.
  const recordRng = createRng(opts.seed ^ 0x5ea1ec);
  let counter = 0;
  return {
    name: opts.beta === 0 ? 'mix-no-noise' : opts.version === 1 ? 'sealvec-v1' : 'sealvec',
    storedDimension: cipher.storedDimension,
    encryptRecords(x) {
      const bindings = Array.from({ length: x.rows }, () => ({
        recordId: `r${counter++}`,
        dataKey: seededBytes(recordRng, 32),
        nonce: seededBytes(recordRng, 16),
      }));
      const D = cipher.storedDimension;
      const out = new Float32Array(x.rows * D);
      // Batches of at most BATCH rows: encryptBatch draws all nonces in one randomBytes call,
      // which Web Crypto caps at 65,536 bytes (4,096 nonces).
      for (let start = 0; start < x.rows; start += BATCH) {
        const n = Math.min(BATCH, x.rows - start);
        const cts = cipher.encryptBatch(x.data.subarray(start * x.dim, (start + n) * x.dim), n, bindings.slice(start, start + n));
        cts.forEach((ct, i) => out.set(ct.vector, (start + i) * D));
      }
      return { rows: x.rows, dim: D, data: out };
    },
    encryptQueries(q) {
      return { rows: q.rows, dim: cipher.storedDimension, data: cipher.encryptQueries(q.data, q.rows) };
    },
    keyHolderInverse() {
      return keyHolderInverse(createVectorCipher(key, { ...params, beta: 0 }));
    },
  };
}

/**
 * The searcher can encrypt queries, so it can encrypt the basis vectors with noise switched off
 * and read off A = s R (row i = s R e_i); x = c A^T / s^2 then inverts mix and scale exactly.
 * Not possible for dot (its extra coordinate is never a query input).
 */
function keyHolderInverse(noiseless: VectorCipher): ((c: Mat) => Mat) | null {
  if (noiseless.metric === 'dot') return null;
  const d = noiseless.dimension;
  const a = zeros(d, d);
  const e = new Float32Array(d);
  // The keyed offset o (format v2): c(e) = s R e + o and c(-e) = -s R e + o, so o is their mean.
  e[0] = 1;
  const plus = noiseless.encryptQuery(e);
  e[0] = -1;
  const minus = noiseless.encryptQuery(e);
  const o = Float32Array.from(plus, (v, i) => (v + minus[i]!) / 2);
  for (let i = 0; i < d; i++) {
    e.fill(0);
    e[i] = 1;
    const c = noiseless.encryptQuery(e);
    for (let j = 0; j < d; j++) a.data[i * d + j] = c[j]! - o[j]!;
  }
  const at = transpose(a);
  const s2 = noiseless.scale * noiseless.scale;
  for (let i = 0; i < at.data.length; i++) at.data[i]! /= s2;
  return (c: Mat) => {
    const centered = { rows: c.rows, cols: c.cols, data: Float64Array.from(c.data, (v, i) => v - o[i % c.cols]!) } as Mat;
    return mul(centered, at);
  };
}

export function plainCipherMetric(metric: 'l2' | 'angular' | 'ip'): Metric {
  return metric === 'angular' ? 'cosine' : metric === 'l2' ? 'euclid' : 'dot';
}

