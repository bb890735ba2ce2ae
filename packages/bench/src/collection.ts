/**
 * SealedCollection end to end on the embedded local backend (issue #4's benchmark):
 *   - recall@10 against plaintext exact search restricted to what the user may read, with the
 *     default preset, pre-filter vs post-filter, at policy selectivity 100%, 10% and 1%, and
 *     re-rank on/off;
 *   - per-query client overhead (encrypt the query, open the candidates, re-rank: total search
 *     time minus the time spent inside the backend's query call), p50 and p99, at d = 1536,
 *     k = 10, oversample 4;
 *   - ingest throughput (seal + store) into the local backend.
 *
 *   node packages/bench/dist/collection.js [--quick] [--datasets DIR]
 * Writes benchmarks/results/collection.{md,json}.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset, type DimensionMap } from '@sealvec/core';
import { LocalBackend, SealedCollection, type Backend, type QueryRequest } from '@sealvec/qdrant';
import { loadDatasetDir, type Dataset } from './datasets/load.js';
import { row } from './datasets/vectors.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

/** Times the backend's query calls so the client's own overhead can be separated out. */
function timedBackend(inner: Backend): { backend: Backend; take: () => number } {
  let spent = 0;
  const backend = Object.create(inner) as Backend;
  backend.query = async (name: string, req: QueryRequest) => {
    const t = performance.now();
    try {
      return await inner.query(name, req);
    } finally {
      spent += performance.now() - t;
    }
  };
  return {
    backend,
    take: () => {
      const s = spent;
      spent = 0;
      return s;
    },
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

interface RecallRow {
  dataset: string;
  base: number;
  selectivity: string;
  prefilter: boolean;
  rerank: boolean;
  recallAt10: number;
  meanHits: number;
}

interface OverheadRow {
  dataset: string;
  dimension: number;
  queries: number;
  p50ms: number;
  p99ms: number;
  backendP50ms: number;
}

interface IngestRow {
  dataset: string;
  dimension: number;
  records: number;
  recordsPerSec: number;
}

// Records are spread over 100 roles; users hold 100, 10 or 1 of them.
const ROLES = Array.from({ length: 100 }, (_, i) => `r${i}`);
const SELECTIVITIES: { name: string; roles: string[] }[] = [
  { name: '100%', roles: ROLES },
  { name: '10%', roles: ROLES.slice(0, 10) },
  { name: '1%', roles: ROLES.slice(7, 8) },
];

function exactTop(ds: Dataset, q: Float32Array, allowed: (i: number) => boolean, k: number): number[] {
  const angular = ds.metric === 'angular';
  const scored: [number, number][] = [];
  let qq = 0;
  for (const v of q) qq += v * v;
  for (let i = 0; i < ds.base.rows; i++) {
    if (!allowed(i)) continue;
    const x = row(ds.base, i);
    let dot = 0;
    let xx = 0;
    let dd = 0;
    for (let j = 0; j < x.length; j++) {
      dot += x[j]! * q[j]!;
      xx += x[j]! * x[j]!;
      dd += (x[j]! - q[j]!) ** 2;
    }
    scored.push([angular ? -dot / Math.sqrt(xx * qq) : dd, i]);
  }
  scored.sort((a, b) => a[0] - b[0]);
  return scored.slice(0, k).map((s) => s[1]);
}

async function runDataset(ds: Dataset, quick: boolean, recall: RecallRow[], overhead: OverheadRow[], ingest: IngestRow[]): Promise<void> {
  const authority = generateAuthority();
  const writer = createWriterKey(authority);
  const metric = ds.metric === 'angular' ? 'cosine' : 'euclid';
  let medianNorm = 1;
  if (metric === 'euclid') {
    const norms = Array.from({ length: Math.min(ds.base.rows, 2000) }, (_, i) => Math.hypot(...row(ds.base, i)));
    medianNorm = percentile(norms, 50);
  }
  for (const prefilter of [true, false]) {
    const timed = timedBackend(new LocalBackend());
    const col = await SealedCollection.create(timed.backend, {
      name: 'bench',
      dimension: ds.base.dim,
      metric,
      keyset: VectorKeyset.create(),
      writer,
      prefilter,
      ...(metric === 'euclid' ? { scale: medianNorm } : {}),
    });
    const t0 = performance.now();
    const batch = 1000;
    for (let s = 0; s < ds.base.rows; s += batch) {
      const recs = [];
      for (let i = s; i < Math.min(ds.base.rows, s + batch); i++) {
        recs.push({ id: String(i), vector: row(ds.base, i), policy: { role: [ROLES[i % 100]!] } as DimensionMap });
      }
      const r = await col.upsert(recs, { writer });
      if (r.failed.length > 0) throw new Error(`ingest failed for ${r.failed.length} records`);
    }
    const secs = (performance.now() - t0) / 1000;
    if (prefilter) ingest.push({ dataset: ds.name, dimension: ds.base.dim, records: ds.base.rows, recordsPerSec: ds.base.rows / secs });

    const nq = Math.min(ds.queries.rows, quick ? 20 : 200);
    for (const sel of SELECTIVITIES) {
      const userKey = issueUserKey(authority, { role: sel.roles });
      const roleSet = new Set(sel.roles.map((r) => Number(r.slice(1))));
      const allowed = (i: number) => roleSet.has(i % 100);
      for (const rerank of [true, false]) {
        let found = 0;
        let total = 0;
        let hitsSum = 0;
        const times: number[] = [];
        const backendTimes: number[] = [];
        for (let qi = 0; qi < nq; qi++) {
          const q = row(ds.queries, qi);
          const truth = exactTop(ds, q, allowed, 10);
          timed.take();
          const t = performance.now();
          const res = await col.search(q, { userKey, k: 10, oversample: col.defaultOversample, rerank });
          const elapsed = performance.now() - t;
          const inBackend = timed.take();
          times.push(elapsed - inBackend);
          backendTimes.push(inBackend);
          const got = new Set(res.hits.map((h) => Number(h.id)));
          found += truth.filter((i) => got.has(i)).length;
          total += truth.length;
          hitsSum += res.hits.length;
        }
        recall.push({ dataset: ds.name, base: ds.base.rows, selectivity: sel.name, prefilter, rerank, recallAt10: found / Math.max(1, total), meanHits: hitsSum / nq });

      }
    }
    await timed.backend.close();
  }
}

/** Client overhead at d = 1536 needs more queries than the 20 the OpenAI set has: repeat them. */
async function overheadOnly(ds: Dataset, rounds: number, overhead: OverheadRow[]): Promise<void> {
  const authority = generateAuthority();
  const writer = createWriterKey(authority);
  const timed = timedBackend(new LocalBackend());
  const col = await SealedCollection.create(timed.backend, { name: 'o', dimension: ds.base.dim, metric: 'cosine', keyset: VectorKeyset.create(), writer });
  const recs = Array.from({ length: ds.base.rows }, (_, i) => ({ id: String(i), vector: row(ds.base, i), payload: { text: 'x'.repeat(1024) }, policy: {} }));
  await col.upsert(recs, { writer });
  const user = issueUserKey(authority, { role: ['any'] });
  const times: number[] = [];
  const backendTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let qi = 0; qi < ds.queries.rows; qi++) {
      timed.take();
      const t = performance.now();
      await col.search(row(ds.queries, qi), { userKey: user, k: 10, oversample: 4 });
      const elapsed = performance.now() - t;
      const b = timed.take();
      if (r > 0) {
        times.push(elapsed - b);
        backendTimes.push(b);
      }
    }
  }
  overhead.push({ dataset: `${ds.name} (1 KB payloads, all readable, oversample 4)`, dimension: ds.base.dim, queries: times.length, p50ms: percentile(times, 50), p99ms: percentile(times, 99), backendP50ms: percentile(backendTimes, 50) });
}

