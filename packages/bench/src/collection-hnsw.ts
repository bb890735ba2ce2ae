/**
 * SealedCollection search through a real HNSW index versus exact search (issue #11): the same
 * records, the same keys and queries, stored once in the embedded LocalBackend (exact scan) and
 * once behind HnswBackend (hnswlib at Qdrant's defaults, m = 16, ef_construct = 100, ef =
 * max(limit, 100)). Recall@10 against exact plaintext search over what the user may read, at
 * oversample x4, x10, x40 (the default depth) and x100, for a user who may read everything and for one who may read 1%
 * (pre-filter tokens: Qdrant scans small filtered sets exactly, and so does HnswBackend). The
 * difference between the two columns is what the approximation costs on top of the noise.
 *
 *   node packages/bench/dist/collection-hnsw.js [--quick]
 * Writes benchmarks/results/collection-hnsw.{md,json} (quick: benchmarks/results/quick/).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset, type DimensionMap } from '@sealvec/core';
import { LocalBackend, SealedCollection, type Backend } from '@sealvec/qdrant';
import { type Dataset, loadDatasetDir } from './datasets/load.js';
import { normalizeRows, row } from './datasets/vectors.js';
import { datasetPath, SHARED_PREFIX } from './run/bench.js';
import { exactTopK } from './run/run-scale.js';
import { loadHnsw } from './search/hnsw.js';
import { HnswBackend } from './search/hnsw-backend.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ROLES = Array.from({ length: 100 }, (_, i) => `r${i}`);
export const OVERSAMPLES = [4, 10, 40, 100];

export interface HnswRecallRow {
  readonly dataset: string;
  readonly base: number;
  readonly dim: number;
  readonly selectivity: string;
  readonly oversample: number;
  readonly exact: number;
  /** Through HnswBackend with Qdrant's planner (small filtered sets scanned exactly). */
  readonly hnsw: number;
  /** Through HnswBackend with the graph forced for every query (what-if for sets Qdrant would scan). */
  readonly hnswGraph: number;
  /** Queries HnswBackend answered by walking the graph, and by exact scan (small filtered sets). */
  readonly graphQueries: number;
  readonly scanQueries: number;
}

async function fill(backend: Backend, ds: Dataset, keyset: VectorKeyset, authority: ReturnType<typeof generateAuthority>): Promise<SealedCollection> {
  const writer = createWriterKey(authority);
  const col = await SealedCollection.create(backend, { name: 'hnsw-bench', dimension: ds.base.dim, metric: 'cosine', keyset, writer });
  for (let s = 0; s < ds.base.rows; s += 1000) {
    const recs = [];
    for (let i = s; i < Math.min(ds.base.rows, s + 1000); i++) recs.push({ id: String(i), vector: row(ds.base, i), policy: { role: [ROLES[i % 100]!] } as DimensionMap });
    const r = await col.upsert(recs, { writer });
    if (r.failed.length) throw new Error(`ingest failed for ${r.failed.length} records`);
  }
  return col;
}

