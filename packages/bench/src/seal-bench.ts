/**
 * Client-side cost of every record operation (issue #10's `bench:seal`), native and portable
 * primitives side by side in one run: encrypt, decrypt, query, seal, open (full, payload only,
 * vector only for re-rank), rewrap, decode of a stored point, and the floors measured in the
 * same run (a copy of the vector, the native ChaCha20 keystream of one record's noise, the native
 * AEAD over one exact vector, Ed25519 sign and verify).
 *
 * The native figures are measured in this process (Node's `node` export condition picks
 * node:crypto); the portable ones in a child process started with
 * `--conditions=sealvec-portable` (the same switch a user has), so both use the same code above
 * the primitives layer. d = 1536 by default, cosine, 2-tuple policy, a 1 KiB JSON payload, a
 * user with 8 tuple keys: issue #10's setting.
 *
 *   pnpm bench:seal                    # writes benchmarks/results/seal.{md,json}
 *   pnpm bench:seal --quick            # smoke run, writes benchmarks/results/quick/
 *   node packages/bench/dist/seal-bench.js --dims 384,1536 --out DIR
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createOpener,
  createRewrapper,
  createSealer,
  createVectorCipher,
  createWriterKey,
  decodeStoredCandidate,
  decodeStoredPoint,
  encodeStoredPayload,
  generateAuthority,
  generateVectorKey,
  issueUserKey,
  rotateEpoch,
  type SealedRecord,
} from '@sealvec/core';
import { primitives } from '@sealvec/core/internal';
import { createRng } from './rng.js';

export const PAYLOAD_BYTES = 1024;

export interface SealBenchRow {
  readonly op: string;
  readonly dimension: number;
  /** Operations per second, fastest of the runs (the best estimate of undisturbed speed). */
  readonly perSec: number;
  readonly usEach: number;
  /** Median run, for the spread. */
  readonly medianPerSec: number;
}

export interface SealBenchResult {
  readonly implementation: 'node' | 'portable';
  readonly rows: SealBenchRow[];
}

interface Options {
  readonly dims: readonly number[];
  readonly minMs: number;
  readonly runs: number;
}

const FULL: Options = { dims: [384, 768, 1536, 3072], minMs: 400, runs: 7 };
const QUICK: Options = { dims: [1536], minMs: 60, runs: 2 };

/** ops/s of `fn(i)` in batches of 8 until minMs elapsed, per run: best and median over runs. */
function rate(fn: (i: number) => void, o: Options): { perSec: number; medianPerSec: number } {
  for (let i = 0; i < 64; i++) fn(i); // warm the JIT
  const runs: number[] = [];
  let i = 0;
  for (let r = 0; r < o.runs; r++) {
    let ops = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < o.minMs) {
      for (let k = 0; k < 8; k++) fn(i++);
      ops += 8;
      t = performance.now();
    }
    runs.push((ops * 1000) / (t - t0));
  }
  runs.sort((a, b) => b - a);
  return { perSec: runs[0] as number, medianPerSec: runs[Math.floor(runs.length / 2)] as number };
}

function payloadOf(i: number): { title: string; status: string; body: string } {
  const base = { title: `Document ${i}`, status: i % 3 === 0 ? 'open' : 'closed', body: '' };
  const room = PAYLOAD_BYTES - JSON.stringify(base).length;
  return { ...base, body: 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(room / 28)).slice(0, room) };
}

