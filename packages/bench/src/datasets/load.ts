/**
 * Finds and reads a dataset from disk: a texmex directory (base, query, optional ground truth
 * and meta.json) or a single .fvecs/.npy file a user names. This is the only file here that
 * touches the file system; parsing lives in fvecs.ts and npy.ts.
 *
 * Ground truth is read when it is present and still valid for the rows we keep; otherwise
 * (no file, or the base was cut to a subset) it is computed exactly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Malformed, NotFound } from '@sealvec/core';
import { type IntRows, parseFvecs, parseIvecs } from './fvecs.js';
import { computeGroundTruth, type DatasetMetric, isDatasetMetric } from './groundtruth.js';
import { parseNpy } from './npy.js';
import { head, type VectorSet, vectorSet } from './vectors.js';

export interface Dataset {
  readonly name: string;
  readonly metric: DatasetMetric;
  readonly base: VectorSet;
  readonly queries: VectorSet;
  /** Per query, base ids nearest first (at least min(100, base.rows) of them). */
  readonly groundTruth: IntRows;
  readonly groundTruthComputed: boolean;
  /** Where the data came from and under which license, as its meta.json states. */
  readonly source: string;
  readonly license: string;
}

export interface LoadOptions {
  /** Overrides meta.json. Required when the dataset has no meta.json metric. */
  readonly metric?: DatasetMetric;
  /** Keep only the first `maxBase` base rows (ground truth is then recomputed). */
  readonly maxBase?: number;
  readonly maxQueries?: number;
  /** Ground-truth depth to compute when needed. */
  readonly k?: number;
}

export const DEFAULT_GT_K = 100;

export function readVectors(path: string): VectorSet {
  if (!existsSync(path)) throw new NotFound(`no such file: ${path}`);
  const bytes = new Uint8Array(readFileSync(path));
  const ext = extname(path).toLowerCase();
  if (ext === '.fvecs') return parseFvecs(bytes, path);
  if (ext === '.npy') return parseNpy(bytes, path);
  throw new Malformed(`${path}: unsupported extension ${JSON.stringify(ext)}, expected .fvecs or .npy`);
}

function firstExisting(dir: string, names: string[]): string | undefined {
  for (const n of names) {
    const p = join(dir, n);
    if (existsSync(p)) return p;
  }
  return undefined;
}

interface Meta {
  metric?: unknown;
  source?: unknown;
  source_repo?: unknown;
  license?: unknown;
}

function readMeta(dir: string): Meta {
  const p = join(dir, 'meta.json');
  if (!existsSync(p)) return {};
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as unknown;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not an object');
    return m as Meta;
  } catch {
    throw new Malformed(`${p} is not a JSON object`);
  }
}

/** Checks that given ground truth fits the data before trusting it. */
function validGroundTruth(gt: IntRows, base: VectorSet, queries: VectorSet, path: string): IntRows {
  if (gt.rows < queries.rows) {
    throw new Malformed(`${path} has ${gt.rows} rows, but there are ${queries.rows} queries`);
  }
  const rows = { rows: queries.rows, dim: gt.dim, data: gt.data.subarray(0, queries.rows * gt.dim) };
  for (let k = 0; k < rows.data.length; k++) {
    const id = rows.data[k] as number;
    if (id < 0 || id >= base.rows) {
      throw new Malformed(`${path} row ${Math.floor(k / gt.dim)} names base id ${id}, outside 0..${base.rows - 1}`);
    }
  }
  return rows;
}

