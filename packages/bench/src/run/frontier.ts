/**
 * From raw results to the per-dataset frontier (recall versus best attack at each beta), the
 * goal datasets, and the best attack at a given number of known pairs.
 */
import type { AttackResult, SchemeAttackRun } from './run-attacks.js';
import type { DatasetFrontier, FrontierPoint } from './presets.js';
import type { DatasetResult } from './results.js';

/** The goal's attacker: 1,000 known pairs (or all available when the dataset is smaller). */
export const GOAL_PAIRS = 1000;

/** Pairs the goal's attacker uses on this dataset: 1,000 or the most available. */
export function goalPairs(d: DatasetResult): number {
  const s = d.attacks?.setup;
  if (!s) return GOAL_PAIRS;
  return s.knownPairs.includes(GOAL_PAIRS) ? GOAL_PAIRS : Math.max(...s.knownPairs.filter((n) => n <= GOAL_PAIRS), 0) || s.knownMax;
}

/** Best result (highest mean cosine) among attacks with at most `pairs` known pairs, key holder excluded. */
export function bestAttack(run: SchemeAttackRun, pairs: number): AttackResult | undefined {
  let best: AttackResult | undefined;
  for (const r of run.results) {
    if (r.family === 'key-holder') continue;
    if (r.knownPairs > pairs) continue;
    if (!best || r.stats.mean > best.stats.mean) best = r;
  }
  return best;
}

export function bestKeyHolder(run: SchemeAttackRun): AttackResult | undefined {
  let best: AttackResult | undefined;
  for (const r of run.results) if (r.family === 'key-holder' && (!best || r.stats.mean > best.stats.mean)) best = r;
  return best;
}

export function frontierOf(d: DatasetResult): DatasetFrontier {
  const points: FrontierPoint[] = [];
  const pairs = goalPairs(d);
  for (const run of d.attacks?.runs ?? []) {
    if (run.scheme !== 'sealvec') continue;
    const rec = d.recall?.find((r) => r.betaRel === run.betaRel);
    const best = bestAttack(run, pairs);
    if (!rec || !best) continue;
    const recall10: Record<number, number> = {};
    for (const p of rec.points) if (p.k === 10) recall10[p.oversample] = p.recall;
    const kh = bestKeyHolder(run);
    points.push({
      betaRel: run.betaRel,
      recall10,
      attackMean: best.stats.mean,
      attackName: best.attack,
      ...(kh ? { keyHolderMean: kh.stats.mean } : {}),
    });
  }
  return { name: d.name, textual: d.modality === 'text' || d.modality === 'unknown', points: points.sort((a, b) => a.betaRel - b.betaRel) };
}

/**
 * The datasets the goal and the presets are judged on: per family, the full shared set when it
 * was run, else its fixture; user datasets when the run was only on user data.
 */
export function goalDatasets(all: readonly DatasetResult[]): DatasetResult[] {
  const byFamily = new Map<string, DatasetResult>();
  const rank = (d: DatasetResult) => (d.kind === 'shared' ? 2 : d.kind === 'user' ? 1 : 0);
  for (const d of all) {
    if (!d.recall || !d.attacks) continue;
    const cur = byFamily.get(d.family);
    if (!cur || rank(d) > rank(cur) || (rank(d) === rank(cur) && d.baseRows > cur.baseRows)) byFamily.set(d.family, d);
  }
  return [...byFamily.values()];
}
