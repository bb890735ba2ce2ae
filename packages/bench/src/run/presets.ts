/**
 * Choosing presets from measured results, and judging the goal. Pure functions over the
 * per-dataset frontier so the rule is testable and written down in one place:
 *
 * - fast:     the largest beta whose recall@10 with a cheap re-rank (oversample 2) stays >= 0.95
 *             on every goal dataset;
 * - balanced: the largest beta whose recall@10 with re-rank oversample 10 stays >= 0.95 on every
 *             goal dataset (the default);
 * - private:  the smallest beta at which the best attack with 1,000 known pairs stays at mean
 *             cosine <= 0.90 on every text-embedding goal dataset (where that threshold means
 *             text inversion; on non-negative image and descriptor data the mean vector alone
 *             already has cosine ~0.6-0.8), whatever its recall (reported).
 * Only betas where both recall and attacks were measured are candidates.
 */

export const RECALL_TARGET = 0.95;
export const LEAKAGE_TARGET = 0.9;

/** One measured point: a dataset at one relative beta. */
export interface FrontierPoint {
  readonly betaRel: number;
  /** recall@10 per oversample (keys are oversample factors). */
  readonly recall10: Readonly<Record<number, number>>;
  /** Best attack's mean cosine with min(1000, available) known pairs (any attack family but the key holder). */
  readonly attackMean: number;
  readonly attackName: string;
  /** The key holder's (searcher's) best estimate, for reference. */
  readonly keyHolderMean?: number;
}

export interface DatasetFrontier {
  readonly name: string;
  /** Text embeddings (or unknown data, treated as text to stay conservative). */
  readonly textual: boolean;
  readonly points: readonly FrontierPoint[];
}

export interface PresetChoice {
  readonly name: 'fast' | 'balanced' | 'private';
  readonly betaRel: number | undefined;
  readonly rule: string;
  /** Worst recall@10 (at the rule's oversample) and worst attack over the goal datasets. */
  readonly worstRecall10: number | undefined;
  readonly oversample: number;
  readonly worstAttackMean: number | undefined;
}

export interface GoalVerdict {
  readonly met: boolean;
  /** Betas meeting both conditions on every goal dataset. */
  readonly feasibleBetas: readonly number[];
  /** Per dataset: the largest beta meeting recall, the smallest meeting leakage, and whether they overlap. */
  readonly perDataset: readonly {
    readonly name: string;
    readonly maxBetaForRecall: number | undefined;
    readonly attackAtThatBeta: number | undefined;
    readonly minBetaForLeakage: number | undefined;
    readonly recallAtThatBeta: number | undefined;
    readonly feasible: boolean;
  }[];
}

function commonBetas(frontiers: readonly DatasetFrontier[]): number[] {
  if (frontiers.length === 0) return [];
  let betas = frontiers[0]!.points.map((p) => p.betaRel);
  for (const f of frontiers.slice(1)) betas = betas.filter((b) => f.points.some((p) => p.betaRel === b));
  return betas.sort((a, b) => a - b);
}

function at(f: DatasetFrontier, beta: number): FrontierPoint {
  const p = f.points.find((q) => q.betaRel === beta);
  if (!p) throw new Error(`frontier of ${f.name} lacks beta ${beta}`);
  return p;
}

function worst(frontiers: readonly DatasetFrontier[], beta: number, oversample: number) {
  let recall = Infinity;
  let attack = -Infinity;
  for (const f of frontiers) {
    const p = at(f, beta);
    recall = Math.min(recall, p.recall10[oversample] ?? -Infinity);
    attack = Math.max(attack, p.attackMean);
  }
  return { recall, attack };
}

export function choosePresets(frontiers: readonly DatasetFrontier[]): PresetChoice[] {
  const betas = commonBetas(frontiers);
  const recallRule = (name: 'fast' | 'balanced', o: number): PresetChoice => {
    const ok = betas.filter((b) => b > 0 && worst(frontiers, b, o).recall >= RECALL_TARGET);
    const b = ok.length ? ok[ok.length - 1] : undefined;
    const w = b !== undefined ? worst(frontiers, b, o) : undefined;
    return {
      name,
      betaRel: b,
      rule: `largest beta with recall@10 >= ${RECALL_TARGET} at re-rank oversample ${o} on every dataset`,
      worstRecall10: w?.recall,
      oversample: o,
      worstAttackMean: w?.attack,
    };
  };
  const priv = (() => {
    const textual = frontiers.filter((f) => f.textual);
    const judged = textual.length ? textual : frontiers;
    const ok = betas.filter((b) => b > 0 && worst(judged, b, 10).attack <= LEAKAGE_TARGET);
    const b = ok.length ? ok[0] : undefined;
    const w = b !== undefined ? worst(frontiers, b, 10) : undefined;
    return {
      name: 'private' as const,
      betaRel: b,
      rule: `smallest beta where the best attack with 1,000 known pairs has mean cosine <= ${LEAKAGE_TARGET} on every ${textual.length ? 'text-embedding ' : ''}dataset`,
      worstRecall10: w?.recall,
      oversample: 10,
      worstAttackMean: w?.attack,
    };
  })();
  return [recallRule('fast', 2), recallRule('balanced', 10), priv];
}

export function judgeGoal(frontiers: readonly DatasetFrontier[]): GoalVerdict {
  const betas = commonBetas(frontiers);
  const feasibleBetas = betas.filter((b) => {
    const w = worst(frontiers, b, 10);
    return w.recall >= RECALL_TARGET && w.attack <= LEAKAGE_TARGET;
  });
  const perDataset = frontiers.map((f) => {
    const pts = [...f.points].sort((a, b) => a.betaRel - b.betaRel);
    const recallOk = pts.filter((p) => (p.recall10[10] ?? -Infinity) >= RECALL_TARGET);
    const leakOk = pts.filter((p) => p.attackMean <= LEAKAGE_TARGET);
    const r = recallOk[recallOk.length - 1];
    const l = leakOk[0];
    return {
      name: f.name,
      maxBetaForRecall: r?.betaRel,
      attackAtThatBeta: r?.attackMean,
      minBetaForLeakage: l?.betaRel,
      recallAtThatBeta: l?.recall10[10],
      feasible: pts.some((p) => (p.recall10[10] ?? -Infinity) >= RECALL_TARGET && p.attackMean <= LEAKAGE_TARGET),
    };
  });
  return { met: feasibleBetas.length > 0, feasibleBetas, perDataset };
}