export async function runCollectionHnsw(quick: boolean, log: (s: string) => void): Promise<{ rows: HnswRecallRow[]; skipped: string[] }> {
  const hnsw = loadHnsw();
  if (!hnsw.ok) return { rows: [], skipped: [hnsw.reason] };
  const sets: [string, string, number | undefined][] = [
    ['GloVe-100', 'glove100-wink', quick ? 5000 : undefined],
    ['MiniLM-384', 'reddit-vacation-minilm-384', undefined],
    ['BGE-768', 'wikibio-bge-base-768', undefined],
    ['OpenAI-1536', 'openai-te3small-pdf88', undefined],
  ];
  const rows: HnswRecallRow[] = [];
  const skipped: string[] = [];
  for (const [name, folder, maxBase] of sets) {
    const dir = datasetPath(`${SHARED_PREFIX}/${folder}`, root);
    if (!existsSync(dir)) {
      skipped.push(`${name}: not found at ${dir}`);
      continue;
    }
    const ds = loadDatasetDir(dir, name, { metric: 'angular', ...(maxBase !== undefined ? { maxBase } : {}) });
    log(`collection-hnsw: ${name} ${ds.base.rows} x ${ds.base.dim}`);
    const authority = generateAuthority();
    const keyset = VectorKeyset.create();
    const graph = new HnswBackend(new LocalBackend(), hnsw.lib);
    const forced = new HnswBackend(new LocalBackend(), hnsw.lib, { fullScanBytes: 0 });
    const exactCol = await fill(new LocalBackend(), ds, keyset, authority);
    const hnswCol = await fill(graph, ds, keyset, authority);
    const forcedCol = await fill(forced, ds, keyset, authority);
    const nq = Math.min(ds.queries.rows, quick ? 20 : 200);
    const unitBase = normalizeRows(ds.base);
    const unitQ = normalizeRows(ds.queries);
    for (const sel of [{ name: '100%', roles: ROLES }, { name: '1%', roles: [ROLES[7]!] }]) {
      const user = issueUserKey(authority, { role: sel.roles });
      const allowed = ds.base.rows > 0 ? Array.from({ length: ds.base.rows }, (_, i) => i).filter((i) => sel.roles.includes(ROLES[i % 100]!)) : [];
      const sub = { rows: allowed.length, dim: ds.base.dim, data: new Float32Array(allowed.length * ds.base.dim) };
      allowed.forEach((id, j) => sub.data.set(row(unitBase, id), j * ds.base.dim));
      const truth = exactTopK(sub, { rows: nq, dim: unitQ.dim, data: unitQ.data.subarray(0, nq * unitQ.dim) }, 'l2', 10);
      for (const oversample of OVERSAMPLES) {
        const before = { ...graph.stats };
        const score = async (col: SealedCollection) => {
          let hit = 0;
          let total = 0;
          for (let qi = 0; qi < nq; qi++) {
            const want = new Set(Array.from(truth.data.subarray(qi * truth.dim, (qi + 1) * truth.dim), (j) => allowed[j]!));
            const res = await col.search(row(ds.queries, qi), { userKey: user, k: 10, oversample });
            for (const h of res.hits) if (want.has(Number(h.id))) hit++;
            total += want.size;
          }
          return hit / Math.max(1, total);
        };
        const r: HnswRecallRow = {
          dataset: name,
          base: ds.base.rows,
          dim: ds.base.dim,
          selectivity: sel.name,
          oversample,
          exact: await score(exactCol),
          hnsw: await score(hnswCol),
          hnswGraph: await score(forcedCol),
          graphQueries: graph.stats.graph - before.graph,
          scanQueries: graph.stats.exact - before.exact,
        };
        log(`  ${sel.name} x${oversample}: exact ${r.exact.toFixed(3)}, HNSW ${r.hnsw.toFixed(3)} (graph forced ${r.hnswGraph.toFixed(3)})`);
        rows.push(r);
      }
    }
  }
  return { rows, skipped };
}

export function collectionHnswMarkdown(rows: readonly HnswRecallRow[], skipped: readonly string[], quick: boolean): string {
  return [
    '# SealedCollection recall through HNSW versus exact search',
    '',
    `${quick ? '**Quick mode (smoke run, not a measurement).** ' : ''}Default preset, k = 10, cosine; ${cpus()[0]?.model ?? ''}, Node ${process.version}. HNSW: hnswlib via hnswlib-node at Qdrant's defaults (m 16, ef_construct 100, ef = max(limit, 100)); filtered queries whose matching vectors are under Qdrant's full_scan_threshold (10,000 KB) are scanned exactly, as Qdrant's planner does. Records carry one of 100 roles; the user reads all of them (100%) or one (1%).`,
    '',
    'SealedCollection always filters (tenant, key id, pre-filter tokens), so with Qdrant\'s planner a collection whose matching vectors are under 10,000 KB (a 1,000-row text set; 25,000 rows at d = 100) is scanned exactly: "graph / scan" counts which path the HNSW column took. The last columns force the graph for every query, the what-if for a larger collection of the same data; at 1% selectivity that is pessimistic, since hnswlib filters during a plain graph walk while Qdrant also links points within each indexed payload value.',
    '',
    '| dataset | base | d | selectivity | oversample | recall@10 exact | recall@10 HNSW (Qdrant planner) | graph / scan queries | recall@10 HNSW (graph forced) | cost of the approximation (graph forced) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.dataset} | ${r.base} | ${r.dim} | ${r.selectivity} | x${r.oversample} | ${r.exact.toFixed(3)} | ${r.hnsw.toFixed(3)} | ${r.graphQueries} / ${r.scanQueries} | ${r.hnswGraph.toFixed(3)} | ${(r.exact - r.hnswGraph).toFixed(3)} |`),
    '',
    ...(skipped.length ? ['Skipped:', '', ...skipped.map((s) => `- ${s}`), ''] : []),
    'Rerun: `pnpm build && node packages/bench/dist/collection-hnsw.js` (`--quick` for a smoke run).',
    '',
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const quick = process.argv.includes('--quick');
  runCollectionHnsw(quick, (s) => process.stderr.write(`${s}\n`)).then(
    ({ rows, skipped }) => {
      const md = collectionHnswMarkdown(rows, skipped, quick);
      const out = resolve(root, 'benchmarks/results', quick ? 'quick' : '');
      mkdirSync(out, { recursive: true });
      writeFileSync(resolve(out, 'collection-hnsw.md'), md);
      writeFileSync(resolve(out, 'collection-hnsw.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, rows, skipped }, null, 1)}\n`);
      process.stdout.write(md);
    },
    (e: unknown) => {
      process.stderr.write(`collection-hnsw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