export function loadDatasetDir(dir: string, name = basename(dir), opts: LoadOptions = {}): Dataset {
  if (!existsSync(dir)) throw new NotFound(`no such dataset directory: ${dir}`);
  const meta = readMeta(dir);
  const metric = opts.metric ?? meta.metric;
  if (!isDatasetMetric(metric)) {
    throw new Malformed(`${dir}: metric ${JSON.stringify(metric)} unknown; give one of l2, angular, ip in meta.json or the config`);
  }
  const basePath = firstExisting(dir, ['base.fvecs', 'base.npy']);
  const queryPath = firstExisting(dir, ['query.fvecs', 'query.npy']);
  if (!basePath || !queryPath) throw new NotFound(`${dir} lacks base.fvecs/.npy or query.fvecs/.npy`);
  const fullBase = readVectors(basePath);
  const fullQueries = readVectors(queryPath);
  if (fullQueries.dim !== fullBase.dim) {
    throw new Malformed(`${queryPath} has dimension ${fullQueries.dim}, base has ${fullBase.dim}`);
  }
  const base = opts.maxBase !== undefined ? head(fullBase, opts.maxBase) : fullBase;
  const queries = opts.maxQueries !== undefined ? head(fullQueries, opts.maxQueries) : fullQueries;
  // An L2 ground-truth file is only valid for metric l2 or for unit-norm angular data; the
  // directory's own file matches its own meta metric, so reuse it only when the metric agrees.
  const gtPath = join(dir, metric === 'ip' ? 'groundtruth_ip.ivecs' : 'groundtruth.ivecs');
  const metaAgrees = meta.metric === undefined || meta.metric === metric;
  let groundTruth: IntRows;
  let computed = false;
  if (existsSync(gtPath) && base.rows === fullBase.rows && metaAgrees) {
    groundTruth = validGroundTruth(parseIvecs(new Uint8Array(readFileSync(gtPath)), gtPath), base, queries, gtPath);
  } else {
    groundTruth = computeGroundTruth(base, queries, metric, opts.k ?? DEFAULT_GT_K).ids;
    computed = true;
  }
  const source = [meta.source, meta.source_repo].find((s) => typeof s === 'string') as string | undefined;
  return {
    name,
    metric,
    base,
    queries,
    groundTruth,
    groundTruthComputed: computed,
    source: source ?? 'unknown',
    license: typeof meta.license === 'string' ? meta.license : 'unknown',
  };
}

export interface FileDatasetOptions extends LoadOptions {
  readonly queries?: string;
  readonly groundTruth?: string;
  /** When no query file is given, hold out this many trailing rows as queries. */
  readonly holdOut?: number;
}

/**
 * A user-named .fvecs/.npy file. Without a query file the last `holdOut` rows (default
 * min(100, 10%)) become the queries and leave the base, so no query finds itself.
 */
export function loadDatasetFile(path: string, opts: FileDatasetOptions = {}): Dataset {
  const metric = opts.metric ?? 'l2';
  if (!isDatasetMetric(metric)) throw new TypeError(`"metric" expected 'l2', 'angular' or 'ip', got ${String(metric)}`);
  const all = readVectors(path);
  let base: VectorSet;
  let queries: VectorSet;
  if (opts.queries !== undefined) {
    base = all;
    queries = readVectors(opts.queries);
    if (queries.dim !== base.dim) throw new Malformed(`${opts.queries} has dimension ${queries.dim}, base has ${base.dim}`);
  } else {
    const hold = opts.holdOut ?? Math.min(100, Math.floor(all.rows / 10));
    if (hold < 1 || hold >= all.rows) {
      throw new Malformed(`${path} has ${all.rows} rows, too few to hold out ${hold} as queries; give a query file`);
    }
    const nb = all.rows - hold;
    base = vectorSet(all.data.slice(0, nb * all.dim), nb, all.dim);
    queries = vectorSet(all.data.slice(nb * all.dim), hold, all.dim);
  }
  if (opts.maxBase !== undefined) base = head(base, opts.maxBase);
  if (opts.maxQueries !== undefined) queries = head(queries, opts.maxQueries);
  let groundTruth: IntRows;
  let computed = false;
  if (opts.groundTruth !== undefined && opts.maxBase === undefined) {
    groundTruth = validGroundTruth(
      parseIvecs(new Uint8Array(readFileSync(opts.groundTruth)), opts.groundTruth),
      base,
      queries,
      opts.groundTruth,
    );
  } else {
    groundTruth = computeGroundTruth(base, queries, metric, opts.k ?? DEFAULT_GT_K).ids;
    computed = true;
  }
  return {
    name: basename(path, extname(path)),
    metric,
    base,
    queries,
    groundTruth,
    groundTruthComputed: computed,
    source: path,
    license: 'user-supplied',
  };
}
