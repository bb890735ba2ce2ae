/**
 * Internal building blocks, exported for the benchmarks and attack code only (not a stable API):
 * the mix, the noise sampler and the PRF stream, so they can be timed and studied in isolation.
 */
export { applyMix, createMix, invertMix, MIX_ROUNDS, type Mix } from './vector/mix.js';
export { sampleBall } from './vector/noise.js';
export { prfBytes } from './vector/prf.js';
export { deriveKey, expanderFrom, LABELS } from './kdf.js';
/** The primitives this runtime selected (native on Node, portable elsewhere), and the portable ones. */
export { primitives } from '#primitives';
export { primitives as portablePrimitives } from './primitives/portable.js';
export type { Primitives, Ed25519Signer, Ed25519Verifier, KeyedHmac } from './primitives/api.js';
