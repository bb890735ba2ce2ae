/**
 * Benchmark configuration: which datasets, which betas, which attack sizes. The committed
 * defaults live in benchmarks/config.json; `--quick` swaps in QUICK for a smoke run on the
 * fixtures. Validation is strict so a typo in the config fails before minutes of work.
 */
import { Malformed } from '@sealvec/core';
import { type DatasetMetric, isDatasetMetric } from '../datasets/groundtruth.js';

export type DatasetKind = 'fixture' | 'shared' | 'user' | 'wink';
export type Phase = 'recall' | 'attacks' | 'scale';
export const PHASES: readonly Phase[] = ['recall', 'attacks', 'scale'];
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
  /** Which phases use this dataset (default: all). The 341k GloVe set runs only the size sweep. */
  readonly phases?: readonly Phase[];
}

/**
 * The size and candidate-depth sweep (issue #14): recall@10 at several collection sizes, betas
 * and re-rank depths, with exact and HNSW candidate search, and the rule that picks presets as
 * (beta, depth) pairs from it.
 */
export interface ScaleConfig {
  /** Relative betas; each must also be in attackBetas (the frontier pairs them with attack results). */
  readonly betas: readonly number[];
  /** Re-rank depths as oversample factors: candidates = k x depth. */
  readonly depths: readonly number[];
  readonly k: number;
  /** Collection sizes measured below each dataset's full size (the full size is always added). */
  readonly sizes: readonly number[];
  readonly maxQueries: number;
  /** Also search through HNSW (hnswlib, Qdrant's defaults) when hnswlib-node is installed. */
  readonly hnsw: boolean;
  /**
   * Largest collection size searched through HNSW (index builds dominate the sweep's time:
   * hnswlib-node inserts a few thousand vectors per second per core); null for every size.
   */
  readonly hnswMaxRows: number | null;
  /** Sizes the size curves are extrapolated to. */
  readonly extrapolateTo: readonly number[];
  /** The client-overhead budget of the default preset: ms per query at this dimension. */
  readonly budgetMs: number;
  readonly budgetDimension: number;
  /** Leakage target of the private preset on text embeddings (the default's is 0.90). */
  readonly privateTarget: number;
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
  readonly scale: ScaleConfig;
}

export const DEFAULT_SCALE: ScaleConfig = {
  betas: [0.5, 1, 1.5, 2, 2.5, 3, 4],
  depths: [4, 10, 40, 100],
  k: 10,
  sizes: [125, 250, 500, 1000, 10000, 100000],
  maxQueries: 200,
  hnsw: true,
  hnswMaxRows: null,
  extrapolateTo: [100000, 1000000],
  budgetMs: 40,
  budgetDimension: 1536,
  privateTarget: 0.85,
};

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
  if (kind !== 'fixture' && kind !== 'shared' && kind !== 'user' && kind !== 'wink') throw new Malformed(`config "${what}.kind" expected fixture, shared, user or wink`);
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
  if (o.phases !== undefined) {
    if (!Array.isArray(o.phases) || o.phases.length === 0 || o.phases.some((p) => !(PHASES as readonly unknown[]).includes(p))) {
      throw new Malformed(`config "${what}.phases" expected a non-empty list of ${PHASES.join(', ')}`);
    }
    entry.phases = [...new Set(o.phases as Phase[])];
  }
  return entry as unknown as DatasetEntry;
}

/** Does this dataset take part in the phase? */
export function inPhase(d: DatasetEntry, phase: Phase): boolean {
  return d.phases === undefined || d.phases.includes(phase);
}

function scaleConfig(v: unknown, attackBetas: readonly number[]): ScaleConfig {
  if (v === undefined) return { ...DEFAULT_SCALE, betas: DEFAULT_SCALE.betas.filter((b) => attackBetas.includes(b)) };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Malformed('config "scale" expected an object');
  const o = v as Record<string, unknown>;
  const pick = <T>(k: string, f: (x: unknown) => T, dflt: T): T => (o[k] === undefined ? dflt : f(o[k]));
  const betas = pick('betas', (x) => numbers(x, 'scale.betas', 0).filter((b) => b > 0), DEFAULT_SCALE.betas);
  for (const b of betas) if (!attackBetas.includes(b)) throw new Malformed(`config "scale.betas" value ${b} is not in attackBetas (the frontier needs its attack results)`);
  const unit = (x: unknown, what: string) => {
    if (typeof x !== 'number' || !(x > 0 && x <= 1)) throw new Malformed(`config "${what}" expected a number in (0, 1]`);
    return x;
  };
  const ints = (k: string, min: number) => (x: unknown) => numbers(x, `scale.${k}`, min).map((n) => integer(n, `scale.${k}`, min));
  return {
    betas: [...betas].sort((a, b) => a - b),
    depths: [...pick('depths', ints('depths', 1), DEFAULT_SCALE.depths)].sort((a, b) => a - b),
    k: pick('k', (x) => integer(x, 'scale.k', 1), DEFAULT_SCALE.k),
    sizes: [...pick('sizes', ints('sizes', 2), DEFAULT_SCALE.sizes)].sort((a, b) => a - b),
    maxQueries: pick('maxQueries', (x) => integer(x, 'scale.maxQueries', 1), DEFAULT_SCALE.maxQueries),
    hnsw: pick('hnsw', (x) => {
      if (typeof x !== 'boolean') throw new Malformed('config "scale.hnsw" expected true or false');
      return x;
    }, DEFAULT_SCALE.hnsw),
    hnswMaxRows: pick('hnswMaxRows', (x) => (x === null ? null : integer(x, 'scale.hnswMaxRows', 1)), DEFAULT_SCALE.hnswMaxRows),
    extrapolateTo: pick('extrapolateTo', ints('extrapolateTo', 2), DEFAULT_SCALE.extrapolateTo),
    budgetMs: pick('budgetMs', (x) => numbers([x], 'scale.budgetMs', 0)[0]!, DEFAULT_SCALE.budgetMs),
    budgetDimension: pick('budgetDimension', (x) => integer(x, 'scale.budgetDimension', 1), DEFAULT_SCALE.budgetDimension),
    privateTarget: pick('privateTarget', (x) => unit(x, 'scale.privateTarget'), DEFAULT_SCALE.privateTarget),
  };
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
    scale: scaleConfig(o.scale, attackBetas),
  };
}

/** The smoke-test variant: fixtures only, a coarse sweep, small attacks; under two minutes. */
export function quickVariant(c: BenchConfig): BenchConfig {
  const attackBetas = [0.5, 1, 2, 4];
  return {
    ...c,
    scale: { ...c.scale, betas: c.scale.betas.filter((b) => attackBetas.includes(b)), maxQueries: Math.min(c.scale.maxQueries, 30) },
    betaSweep: [0, 0.5, 1, 2, 4],
    attackBetas,
    knownPairs: [10, 100],
    attackPool: 400,
    attackTargets: 80,
    sampleSize: 300,
    pcaKs: [0, 1, 4, 16],
    averagingRepeats: [1, 4, 16],
    averagingVectors: 20,
    datasets: c.datasets.filter((d) => d.kind === 'fixture'),
  };
}
