/**
 * Client overhead of SealedCollection.search (issue #10's bench): the time search spends on the
 * client (query encryption, decoding, opening candidates, re-rank, payload decryption), with the
 * store's own search time taken out by a backend that answers instantly with precomputed
 * candidates (CannedBackend). k = 10 at 100 and 1,000 candidates (oversample x10 and x100), at
 * d = 384, 768, 1536 and 3072; p50 and p99 per query, and the bytes fetched per candidate.
 *
 * Vectors are seeded Gaussian (the cost does not depend on their values); every record is
 * readable by the searching user, so every candidate is opened, and carries a payload of
 * PAYLOAD_BYTES of text, about one document chunk.
 *
 *   pnpm bench:search                 # writes benchmarks/results/search.{md,json}
 *   pnpm bench:search --quick         # a smoke run, writes benchmarks/results/quick/
 *   pnpm bench:search --dims 1536 --candidates 40,100,400,1000 --queries 300 --out DIR
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset } from '@sealvec/core';
import { LocalBackend, SealedCollection } from '@sealvec/qdrant';
import { createRng } from './rng.js';
import { CannedBackend } from './search/canned-backend.js';

export const PAYLOAD_BYTES = 1024;
export const K = 10;

export interface SearchBenchOptions {
  readonly dims: readonly number[];
  readonly candidates: readonly number[];
  readonly queries: number;
  readonly warmup: number;
  readonly seed: number;
}

export const FULL: SearchBenchOptions = { dims: [384, 768, 1536, 3072], candidates: [100, 1000], queries: 300, warmup: 30, seed: 20251122 };
export const QUICK: SearchBenchOptions = { dims: [1536], candidates: [100, 1000], queries: 10, warmup: 3, seed: 20251122 };

export interface SearchRow {
  readonly dimension: number;
  readonly candidates: number;
  readonly oversample: number;
  readonly queries: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly meanMs: number;
  /** Backend time inside those searches (should be ~0: the canned backend). */
  readonly backendP50ms: number;
  /** Bytes the client fetched per candidate (payload JSON + float32 vectors), all calls included. */
  readonly bytesPerCandidate: number;
  readonly backendCallsPerQuery: number;
  readonly opened: number;
}

export interface SearchResults {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly loadAverage: number;
  readonly mode: 'full' | 'quick';
  readonly k: number;
  readonly payloadBytes: number;
  readonly rows: readonly SearchRow[];
  /** Per dimension: overhead ms ~ intercept + slope * candidates, fitted on the p50s. */
  readonly fits: readonly CostFit[];
}