/** Every measurement for one dimension, under whatever primitives this process selected. */
function measureDimension(d: number, o: Options): SealBenchRow[] {
  const rows: SealBenchRow[] = [];
  const add = (op: string, fn: (i: number) => void) => {
    const r = rate(fn, o);
    rows.push({ op, dimension: d, perSec: r.perSec, usEach: 1e6 / r.perSec, medianPerSec: r.medianPerSec });
  };
  const rng = createRng(20261130 + d);
  const N = 256;
  const vectors = Array.from({ length: N }, () => Float32Array.from({ length: d }, () => rng.gaussian()));
  const authority = generateAuthority();
  const writer = createWriterKey(authority);
  const collection = 'bench';
  const cipher = createVectorCipher(generateVectorKey(), { dimension: d, metric: 'cosine', beta: 1, collection });
  const sealer = createSealer({ writer, cipher, collection, blindIndex: ['status'] });
  const opener = createOpener({ cipher, collection });
  const policy = { role: ['r0', 'r1'] };
  const user = issueUserKey(authority, { role: ['r0'], group: ['g0'], department: ['d0'] }); // 8 tuple keys

  const records: SealedRecord[] = vectors.map((v, i) => sealer.seal({ id: `doc-${i}`, vector: v, payload: payloadOf(i), policy }));
  // Cross-check before timing: what is timed must be what is correct.
  const back = opener.open(records[0] as SealedRecord, user);
  if (!back.vector || back.vector.some((x, j) => x !== (vectors[0] as Float32Array)[j])) throw new Error('open did not return the exact vector');
  const stored = records.map((r) => ({ payload: encodeStoredPayload(r), vector: Array.from(r.vector) }));
  const candidates = stored.map((s) => decodeStoredCandidate(s.payload));
  const cv = opener.candidateVector(candidates[0]!, user);
  if (!cv || cv.some((x, j) => x !== (vectors[0] as Float32Array)[j])) throw new Error('candidateVector did not return the exact vector');
  const dataKeys = records.map(() => primitives.randomBytes(32));
  const cts = vectors.map((v, i) => cipher.encrypt(v, { recordId: `r${i}`, dataKey: dataKeys[i] as Uint8Array }));

  // Floors: what no implementation of this format can beat on this machine.
  const src = vectors[0] as Float32Array;
  const dst = new Float32Array(d);
  add('floor: copy of the vector (float32)', () => dst.set(src));
  const key = primitives.randomBytes(32);
  const nonce12 = new Uint8Array(12);
  const noiseBytes = 4 * (d + 128); // the noise draws of one record: d Gaussians + the radius, with rejection slack
  add('floor: ChaCha20 keystream of one record\'s noise', (i) => {
    nonce12[0] = i & 255;
    primitives.chacha20Keystream(key, nonce12, noiseBytes);
  });
  const exactBytes = new Uint8Array(4 * d + 1);
  add('floor: AEAD (XChaCha20-Poly1305) of one exact vector', () => primitives.xchacha20poly1305Seal(key, new Uint8Array(24), exactBytes));
  const signer = primitives.ed25519Signer(key);
  const msg = primitives.randomBytes(32);
  const sig = signer.sign(msg);
  const verifier = primitives.ed25519Verifier(signer.publicKey);
  add('floor: Ed25519 sign (32-byte digest)', () => signer.sign(msg));
  add('floor: Ed25519 verify (32-byte digest)', () => {
    if (!verifier.verify(msg, sig)) throw new Error('verify failed');
  });

  add('encrypt (vector cipher)', (i) => cipher.encrypt(vectors[i % N] as Float32Array, { recordId: `r${i % N}`, dataKey: dataKeys[i % N] as Uint8Array }));
  add('decrypt (vector cipher, tag checked)', (i) => cipher.decrypt(cts[i % N]!, { recordId: `r${i % N}`, dataKey: dataKeys[i % N] as Uint8Array }));
  add('query (encryptQuery)', (i) => cipher.encryptQuery(vectors[i % N] as Float32Array));
  add('seal (2 tuples, 1 KiB payload, signed)', (i) => sealer.seal({ id: `doc-${i % N}`, vector: vectors[i % N] as Float32Array, payload: payloadOf(i % N), policy }));
  add('open, full (signature, payload, exact vector)', (i) => opener.open(records[i % N] as SealedRecord, user));
  add('open, payload only (signature, payload)', (i) => opener.open(records[i % N] as SealedRecord, user, { vector: false }));
  add('open, vector only (re-rank candidate)', (i) => {
    if (opener.candidateVector(candidates[i % N]!, user) === null) throw new Error('candidate did not open');
  });
  add('decode stored point (full record)', (i) => decodeStoredPoint(stored[i % N]!.payload, stored[i % N]!.vector, { storedDimension: d }));
  add('decode stored candidate (lean fields)', (i) => decodeStoredCandidate(stored[i % N]!.payload));
  const next = rotateEpoch(authority);
  const rewrapper = createRewrapper({ from: writer, to: createWriterKey(next), collection });
  add('rewrap record (2 tuples)', (i) => rewrapper.rewrap(records[i % N] as SealedRecord));
  return rows;
}

