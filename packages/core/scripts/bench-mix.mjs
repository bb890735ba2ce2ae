// The v2 mix on its two implementations (mix-fast.ts in JavaScript, mix-wasm.ts on WebAssembly
// SIMD) and what it means for a whole encryption, from the built package:
//   pnpm -F @sealvec/core build && node packages/core/scripts/bench-mix.mjs [--quick]
// Prints a table; writes nothing. One thread. Before anything is timed, both implementations are
// checked to give the same bits. On a shared machine the fastest of several runs is the best
// estimate of undisturbed speed; the median run is printed beside it.
import os from 'node:os';
import { createVectorCipher, generateVectorKey } from '../dist/index.js';
import { applyMix, createMix, fastMix, invertMix, sampleBall, setMixBackend, wasmMix, wasmMixAvailable } from '../dist/internal.js';

const quick = process.argv.includes('--quick');
const DIMS = [384, 768, 1536, 3072];
const RUNS = quick ? 30 : 400;
/**
 * Each run is short (about RUN_US µs) and the operations take turns run by run: on a machine
 * shared with other processes a short run is likelier to go uninterrupted, a burst of load hits
 * every operation alike, and the fastest run of each is the best estimate of its speed.
 */
const RUN_US = 500;

/** { name: fn } -> { name: { best, median } } in µs per call. */
function timeAll(fns) {
  const entries = Object.entries(fns).map(([name, fn]) => {
    // warm up (the engines tier up) and size the runs
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 50) {
      fn();
      n++;
    }
    return { name, fn, perRun: Math.max(1, Math.round((RUN_US * n) / 50_000)), runs: [] };
  });
  for (let r = 0; r < RUNS; r++) {
    for (const e of entries) {
      const t = performance.now();
      for (let i = 0; i < e.perRun; i++) e.fn();
      e.runs.push(((performance.now() - t) * 1000) / e.perRun);
    }
  }
  return Object.fromEntries(
    entries.map((e) => {
      e.runs.sort((a, b) => a - b);
      return [e.name, { best: e.runs[0], median: e.runs[Math.floor(e.runs.length / 2)] }];
    }),
  );
}

const fmt = (t) => `${t.best.toFixed(2)} (${t.median.toFixed(2)})`;
const ratio = (a, b) => `${(a.best / b.best).toFixed(1)}x`;

if (!wasmMixAvailable()) {
  console.log('WebAssembly SIMD is not available in this runtime: the cipher uses the JavaScript mix only.');
  process.exit(0);
}

console.log(`# mix and encryption, µs per vector: best run (median run); ${RUNS} runs`);
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('');
console.log('| d | mix JS | mix WASM | speed-up | inverse JS | inverse WASM | speed-up | noise (sampleBall) | encrypt, JS mix | encrypt, WASM mix | speed-up |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');

const key = generateVectorKey();
for (const d of DIMS) {
  const m = fastMix(createMix(new Uint8Array(32).fill(d & 255), d));
  const w = wasmMix(m);
  const x = Float64Array.from({ length: d }, (_, i) => Math.sin(i * 0.7 + 0.2));
  const a = new Float64Array(d);
  const b = new Float64Array(d);
  const tmp = new Float64Array(d);
  applyMix(m, x, a, tmp);
  w.apply(x, b);
  for (let i = 0; i < d; i++) if (!Object.is(a[i], b[i])) throw new Error(`d=${d}: the two mixes differ at coordinate ${i}`);

  const seed = new Uint8Array(32).fill(1);
  const params = { dimension: d, metric: 'cosine', beta: 0.5, collection: 'bench' };
  setMixBackend('js');
  const cJs = createVectorCipher(key, params);
  setMixBackend('auto');
  const cWasm = createVectorCipher(key, params);
  const v = Float32Array.from(x);
  const binding = { recordId: 'r', dataKey: new Uint8Array(32).fill(2), nonce: new Uint8Array(16).fill(3) };
  const ctJs = cJs.encrypt(v, binding);
  const ctWasm = cWasm.encrypt(v, binding);
  if (Buffer.compare(Buffer.from(ctJs.tag), Buffer.from(ctWasm.tag)) !== 0) throw new Error(`d=${d}: the ciphertexts differ`);
  const t = timeAll({
    fwdJs: () => applyMix(m, x, a, tmp),
    fwdWasm: () => w.apply(x, b),
    invJs: () => invertMix(m, x, a, tmp),
    invWasm: () => w.invert(x, b),
    noise: () => sampleBall(seed, d, 0.1, a),
    encJs: () => cJs.encrypt(v, binding),
    encWasm: () => cWasm.encrypt(v, binding),
  });
  const { fwdJs, fwdWasm, invJs, invWasm, noise, encJs, encWasm } = t;

  console.log(
    `| ${d} | ${fmt(fwdJs)} | ${fmt(fwdWasm)} | ${ratio(fwdJs, fwdWasm)} | ${fmt(invJs)} | ${fmt(invWasm)} | ${ratio(invJs, invWasm)} | ${fmt(noise)} | ${fmt(encJs)} | ${fmt(encWasm)} | ${ratio(encJs, encWasm)} |`,
  );
}