export interface CostFit {
  readonly dimension: number;
  readonly interceptMs: number;
  readonly msPerCandidate: number;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (p / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * Least-squares line through (candidates, p50) per dimension: a fixed cost (query encryption,
 * the call) plus what one more candidate costs. A fixed cost cannot be negative; when noise
 * makes the fitted one so, the line is refitted through the origin.
 */
export function fitCosts(rows: readonly SearchRow[]): CostFit[] {
  const dims = [...new Set(rows.map((r) => r.dimension))].sort((a, b) => a - b);
  return dims.map((d) => {
    const pts = rows.filter((r) => r.dimension === d);
    const n = pts.length;
    const mx = pts.reduce((s, r) => s + r.candidates, 0) / n;
    const my = pts.reduce((s, r) => s + r.p50ms, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (const r of pts) {
      sxy += (r.candidates - mx) * (r.p50ms - my);
      sxx += (r.candidates - mx) ** 2;
    }
    const slope = sxx > 0 ? sxy / sxx : 0;
    const intercept = my - slope * mx;
    if (intercept >= 0 && sxx > 0) return { dimension: d, interceptMs: intercept, msPerCandidate: slope };
    let cy = 0;
    let cc = 0;
    for (const r of pts) {
      cy += r.candidates * r.p50ms;
      cc += r.candidates * r.candidates;
    }
    return { dimension: d, interceptMs: 0, msPerCandidate: cc > 0 ? cy / cc : 0 };
  });
}

/** Estimated client overhead (ms, p50) of re-ranking `candidates` at dimension d, from the fits. */
export function costAt(fits: readonly CostFit[], dimension: number, candidates: number): number | undefined {
  const f = fits.find((x) => x.dimension === dimension);
  return f ? Math.max(0, f.interceptMs + f.msPerCandidate * candidates) : undefined;
}

function text(rng: ReturnType<typeof createRng>, bytes: number): string {
  const words = ['vector', 'search', 'policy', 'record', 'tenant', 'sealed', 'query', 'payload', 'embedding', 'cipher'];
  let s = '';
  while (s.length < bytes) s += `${words[rng.int(words.length)]} `;
  return s.slice(0, bytes);
}

export async function measureSearch(opts: SearchBenchOptions, log: (s: string) => void = () => {}): Promise<SearchRow[]> {
  const rows: SearchRow[] = [];
  const maxCand = Math.max(...opts.candidates);
  for (const d of opts.dims) {
    const rng = createRng(opts.seed + d);
    const authority = generateAuthority();
    const writer = createWriterKey(authority);
    const backend = new CannedBackend(new LocalBackend());
    const col = await SealedCollection.create(backend, { name: 'search-bench', dimension: d, metric: 'cosine', keyset: VectorKeyset.create(), writer });
    const recs = Array.from({ length: maxCand }, (_, i) => ({
      id: `doc-${i}`,
      vector: Float32Array.from({ length: d }, () => rng.gaussian()),
      payload: { title: `document ${i}`, source: 'search-bench', text: text(rng, PAYLOAD_BYTES) },
      policy: {},
    }));
    for (let s = 0; s < recs.length; s += 500) {
      const r = await col.upsert(recs.slice(s, s + 500), { writer });
      if (r.failed.length) throw new Error(`search bench: ${r.failed.length} records failed to store`);
    }
    const user = issueUserKey(authority, { role: ['reader'] });
    const queries = Array.from({ length: opts.queries + opts.warmup }, () => Float32Array.from({ length: d }, () => rng.gaussian()));
    for (const c of opts.candidates) {
      const oversample = Math.max(1, Math.round(c / K));
      const times: number[] = [];
      const inBackend: number[] = [];
      let bytes = 0;
      let fetched = 0;
      let calls = 0;
      let opened = 0;
      for (let i = 0; i < queries.length; i++) {
        backend.take();
        const t = performance.now();
        const res = await col.search(queries[i]!, { userKey: user, k: K, oversample });
        const elapsed = performance.now() - t;
        const traffic = backend.take();
        if (i < opts.warmup) continue;
        times.push(elapsed - traffic.ms);
        inBackend.push(traffic.ms);
        bytes += traffic.bytes;
        fetched += res.candidates;
        calls += traffic.calls;
        opened += res.opened;
      }
      const row: SearchRow = {
        dimension: d,
        candidates: c,
        oversample,
        queries: times.length,
        p50ms: percentile(times, 50),
        p99ms: percentile(times, 99),
        meanMs: times.reduce((a, b) => a + b, 0) / times.length,
        backendP50ms: percentile(inBackend, 50),
        bytesPerCandidate: bytes / Math.max(1, fetched),
        backendCallsPerQuery: calls / times.length,
        opened: opened / times.length,
      };
      log(`  d=${d} candidates=${c}: p50 ${row.p50ms.toFixed(2)} ms, p99 ${row.p99ms.toFixed(2)} ms, ${Math.round(row.bytesPerCandidate)} bytes/candidate`);
      rows.push(row);
    }
    await backend.close();
  }
  return rows;
}

export function searchMarkdown(r: SearchResults): string {
  const f = (v: number, n = 2) => (Number.isFinite(v) ? v.toFixed(n) : 'n/a');
  return [
    '# Client overhead of SealedCollection.search',
    '',
    `${r.mode === 'quick' ? '**Quick mode (smoke run, not a measurement).** ' : ''}Single thread, ${r.cpu}, Node ${r.node}, load average at start ${r.loadAverage.toFixed(2)}; ${r.date}.`,
    `k = ${r.k}; every candidate is a record the user may open, with a ${r.payloadBytes}-byte text payload; cosine metric, the default preset's beta.`,
    'The backend answers instantly with precomputed candidates, so the times are the client\'s own:',
    'query encryption, decoding, opening candidates, exact re-rank and payload decryption. Bytes',
    'per candidate count what the client fetched in all calls (payload JSON plus float32 vectors),',
    'divided by the candidates returned.',
    '',
    '| d | candidates | oversample | queries | p50 ms | p99 ms | mean ms | backend p50 ms | bytes fetched / candidate | backend calls / query |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map(
      (x) =>
        `| ${x.dimension} | ${x.candidates} | x${x.oversample} | ${x.queries} | ${f(x.p50ms)} | ${f(x.p99ms)} | ${f(x.meanMs)} | ${f(x.backendP50ms, 3)} | ${Math.round(x.bytesPerCandidate)} | ${f(x.backendCallsPerQuery, 1)} |`,
    ),
    '',
    'Cost per candidate (a line through the p50s at each d; the preset rule uses it to price a candidate depth):',
    '',
    '| d | fixed ms | ms per candidate |',
    '|---:|---:|---:|',
    ...r.fits.map((x) => `| ${x.dimension} | ${f(x.interceptMs)} | ${f(x.msPerCandidate, 4)} |`),
    '',
    'Rerun: `pnpm bench:search` (`--quick` for a smoke run; `--dims`, `--candidates`, `--queries`, `--out`).',
    '',
  ].join('\n');
}

function writeAtomic(path: string, body: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, body);
  renameSync(tmp, path);
}

export function writeSearchResults(r: SearchResults, dir: string): void {
  writeAtomic(resolve(dir, 'search.json'), `${JSON.stringify(r, null, 1)}\n`);
  writeAtomic(resolve(dir, 'search.md'), searchMarkdown(r));
}

export interface SearchArgs {
  readonly quick: boolean;
  readonly out?: string;
  readonly options: SearchBenchOptions;
}

function list(v: string | undefined, flag: string): number[] {
  const xs = (v ?? '').split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isSafeInteger(x) || x < 1)) throw new RangeError(`${flag} expected a comma-separated list of positive integers`);
  return xs;
}

