/**
 * The machine-readable results every report is made from (benchmarks/results/results.json),
 * and how a partial run (recall only, attacks only) merges into an earlier file.
 */
import type { DatasetMetric } from '../datasets/groundtruth.js';
import type { DatasetKind, Modality } from './config.js';
import type { PresetChoice, GoalVerdict } from './presets.js';
import type { AttackSetup, AveragingRun, SchemeAttackRun } from './run-attacks.js';
import type { RecallRun } from './run-recall.js';
import type { StructuredProbe } from './structured-probe.js';
import type { ScaleConfig } from './config.js';
import type { DatasetGoal, DepthPresetChoice } from './depth-presets.js';
import type { ScaleRun } from './run-scale.js';
import type { CostFit } from '../search-bench.js';

export const RESULTS_VERSION = 1;

export interface DatasetResult {
  readonly name: string;
  readonly family: string;
  readonly kind: DatasetKind;
  readonly modality: Modality;
  readonly path: string;
  readonly metric: DatasetMetric;
  readonly cipherMetric: string;
  readonly dim: number;
  readonly baseRows: number;
  readonly queryRows: number;
  readonly betaUnit: number;
  readonly groundTruthComputed: boolean;
  readonly source: string;
  readonly license: string;
  readonly note?: string;
  recall?: RecallRun[];
  attacks?: { setup: AttackSetup; runs: SchemeAttackRun[]; averaging: AveragingRun[]; structuredProbe?: StructuredProbe };
}

export interface SkippedDataset {
  readonly name: string;
  readonly path: string;
  readonly reason: string;
}

export interface CorePreset {
  readonly name: string;
  readonly betaRel: number;
  readonly oversample: number;
}

export interface BenchResults {
  readonly version: number;
  generatedAt: string;
  mode: 'full' | 'quick' | 'user';
  readonly environment: { node: string; cpu: string; cores: number };
  readonly seed: number;
  datasets: DatasetResult[];
  skipped: SkippedDataset[];
  /** Names of the datasets the presets and the goal are judged on. */
  goalDatasets?: string[];
  presets?: PresetChoice[];
  goal?: GoalVerdict;
  /** The presets compiled into @sealvec/core when this run was made. */
  corePresets?: CorePreset[];
  /** The size and depth sweep (issue #14). */
  scale?: { config: ScaleConfig; runs: ScaleRun[]; skipped: SkippedDataset[] };
  /** Presets as (beta, depth) pairs from the sweep, with the rule's reasoning. */
  depthPresets?: DepthPresetChoice[];
  depthGoal?: DatasetGoal[];
  /** The client cost per candidate the depth presets were priced with (from search.json). */
  clientCost?: { source: string; date: string; fits: readonly CostFit[] } | undefined;
  seconds?: Record<string, number>;
}

/** Keeps the other phase's data when only one phase reran (matched by dataset name). */
export function mergeResults(prev: BenchResults | undefined, next: BenchResults): BenchResults {
  if (!prev || prev.version !== next.version) return next;
  const datasets = next.datasets.map((d) => {
    const old = prev.datasets.find((o) => o.name === d.name && o.baseRows === d.baseRows && o.dim === d.dim);
    if (!old) return d;
    return { ...d, ...(d.recall ? {} : old.recall ? { recall: old.recall } : {}), ...(d.attacks ? {} : old.attacks ? { attacks: old.attacks } : {}) };
  });
  for (const o of prev.datasets) if (!datasets.some((d) => d.name === o.name)) datasets.push(o);
  const scale = next.scale ?? prev.scale;
  return { ...prev, ...next, datasets, ...(scale ? { scale } : {}), seconds: { ...(prev.seconds ?? {}), ...(next.seconds ?? {}) } };
}
