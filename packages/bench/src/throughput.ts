/**
 * Cipher throughput at d = 384, 768, 1536, 3072, single thread, next to baselines measured in the
 * same run: a plain Float32Array copy, the noise PRF stream alone (ChaCha20 keystream of the
 * size one record's noise draws), and a dense d x d rotation (matrix-vector product with R
 * materialized). Every baseline is cross-validated against the real code before it is timed.
 *
 *   pnpm bench:cipher            # writes benchmarks/results/throughput.{md,json}
 *   node packages/bench/dist/throughput.js --quick
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVectorCipher, generateVectorKey, randomBytes, type VectorBinding } from '@sealvec/core';
import { applyMix, createMix, fastMix, prfBytes } from '@sealvec/core/internal';

export interface ThroughputRow {
  dimension: number;
  encryptPerSec: number;
  decryptPerSec: number;
  queryPerSec: number;
  mixPerSec: number;
  copyPerSec: number;
  prfPerSec: number;
  densePerSec: number;
  /** mixPerSec / densePerSec */
  mixSpeedup: number;
}

export interface ThroughputOptions {
  dimensions?: number[];
  /** Minimum wall time per measurement, ms. */
  minMs?: number;
  quick?: boolean;
}

/** Runs `fn(i)` for batches until minMs elapsed; returns operations per second (best of 3 runs). */
function rate(fn: (i: number) => void, minMs: number): number {
  let best = 0;
  for (let run = 0; run < 3; run++) {
    let ops = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minMs) {
      for (let k = 0; k < 16; k++) fn(ops++);
      t = performance.now();
    }
    best = Math.max(best, (ops * 1000) / (t - t0));
  }
  return best;
}

function denseRotation(d: number, seed: Uint8Array): Float64Array {
  // Materialize R column by column from the fast path (R e_j), stored row-major.
  const mix = fastMix(createMix(seed, d));
  const m = new Float64Array(d * d);
  const e = new Float64Array(d);
  const tmp = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    applyMix(mix, e, e, tmp);
    for (let i = 0; i < d; i++) m[i * d + j] = e[i]!;
  }
  return m;
}

function denseApply(m: Float64Array, d: number, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += m[row + j]! * x[j]!;
    out[i] = s;
  }
}

