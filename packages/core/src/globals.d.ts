// The core compiles with `"types": []` so no Node globals leak in. These are the few Web APIs
// it uses, available in Node >= 20, Deno, Bun and browsers.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