export async function runCollectionBench(options: { quick?: boolean; datasetsDir?: string } = {}): Promise<string> {
  const quick = options.quick ?? false;
  const shared = options.datasetsDir ?? resolve(root, '../shared/datasets');
  const recall: RecallRow[] = [];
  const overhead: OverheadRow[] = [];
  const ingest: IngestRow[] = [];
  const skipped: string[] = [];
  const sets: [string, string, number | undefined][] = [
    ['glove100', resolve(shared, 'glove100-wink'), quick ? 5000 : undefined],
    ['openai1536', resolve(shared, 'openai-te3small-pdf88'), undefined],
  ];
  for (const [name, dir, maxBase] of sets) {
    const fallback = resolve(root, 'fixtures/datasets', name);
    const path = existsSync(dir) ? dir : existsSync(fallback) ? fallback : null;
    if (path === null) {
      skipped.push(`${name}: not found at ${dir} or ${fallback}`);
      continue;
    }
    if (path === fallback) skipped.push(`${name}: full set not found at ${dir}; used the fixture subset`);
    const ds = loadDatasetDir(path, name, maxBase !== undefined ? { maxBase } : {});
    console.error(`collection bench: ${name} ${ds.base.rows} x ${ds.base.dim}`);
    await runDataset(ds, quick, recall, overhead, ingest);
    if (ds.base.dim >= 1536) await overheadOnly(ds, quick ? 3 : 25, overhead);
  }
  const f = (v: number, d = 3) => v.toFixed(d);
  const md = [
    '# SealedCollection: recall, client overhead, ingest (local backend)',
    '',
    `Default preset (balanced: recall at its default re-rank oversample of 10; client overhead at oversample 4 as issue #4 specifies), k = 10, single thread, ${cpus()[0]?.model ?? ''}, Node ${process.version}.`,
    'Recall@10 is against plaintext exact search over the records the user may read. Policies give',
    'each record one of 100 roles; users hold 100, 10 or 1 of them. Pre-filter: the database is asked',
    'only for records sharing a tuple token with the user; post-filter: candidates are fetched',
    'unfiltered and the candidate set widens (x4, up to 4096) until k open.',
    '',
    '## Recall@10',
    '',
    '| dataset | base | selectivity | pre-filter | re-rank | recall@10 | mean hits |',
    '|---|---:|---:|:---:|:---:|---:|---:|',
    ...recall.map((r) => `| ${r.dataset} | ${r.base} | ${r.selectivity} | ${r.prefilter ? 'yes' : 'no'} | ${r.rerank ? 'yes' : 'no'} | ${f(r.recallAt10)} | ${f(r.meanHits, 1)} |`),
    '',
    '## Per-query client overhead (encrypt query, open candidates, re-rank; backend time excluded)',
    '',
    '| dataset | d | queries | p50 ms | p99 ms | backend p50 ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...overhead.map((o) => `| ${o.dataset} | ${o.dimension} | ${o.queries} | ${f(o.p50ms, 2)} | ${f(o.p99ms, 2)} | ${f(o.backendP50ms, 2)} |`),
    '',
    '## Ingest into the local backend (seal + store, batches of 1000)',
    '',
    '| dataset | d | records | records/s |',
    '|---|---:|---:|---:|',
    ...ingest.map((i) => `| ${i.dataset} | ${i.dimension} | ${i.records} | ${Math.round(i.recordsPerSec)} |`),
    '',
    ...(skipped.length ? ['Skipped or substituted:', '', ...skipped.map((s) => `- ${s}`), ''] : []),
    'Rerun: `pnpm build && node packages/bench/dist/collection.js` (`--quick` for a smoke run).',
    '',
  ].join('\n');
  if (!quick) {
    const out = resolve(root, 'benchmarks/results');
    mkdirSync(out, { recursive: true });
    writeFileSync(resolve(out, 'collection.md'), md);
    writeFileSync(resolve(out, 'collection.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, recall, overhead, ingest, skipped }, null, 2) + '\n');
  }
  return md;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const quick = process.argv.includes('--quick');
  runCollectionBench({ quick }).then(
    (md) => console.log(md),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
