/**
 * The part of the WebAssembly JS API our kernels use. The core compiles with `"types": []` and
 * the ES2022 lib, which do not declare `WebAssembly` (a Web/JS global, present in Node, Deno,
 * Bun and browsers), so it is read from globalThis and may be absent (JIT-less engines).
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Adds `pages` pages of 64 KiB; throws a RangeError when the memory cannot grow. */
  grow(pages: number): number;
}

export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

export const WASM_PAGE = 65_536;

/** The WebAssembly API of this runtime, or undefined. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/**
 * Compiles `bytes`, or returns null where that is impossible: no WebAssembly, no SIMD (the module
 * fails validation), or an embedder that forbids compiling code at run time.
 */
export function compileModule(bytes: Uint8Array): WasmModule | null {
  const api = wasmApi();
  if (api === undefined) return null;
  try {
    return new api.Module(bytes);
  } catch {
    return null;
  }
}
