/**
 * Benchmark configuration: which datasets, which betas, which attack sizes. The committed
 * defaults live in benchmarks/config.json; `--quick` swaps in QUICK for a smoke run on the
 * fixtures. Validation is strict so a typo in the config fails before minutes of work.
 */
import { Malformed } from '@sealvec/core';
import { type DatasetMetric, isDatasetMetric } from '../datasets/groundtruth.js';

export type DatasetKind = 'fixture' | 'shared' | 'user';
export type Modality = 'text' | 'image' | 'descriptor' | 'unknown';

export interface DatasetEntry {
  /** Display name, unique within the config. */
  readonly name: string;
  /** Which real set this is (a fixture and its full set share a family). */
  readonly family: string;
  readonly kind: DatasetKind;
  /** Directory (texmex layout) relative to the repository root, or a file for kind 'user'. */
  readonly path: string;
  readonly metric?: DatasetMetric;
  readonly maxBase?: number;
  readonly maxQueries?: number;
  /**
   * What the vectors embed. The 0.90 cosine threshold is about inverting text embeddings, so the
   * private preset is judged on text sets; image and descriptor sets are reported alongside.
   */
  readonly modality: Modality;
  /** Shown in the report: e.g. "no license: internal benchmark only". */
  readonly note?: string;
  /** For 'user' files. */
  readonly queries?: string;
  readonly groundTruth?: string;
}

export interface BenchConfig {
  readonly seed: number;
  /** Relative betas (beta / median norm of the data; for cosine the norm is 1). */
  readonly betaSweep: readonly number[];
  /** The subset of betaSweep on which the (slower) attacks run. */
  readonly attackBetas: readonly number[];
  readonly ks: readonly number[];
  readonly oversamples: readonly number[];
  /** Measured too, but beyond the grid: shown as "what would change it". */
  readonly extraOversamples: readonly number[];
  readonly knownPairs: readonly number[];
  /** Rows of each dataset used by the attacks (known pool + targets). */
  readonly attackPool: number;
  readonly attackTargets: number;
  /** Plaintext sample size for the known-sample attacks. */
  readonly sampleSize: number;
  readonly pcaKs: readonly number[];
  readonly averagingRepeats: readonly number[];
  readonly averagingVectors: number;
  readonly datasets: readonly DatasetEntry[];
}

function numbers(v: unknown, what: string, min: number): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new Malformed(`config "${what}" expected a non-empty array of numbers`);
  return v.map((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min) throw new Malformed(`config "${what}[${i}]" expected a number >= ${min}`);
    return x;
  });
}

function integer(v: unknown, what: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Malformed(`config "${what}" expected an integer >= ${min}`);
  return v;
}

function optionalString(o: Record<string, unknown>, k: string, what: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Malformed(`config "${what}.${k}" expected a string`);
  return v;
}

function dataset(v: unknown, i: number): DatasetEntry {
  const what = `datasets[${i}]`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Malformed(`config "${what}" expected an object`);
  const o = v as Record<string, unknown>;
  const name = optionalString(o, 'name', what);
  const path = optionalString(o, 'path', what);
  if (!name || !path) throw new Malformed(`config "${what}" needs "name" and "path"`);
  const kind = o.kind ?? 'shared';
  if (kind !== 'fixture' && kind !== 'shared' && kind !== 'user') throw new Malformed(`config "${what}.kind" expected fixture, shared or user`);
  if (o.metric !== undefined && !isDatasetMetric(o.metric)) throw new Malformed(`config "${what}.metric" expected l2, angular or ip`);
  const modality = o.modality ?? 'unknown';
  if (modality !== 'text' && modality !== 'image' && modality !== 'descriptor' && modality !== 'unknown') {
    throw new Malformed(`config "${what}.modality" expected text, image, descriptor or unknown`);
  }
  const entry: Record<string, unknown> = { name, path, kind, modality, family: optionalString(o, 'family', what) ?? name };
  for (const k of ['note', 'queries', 'groundTruth'] as const) {
    const s = optionalString(o, k, what);
    if (s !== undefined) entry[k] = s;
  }
  if (o.metric !== undefined) entry.metric = o.metric;
  if (o.maxBase !== undefined) entry.maxBase = integer(o.maxBase, `${what}.maxBase`, 1);
  if (o.maxQueries !== undefined) entry.maxQueries = integer(o.maxQueries, `${what}.maxQueries`, 1);
  return entry as unknown as DatasetEntry;
}

export function parseConfig(json: unknown): BenchConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Malformed('config expected a JSON object');
  const o = json as Record<string, unknown>;
  const betaSweep = numbers(o.betaSweep, 'betaSweep', 0);
  const attackBetas = numbers(o.attackBetas, 'attackBetas', 0);
  for (const b of attackBetas) {
    if (!betaSweep.includes(b)) throw new Malformed(`config "attackBetas" value ${b} is not in betaSweep`);
  }
  if (!Array.isArray(o.datasets)) throw new Malformed('config "datasets" expected an array');
  const datasets = o.datasets.map(dataset);
  const names = new Set<string>();
  for (const d of datasets) {
    if (names.has(d.name)) throw new Malformed(`config dataset name ${JSON.stringify(d.name)} appears twice`);
    names.add(d.name);
  }
  return {
    seed: integer(o.seed, 'seed', 0),
    betaSweep: [...betaSweep].sort((a, b) => a - b),
    attackBetas: [...attackBetas].sort((a, b) => a - b),
    ks: numbers(o.ks, 'ks', 1).map((k) => integer(k, 'ks', 1)),
    oversamples: numbers(o.oversamples, 'oversamples', 1).map((k) => integer(k, 'oversamples', 1)),
    extraOversamples: o.extraOversamples === undefined ? [] : numbers(o.extraOversamples, 'extraOversamples', 1).map((k) => integer(k, 'extraOversamples', 1)),
    knownPairs: numbers(o.knownPairs, 'knownPairs', 1).map((k) => integer(k, 'knownPairs', 1)),
    attackPool: integer(o.attackPool, 'attackPool', 8),
    attackTargets: integer(o.attackTargets, 'attackTargets', 1),
    sampleSize: integer(o.sampleSize, 'sampleSize', 2),
    pcaKs: numbers(o.pcaKs, 'pcaKs', 0).map((k) => integer(k, 'pcaKs', 0)),
    averagingRepeats: numbers(o.averagingRepeats, 'averagingRepeats', 1).map((k) => integer(k, 'averagingRepeats', 1)),
    averagingVectors: integer(o.averagingVectors, 'averagingVectors', 1),
    datasets,
  };
}

/** The smoke-test variant: fixtures only, a coarse sweep, small attacks; about a minute. */
export function quickVariant(c: BenchConfig): BenchConfig {
  return {
    ...c,
    betaSweep: [0, 0.5, 1, 2, 4],
    attackBetas: [0.5, 1, 2, 4],
    knownPairs: [10, 100],
    attackPool: 600,
    attackTargets: 100,
    sampleSize: 500,
    pcaKs: [0, 1, 4, 16],
    averagingRepeats: [1, 4, 16],
    averagingVectors: 20,
    datasets: c.datasets.filter((d) => d.kind === 'fixture'),
  };
}
