/**
 * Test setup: `SEALVEC_MIX=js` runs the whole suite with the vector mix on its JavaScript
 * implementation (mix-fast.ts) instead of WebAssembly SIMD, e.g. `SEALVEC_MIX=js pnpm test`.
 * Both must pass with the same known-answer vectors. Unset, nothing is imported.
 */
if (process.env.SEALVEC_MIX === 'js') {
  const { setMixBackend } = await import('../packages/core/src/vector/mix-wasm.js');
  setMixBackend('js');
} else if (process.env.SEALVEC_MIX !== undefined && process.env.SEALVEC_MIX !== 'auto') {
  throw new Error(`SEALVEC_MIX expected 'js' or 'auto', got ${JSON.stringify(process.env.SEALVEC_MIX)}`);
}