export function measureThroughput(options: ThroughputOptions = {}): ThroughputRow[] {
  const dims = options.dimensions ?? [384, 768, 1536, 3072];
  const minMs = options.minMs ?? (options.quick ? 150 : 700);
  const rows: ThroughputRow[] = [];
  for (const d of dims) {
    const key = generateVectorKey();
    const cipher = createVectorCipher(key, { dimension: d, metric: 'cosine', beta: 1 });
    const n = 256;
    const data = new Float32Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.618) + Math.cos(i * 0.001);
    const bindings: VectorBinding[] = Array.from({ length: n }, (_, i) => ({ recordId: `r${i}`, dataKey: randomBytes(32) }));

    // Encrypt in batches of n (the batch API is what ingest uses).
    let cts = cipher.encryptBatch(data, n, bindings);
    const encBatches = rate(() => {
      cts = cipher.encryptBatch(data, n, bindings);
    }, minMs);
    // Validate before timing decrypt: every record must round-trip.
    for (let i = 0; i < n; i++) {
      const back = cipher.decrypt(cts[i]!, bindings[i]!);
      const x = data.subarray(i * d, (i + 1) * d);
      let nx = 0;
      for (const v of x) nx += v * v;
      nx = Math.sqrt(nx);
      let err = 0;
      for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(back[j]! - x[j]! / nx));
      if (err > 1e-5) throw new Error(`round trip failed at d=${d}, row ${i}: max error ${err}`);
    }
    const decryptPerSec = rate((i) => {
      const k = i % n;
      cipher.decrypt(cts[k]!, bindings[k]!);
    }, minMs);
    const queryPerSec = rate((i) => {
      const k = i % n;
      cipher.encryptQuery(data.subarray(k * d, (k + 1) * d));
    }, minMs);

    const seed = randomBytes(32);
    const mix = fastMix(createMix(seed, d));
    const x = Float64Array.from(data.subarray(0, d));
    const y = new Float64Array(d);
    const tmp = new Float64Array(d);
    const mixPerSec = rate(() => applyMix(mix, x, y, tmp), minMs);

    const src = data.subarray(0, d);
    let sink = 0;
    const copyPerSec = rate(() => {
      const c = Float32Array.from(src);
      sink += c[0]!;
    }, minMs);
    // The PRF baseline draws as many keystream bytes as one record's noise: ~d + d/16 + 32 words.
    const prfLen = 4 * (d + (d >>> 4) + 32);
    const prfPerSec = rate(() => {
      sink += prfBytes(seed, prfLen)[0]!;
    }, minMs);

    const dense = denseRotation(d, seed);
    const fast = new Float64Array(d);
    applyMix(mix, x, fast, tmp);
    denseApply(dense, d, x, y);
    for (let i = 0; i < d; i++) {
      if (Math.abs(fast[i]! - y[i]!) > 1e-9) throw new Error(`dense baseline disagrees with the mix at d=${d}, coordinate ${i}`);
    }
    const densePerSec = rate(() => denseApply(dense, d, x, y), Math.max(minMs, 300));
    if (sink === 0.5) console.log(''); // keep the baselines' work observable to the optimizer

    rows.push({
      dimension: d,
      encryptPerSec: encBatches * n,
      decryptPerSec,
      queryPerSec,
      mixPerSec,
      copyPerSec,
      prfPerSec,
      densePerSec,
      mixSpeedup: mixPerSec / densePerSec,
    });
  }
  return rows;
}

const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));

export function throughputMarkdown(rows: ThroughputRow[]): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Vector cipher throughput',
    '',
    `Single thread, ${cpu}, ${cpus().length} cores, Node ${process.version}, load average at start ${loadavg()[0]!.toFixed(2)}.`,
    'Vectors per second (higher is better). Encrypt uses the batch API (256 rows per call) with fresh',
    'random data keys per record; decrypt verifies the tag and inverts; query encryption is',
    'deterministic per query. Baselines from the same run: a plain Float32Array copy, the noise PRF',
    'stream alone (ChaCha20 keystream, one record\'s worth), and a dense d x d rotation (R',
    'materialized, checked equal to the fast mix before timing). The mix columns time the mix\'s',
    'JavaScript implementation; the cipher itself runs the WebAssembly SIMD one where available',
    '(5 to 6x faster; `node packages/core/scripts/bench-mix.mjs` times both).',
    '',
    '| d | encrypt/s | decrypt/s | query/s | JS mix/s | dense rotation/s | JS mix speedup | PRF stream/s | copy/s |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.dimension} | ${fmt(r.encryptPerSec)} | ${fmt(r.decryptPerSec)} | ${fmt(r.queryPerSec)} | ${fmt(r.mixPerSec)} | ${fmt(r.densePerSec)} | ${r.mixSpeedup.toFixed(1)}x | ${fmt(r.prfPerSec)} | ${fmt(r.copyPerSec)} |`,
    ),
    '',
    'Rerun: `pnpm bench:cipher` (about a minute; `--quick` for a smoke run).',
    '',
  ];
  return lines.join('\n');
}

export function writeThroughputResults(rows: ThroughputRow[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'throughput.md'), throughputMarkdown(rows));
  writeFileSync(
    resolve(dir, 'throughput.json'),
    JSON.stringify({ node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, date: new Date().toISOString(), rows }, null, 2) + '\n',
  );
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const quick = process.argv.includes('--quick');
  const rows = measureThroughput({ quick });
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../benchmarks/results');
  console.log(throughputMarkdown(rows));
  if (!quick) writeThroughputResults(rows, out);
}