export function parseSearchArgs(argv: readonly string[]): SearchArgs {
  const quick = argv.includes('--quick');
  let o: SearchBenchOptions = quick ? QUICK : FULL;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined || x.startsWith('--')) throw new RangeError(`${a} needs a value`);
      return x;
    };
    if (a === '--quick') continue;
    else if (a === '--dims') o = { ...o, dims: list(v(), a) };
    else if (a === '--candidates') o = { ...o, candidates: list(v(), a) };
    else if (a === '--queries') o = { ...o, queries: list(v(), a)[0]! };
    else if (a === '--out') out = v();
    else throw new RangeError(`unknown option ${JSON.stringify(a)}`);
  }
  return { quick, ...(out !== undefined ? { out } : {}), options: o };
}

export async function runSearchBench(argv: readonly string[], log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<SearchResults> {
  const args = parseSearchArgs(argv);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = args.out ? resolve(args.out) : resolve(root, 'benchmarks/results', args.quick ? 'quick' : '');
  log(`search bench: d = ${args.options.dims.join(', ')}, candidates ${args.options.candidates.join(', ')}, ${args.options.queries} queries each`);
  const load = loadavg()[0] ?? 0;
  const rows = await measureSearch(args.options, log);
  const results: SearchResults = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverage: load,
    mode: args.quick ? 'quick' : 'full',
    k: K,
    payloadBytes: PAYLOAD_BYTES,
    rows,
    fits: fitCosts(rows),
  };
  writeSearchResults(results, dir);
  log(`wrote ${resolve(dir, 'search.md')}`);
  return results;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  runSearchBench(process.argv.slice(2)).then(
    (r) => process.stdout.write(searchMarkdown(r)),
    (e: unknown) => {
      process.stderr.write(`bench:search: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = e instanceof RangeError ? 2 : 1;
    },
  );
}
