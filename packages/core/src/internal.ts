/**
 * Internal building blocks, exported for the benchmarks and attack code only (not a stable API):
 * the mix, the noise sampler and the PRF stream, so they can be timed and studied in isolation.
 */
export { createMix, applyMixReference, invertMixReference, MIX_ROUNDS, type Mix } from './vector/mix.js';
export { applyMix, invertMix, fastMix, type FastMix } from './vector/mix-fast.js';
export { wasmMix, wasmMixAvailable, wasmMixMemory, setMixBackend, getMixBackend, type MixBackend, type MixTransform } from './vector/mix-wasm.js';
/** The WebAssembly assembler and runtime helpers, shared with the local backend's scoring kernel. */
export * as wasmAsm from './wasm/assembler.js';
export { compileModule, wasmApi, WASM_PAGE, type WasmApi, type WasmMemory, type WasmModule } from './wasm/runtime.js';
export { createMix as createMixV1, applyMix as applyMixV1, invertMix as invertMixV1, type Mix as MixV1 } from './vector/mix-v1.js';
export { vectorKeySecret } from './keys/vector-key.js';
export { queryGrid } from './vector/cipher.js';
export { sampleBall } from './vector/noise.js';
export { prfBytes } from './vector/prf.js';
export { deriveKey, expanderFrom, LABELS } from './kdf.js';
/** The primitives this runtime selected (native on Node, portable elsewhere), and the portable ones. */
export { primitives } from '#primitives';
export { primitives as portablePrimitives } from './primitives/portable.js';
export type { Primitives, Ed25519Signer, Ed25519Verifier, KeyedHmac } from './primitives/api.js';
/** Record bindings and subkeys: for attack tests that play a reader who forges with a data key. */
export { recordKeys, payloadAad, exactVectorAad, blindIndexDigest, tokensDigest } from './record/binding.js';
export { recordDigest } from './record/signature.js';
export { unwrapDataKey } from './header/wrap.js';
