/**
 * The scale-and-perturb noise: lambda uniform in the d-ball of radius `radius`.
 * Radius: radius * u^(1/d); direction: d standard Gaussians, normalized. Both come from one
 * keyed stream (the radius words first, then the Gaussians), so the same seed regenerates the
 * same lambda exactly: that is how an authorized reader inverts the encryption.
 */
import { fillGaussian } from './gaussian.js';
import { wordSource } from './prf.js';

const INV_2_53 = 1 / 2 ** 53;

/** Writes lambda (length d) into `out` from a 32-byte seed and returns `out`. */
export function sampleBall(seed: Uint8Array, d: number, radius: number, out: Float64Array): Float64Array {
  // d words cover the Gaussians on the fast path; the ~1.2% slow-path draws and the radius need a
  // little more. The source extends the same stream if ever needed.
  const next = wordSource(seed, d + (d >>> 4) + 32);
  const hi = next() >>> 5; // 27 bits
  const lo = next() >>> 6; // 26 bits
  const u = (hi * 67108864 + lo + 1) * INV_2_53; // in (0, 1]
  fillGaussian(next, out, d);
  let sumSq = 0;
  for (let i = 0; i < d; i++) sumSq += out[i]! * out[i]!;
  const f = sumSq > 0 ? (radius * Math.pow(u, 1 / d)) / Math.sqrt(sumSq) : 0;
  for (let i = 0; i < d; i++) out[i]! *= f;
  return out;
}