export function runSealBench(o: Options): SealBenchResult {
  const rows: SealBenchRow[] = [];
  for (const d of o.dims) rows.push(...measureDimension(d, o));
  return { implementation: primitives.name, rows };
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

export function renderSealReport(native: SealBenchResult, portable: SealBenchResult, meta: { quick: boolean; date: string; argv: string }): string {
  const lines: string[] = [];
  const dims = [...new Set(native.rows.map((r) => r.dimension))];
  lines.push('# Record operations: native and portable primitives', '');
  lines.push(`Generated by \`${meta.argv}\` on ${meta.date}${meta.quick ? ' (--quick: smoke figures, not for comparison)' : ''}.`, '');
  lines.push(`- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} logical cores, Node ${process.version}, ${process.platform} ${process.arch}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(', ')}.`);
  lines.push('- One thread. Cosine, beta 1.0, 2-tuple policy, 1 KiB JSON payload with one blind-indexed field, pre-filter tokens on, a user key with 8 tuple keys that opens every record.');
  lines.push('- "native": node:crypto (the default on Node). "portable": @noble (browsers, bundlers; forced on Node with `--conditions=sealvec-portable`), measured in a child process of the same run.');
  lines.push('- Each figure: operations per second of the fastest of several timed runs (the median run in brackets).', '');
  for (const d of dims) {
    lines.push(`## d = ${d}`, '', '| operation | native /s | µs | portable /s | µs | native / portable |', '|---|---:|---:|---:|---:|---:|');
    for (const r of native.rows.filter((x) => x.dimension === d)) {
      const p = portable.rows.find((x) => x.dimension === d && x.op === r.op);
      const pcell = p ? `${fmt(p.perSec)} (${fmt(p.medianPerSec)}) | ${p.usEach.toFixed(1)}` : '- | -';
      const ratio = p ? `${(r.perSec / p.perSec).toFixed(2)}x` : '-';
      lines.push(`| ${r.op} | ${fmt(r.perSec)} (${fmt(r.medianPerSec)}) | ${r.usEach.toFixed(1)} | ${pcell} | ${ratio} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function parseArgs(argv: readonly string[]): { o: Options; quick: boolean; out: string; child: boolean } {
  const quick = argv.includes('--quick');
  let o: Options = quick ? QUICK : FULL;
  const here = dirname(fileURLToPath(import.meta.url));
  let out = resolve(here, '../../../benchmarks/results', quick ? 'quick' : '');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dims') o = { ...o, dims: String(argv[++i]).split(',').map(Number) };
    else if (a === '--out') out = resolve(String(argv[++i]));
    else if (a !== '--quick' && a !== '--child') throw new Error(`unknown argument ${String(a)}`);
  }
  if (o.dims.some((d) => !Number.isInteger(d) || d < 2)) throw new Error('--dims expects integers >= 2');
  return { o, quick, out, child: argv.includes('--child') };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { o, quick, out, child } = parseArgs(argv);
  if (child) {
    process.stdout.write(JSON.stringify(runSealBench(o)));
    return;
  }
  if (primitives.name !== 'node') throw new Error('run the parent on Node without --conditions=sealvec-portable (it starts the portable child itself)');
  const native = runSealBench(o);
  const json = execFileSync(process.execPath, ['--conditions=sealvec-portable', fileURLToPath(import.meta.url), ...argv, '--child'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const portable = JSON.parse(json) as SealBenchResult;
  if (portable.implementation !== 'portable') throw new Error('the child did not select the portable primitives');
  const date = new Date().toISOString().slice(0, 10);
  const md = renderSealReport(native, portable, { quick, date, argv: `pnpm bench:seal${argv.length ? ` ${argv.join(' ')}` : ''}` });
  mkdirSync(out, { recursive: true });
  writeFileSync(resolve(out, 'seal.md'), md + '\n');
  writeFileSync(resolve(out, 'seal.json'), JSON.stringify({ date, native, portable }, null, 1) + '\n');
  process.stdout.write(md + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:seal: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
