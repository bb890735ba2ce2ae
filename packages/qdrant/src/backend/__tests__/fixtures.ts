/**
 * Deterministic test data and slow, obvious reference computations for the backend tests.
 * Kept out of the build (tsconfig.build.json excludes __tests__).
 */
import type { Distance, Payload, Point } from '../types.js';

/** mulberry32: a small seeded PRNG, so every run sees the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uuid(r: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16));
  h[12] = '4';
  h[16] = ((parseInt(h[16] as string, 16) & 3) | 8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Uniform in [-1, 1), stored as float32. */
export function vector(r: () => number, d: number): Float32Array {
  return Float32Array.from({ length: d }, () => r() * 2 - 1);
}

export function points(r: () => number, n: number, d: number, payload: (i: number) => Payload = (i) => ({ i })): Point[] {
  return Array.from({ length: n }, (_, i) => ({ id: uuid(r), vector: vector(r, d), payload: payload(i) }));
}

/** float64 score over float32 values: the distance for Euclid, the inner product for Dot. */
export function refScore(distance: Distance, a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    s += distance === 'Euclid' ? (x - y) * (x - y) : x * y;
  }
  return distance === 'Euclid' ? Math.sqrt(s) : s;
}

/** Brute-force top k, best first, ties by id. */
export function refTopK(distance: Distance, pts: readonly Point[], q: Float32Array, k: number): { id: string; score: number }[] {
  return pts
    .map((p) => ({ id: p.id, score: refScore(distance, p.vector, q) }))
    .sort((a, b) => (a.score === b.score ? (a.id < b.id ? -1 : 1) : distance === 'Euclid' ? a.score - b.score : b.score - a.score))
    .slice(0, k);
}

export function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort();
}
