/**
 * Joins the size sweep with the attack sweep: for each dataset at its largest measured size, one
 * point per (beta, depth) with the recall ratio to plaintext (exact and HNSW candidate search)
 * and the attacks at that beta. The attacks come from the same family's attack run: the attack
 * pool is a 2,000-row sample whatever the collection size, so they do not depend on it.
 */
import type { DepthPoint } from './depth-presets.js';
import { bestAttack, bestKeyHolder, goalDatasets, goalPairs } from './frontier.js';
import type { DatasetResult } from './results.js';
import type { CandidateSearch, ScaleRun } from './run-scale.js';

export function recallAt(run: ScaleRun, betaRel: number, depth: number, search: CandidateSearch, size = run.fullRows): number | undefined {
  return run.points.find((p) => p.betaRel === betaRel && p.depth === depth && p.search === search && p.size === size)?.recall;
}

export function plainRecall(run: ScaleRun, search: CandidateSearch, size = run.fullRows): number | undefined {
  return run.plain.find((p) => p.search === search && p.size === size)?.recall;
}

/** recall / plaintext recall for the same candidate search and size. */
export function ratioAt(run: ScaleRun, betaRel: number, depth: number, search: CandidateSearch, size = run.fullRows): number | undefined {
  const r = recallAt(run, betaRel, depth, search, size);
  const p = plainRecall(run, search, size);
  return r === undefined || p === undefined || !(p > 0) ? undefined : r / p;
}

/** The attack results paired with a size-sweep run: the goal dataset of the same family. */
export function attackSourceFor(run: ScaleRun, datasets: readonly DatasetResult[]): DatasetResult | undefined {
  return goalDatasets(datasets).find((d) => d.family === run.family);
}

export function depthPoints(runs: readonly ScaleRun[], datasets: readonly DatasetResult[]): DepthPoint[] {
  const out: DepthPoint[] = [];
  for (const run of runs) {
    const src = attackSourceFor(run, datasets);
    if (!src) continue;
    const pairs = goalPairs(src);
    for (const betaRel of run.betas) {
      const atk = src.attacks?.runs.find((r) => r.scheme === 'sealvec' && r.betaRel === betaRel);
      const best = atk ? bestAttack(atk, pairs) : undefined;
      if (!atk || !best) continue;
      const kh = bestKeyHolder(atk);
      for (const depth of run.depths) {
        const exact = ratioAt(run, betaRel, depth, 'exact');
        if (exact === undefined) continue;
        const hnsw = ratioAt(run, betaRel, depth, 'hnsw');
        out.push({
          dataset: run.name,
          textual: run.modality === 'text' || run.modality === 'unknown',
          betaRel,
          depth,
          size: run.fullRows,
          ratio: { exact, ...(hnsw !== undefined ? { hnsw } : {}) },
          attackMean: best.stats.mean,
          attackShare: best.stats.shareAbove,
          attackName: best.attack,
          ...(kh ? { keyHolderMean: kh.stats.mean, keyHolderShare: kh.stats.shareAbove } : {}),
        });
      }
    }
  }
  return out;
}
