/**
 * The scale-and-perturb noise: lambda uniform in the d-ball of radius `radius`.
 * Radius: radius * u^(1/d); direction: d standard Gaussians, normalized. Both come from one
 * keyed stream (the radius words first, then the Gaussians), so the same seed regenerates the
 * same lambda exactly: that is how an authorized reader inverts the encryption.
 */
import { fillGaussian } from './gaussian.js';
import { prfWords, wordSource } from './prf.js';

const INV_2_53 = 1 / 2 ** 53;

/** Writes lambda (length d) into `out` from a 32-byte seed and returns `out`. */
export function sampleBall(seed: Uint8Array, d: number, radius: number, out: Float64Array): Float64Array {
  // d words cover the Gaussians on the fast path; the ~1.2% slow-path draws and the radius need a
  // little more. The words come in one keystream call and are read by index; the rare draw past
  // them continues the same stream (wordSource from where the first block ends), so the result is
  // exactly the stream's words in order either way.
  const n = Math.ceil((d + (d >>> 4) + 32) / 16) * 16;
  const words = prfWords(seed, n);
  let k = 0;
  let more: (() => number) | undefined;
  const next = (): number => {
    if (k < n) return words[k++]!;
    more ??= wordSource(seed, 1024, n / 16);
    return more();
  };
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
