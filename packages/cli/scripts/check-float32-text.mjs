#!/usr/bin/env node
/**
 * Exhaustive check of the sealed-file float32 writer (src/output/float32-text.ts): formats every
 * finite positive float32 bit pattern (2^31 - 2^23 of them; a negative value is written as "-"
 * followed by its magnitude's text, which the unit tests check), parses the text back with
 * JSON.parse as a reader does, and asserts Math.fround gives the same bits. A few minutes of one
 * core; not part of `pnpm test` (the SLOW=1 unit test runs a structured sample of every binade).
 *
 *   pnpm -F @sealvec/cli build && node packages/cli/scripts/check-float32-text.mjs [--from HEX] [--to HEX]
 */
const { FLOAT32_MAX_CHARS, putFloat32s } = await import(new URL('../dist/output/float32-text.js', import.meta.url).href);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number.parseInt(args[i + 1], 16) : dflt;
};
const from = opt('from', 0);
// Exponent field 255 (NaN, infinity) starts at 0x7f800000.
const to = Math.min(opt('to', 0x7f800000), 0x7f800000);
const BLOCK = 1 << 20;
const bits = new Uint32Array(BLOCK);
const values = new Float32Array(bits.buffer);
const back32 = new Float32Array(1);
const back = new Uint32Array(back32.buffer);
const buf = new Uint8Array(BLOCK * (FLOAT32_MAX_CHARS + 1) + 2);
const started = performance.now();
let checked = 0;
let bad = 0;
for (let start = from; start < to; start += BLOCK) {
  const n = Math.min(BLOCK, to - start);
  for (let i = 0; i < n; i++) bits[i] = start + i;
  buf[0] = 0x5b;
  let end = putFloat32s(buf, 1, values.subarray(0, n));
  buf[end++] = 0x5d;
  const parsed = JSON.parse(Buffer.from(buf.buffer, 0, end).toString('latin1'));
  for (let i = 0; i < n; i++) {
    back32[0] = parsed[i];
    if (back[0] !== bits[i]) {
      if (bad++ < 20) process.stderr.write(`mismatch: 0x${bits[i].toString(16).padStart(8, '0')} -> ${parsed[i]}\n`);
    }
  }
  checked += n;
  if ((start / BLOCK) % 128 === 0) {
    process.stderr.write(`0x${start.toString(16).padStart(8, '0')}: ${checked.toLocaleString('en-US')} checked, ${bad} bad, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
}
process.stdout.write(`${checked.toLocaleString('en-US')} float32 patterns in [0x${from.toString(16)}, 0x${to.toString(16)}) checked, ${bad} did not round-trip\n`);
process.exitCode = bad === 0 ? 0 : 1;
