/**
 * Presets as (beta, candidate depth) pairs, chosen from the measured frontier at scale (issue
 * #14). Pure functions over per-dataset points, so the rule is written down once, tested, and
 * its reasoning printed into the report:
 *
 * - Recall: on every dataset, at the largest collection size measured, recall@10 with exact
 *   re-rank of k x depth candidates is at least RECALL_RATIO of plaintext search, for every
 *   candidate search measured (exact: plaintext recall is 1; HNSW: plaintext is Qdrant's own
 *   HNSW top-k at its defaults).
 * - Leakage: the best attack with 1,000 known pairs (any family but the key holder) has mean
 *   cosine at most the target: 0.90 on every dataset for the default ("balanced"), the private
 *   target (0.85) on every text-embedding dataset for "private".
 * - Cost: the client overhead of re-ranking k x depth candidates at the budget dimension (from
 *   `pnpm bench:search`) is at most the budget (40 ms at d = 1536).
 *
 * Among the pairs meeting recall and leakage within the budget, the preset is the most private
 * one (lowest worst-case attack; ties to the smaller depth, then the smaller beta). When none is
 * within the budget, it is the least depth that meets recall and leakage, at its most private
 * beta, and the report says the budget is exceeded. When no pair meets both, the report says so
 * and shows the nearest pair (smallest total shortfall); for "private", which a user picks for
 * its leakage, the fallback is leakage first instead (see `leakageFirst`). "fast" is the least depth measured at
 * the largest beta meeting recall, whatever it leaks (reported).
 */

export const RECALL_RATIO = 0.95;
export const DEFAULT_LEAKAGE = 0.9;

/** One dataset at one (beta, depth): the measured recall (largest size) and the attacks at that beta. */
export interface DepthPoint {
  readonly dataset: string;
  readonly textual: boolean;
  readonly betaRel: number;
  readonly depth: number;
  readonly size: number;
  /** recall@10 over plaintext recall, per candidate search measured. */
  readonly ratio: { readonly exact: number; readonly hnsw?: number };
  /** Best attack with 1,000 known pairs (or all available): mean cosine and share >= 0.90. */
  readonly attackMean: number;
  readonly attackShare: number;
  readonly attackName: string;
  readonly keyHolderMean?: number;
  readonly keyHolderShare?: number;
}

export type DepthPresetName = 'fast' | 'balanced' | 'private';

export interface PairSummary {
  readonly betaRel: number;
  readonly depth: number;
  /** Worst ratio over the datasets and candidate searches. */
  readonly worstRatio: number;
  readonly worstRatioExact: number;
  readonly worstRatioHnsw?: number;
  /** Worst attack over the datasets the preset's leakage is judged on. */
  readonly worstAttack: number;
  readonly worstAttackAll: number;
  readonly worstKeyHolder?: number;
  readonly costMs?: number;
  readonly meetsRecall: boolean;
  readonly meetsLeakage: boolean;
  readonly withinBudget?: boolean;
}

export interface DepthPresetChoice {
  readonly name: DepthPresetName;
  readonly met: boolean;
  readonly pair?: PairSummary;
  /** When not met: the measured pair closest to the goal. */
  readonly nearest?: PairSummary;
  /** Not met, and the pair was chosen leakage first (private): recall reported, not required. */
  readonly leakageFirst?: boolean;
  readonly leakageTarget?: number;
  readonly judgedOn: readonly string[];
  readonly reasoning: readonly string[];
}

export interface PresetRuleOptions {
  readonly recallRatio?: number;
  readonly leakage?: number;
  readonly privateLeakage: number;
  readonly budgetMs: number;
  readonly budgetDimension: number;
  /** Client cost (ms, p50) of re-ranking k x depth candidates at the budget dimension; undefined when not measured. */
  readonly cost: (depth: number) => number | undefined;
}

/** Per dataset, does any measured pair meet both conditions; if not, its nearest pair. */
export interface DatasetGoal {
  readonly dataset: string;
  readonly met: boolean;
  readonly best?: DepthPoint;
}

const f3 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));

function worstRatioOf(p: DepthPoint): number {
  return Math.min(p.ratio.exact, p.ratio.hnsw ?? Infinity);
}

/** The (beta, depth) pairs measured on every dataset. */
export function commonPairs(points: readonly DepthPoint[]): { betaRel: number; depth: number }[] {
  const datasets = [...new Set(points.map((p) => p.dataset))];
  const key = (b: number, d: number) => `${b}|${d}`;
  const counts = new Map<string, { betaRel: number; depth: number; n: Set<string> }>();
  for (const p of points) {
    const k = key(p.betaRel, p.depth);
    const e = counts.get(k) ?? { betaRel: p.betaRel, depth: p.depth, n: new Set() };
    e.n.add(p.dataset);
    counts.set(k, e);
  }
  return [...counts.values()]
    .filter((e) => e.n.size === datasets.length)
    .map(({ betaRel, depth }) => ({ betaRel, depth }))
    .sort((a, b) => a.depth - b.depth || a.betaRel - b.betaRel);
}

export function summarizePair(points: readonly DepthPoint[], betaRel: number, depth: number, judged: (p: DepthPoint) => boolean, target: number, recallRatio: number, opts: PresetRuleOptions): PairSummary {
  const at = points.filter((p) => p.betaRel === betaRel && p.depth === depth);
  const hnsw = at.map((p) => p.ratio.hnsw).filter((v): v is number => v !== undefined);
  const worstRatioExact = Math.min(...at.map((p) => p.ratio.exact));
  const worstRatio = Math.min(...at.map(worstRatioOf));
  const judgedAt = at.filter(judged);
  const worstAttack = Math.max(...judgedAt.map((p) => p.attackMean));
  const worstAttackAll = Math.max(...at.map((p) => p.attackMean));
  const kh = at.map((p) => p.keyHolderMean).filter((v): v is number => v !== undefined);
  const costMs = opts.cost(depth);
  return {
    betaRel,
    depth,
    worstRatio,
    worstRatioExact,
    ...(hnsw.length ? { worstRatioHnsw: Math.min(...hnsw) } : {}),
    worstAttack,
    worstAttackAll,
    ...(kh.length ? { worstKeyHolder: Math.max(...kh) } : {}),
    ...(costMs !== undefined ? { costMs, withinBudget: costMs <= opts.budgetMs } : {}),
    meetsRecall: worstRatio >= recallRatio,
    meetsLeakage: worstAttack <= target,
  };
}

function shortfall(s: PairSummary, recallRatio: number, target: number): number {
  return Math.max(0, recallRatio - s.worstRatio) + Math.max(0, s.worstAttack - target);
}

function describePair(s: PairSummary): string {
  const cost = s.costMs !== undefined ? `, client ~${s.costMs.toFixed(0)} ms` : '';
  return `beta ${s.betaRel} at depth x${s.depth} (worst recall ratio ${f3(s.worstRatio)}${s.worstRatioHnsw !== undefined ? `, HNSW ${f3(s.worstRatioHnsw)}` : ''}; worst attack ${f3(s.worstAttack)}${cost})`;
}

function mostPrivate(list: readonly PairSummary[]): PairSummary | undefined {
  return [...list].sort((a, b) => a.worstAttack - b.worstAttack || a.depth - b.depth || a.betaRel - b.betaRel)[0];
}

function chooseGoal(name: 'balanced' | 'private', points: readonly DepthPoint[], target: number, textOnly: boolean, opts: PresetRuleOptions): DepthPresetChoice {
  const recallRatio = opts.recallRatio ?? RECALL_RATIO;
  const textual = points.filter((p) => p.textual);
  const judgedText = textOnly && textual.length > 0;
  const judged = (p: DepthPoint) => !judgedText || p.textual;
  const judgedOn = [...new Set(points.filter(judged).map((p) => p.dataset))];
  const pairs = commonPairs(points).map(({ betaRel, depth }) => summarizePair(points, betaRel, depth, judged, target, recallRatio, opts));
  const feasible = pairs.filter((s) => s.meetsRecall && s.meetsLeakage);
  const where = judgedText ? 'every text-embedding dataset' : 'every dataset';
  const reasoning: string[] = [
    `Goal: recall@10 >= ${recallRatio} of plaintext on every dataset (largest size measured, every candidate search measured) and best attack with 1,000 known pairs <= ${target} on ${where} (${judgedOn.join(', ')}), at a client overhead <= ${opts.budgetMs} ms per query at d = ${opts.budgetDimension}.`,
    `${pairs.length} (beta, depth) pairs were measured on every dataset; ${pairs.filter((s) => s.meetsRecall).length} meet recall, ${pairs.filter((s) => s.meetsLeakage).length} meet leakage, ${feasible.length} meet both.`,
  ];
  if (feasible.length === 0) {
    if (name === 'private') {
      const first = leakageFirst(points, pairs, judgedOn, target, opts);
      if (first) {
        reasoning.push(`No measured pair meets both. ${first.why}`);
        return { name, met: false, pair: first.pair, leakageFirst: true, leakageTarget: target, judgedOn, reasoning };
      }
    }
    const nearest = [...pairs].sort((a, b) => shortfall(a, recallRatio, target) - shortfall(b, recallRatio, target) || a.depth - b.depth)[0];
    reasoning.push(`No measured pair meets both. Nearest: ${nearest ? describePair(nearest) : 'none'}.`);
    return { name, met: false, ...(nearest ? { nearest } : {}), leakageTarget: target, judgedOn, reasoning };
  }
  const priced = feasible.filter((s) => s.withinBudget !== undefined);
  if (priced.length < feasible.length) {
    reasoning.push('The client cost of some depths is unknown (no `pnpm bench:search` results at the budget dimension): they are judged without the budget.');
  }
  const inBudget = feasible.filter((s) => s.withinBudget === true || s.withinBudget === undefined);
  let pair: PairSummary | undefined;
  if (inBudget.length) {
    pair = mostPrivate(inBudget);
    reasoning.push(`${inBudget.length} of them fit the budget; the most private is ${describePair(pair!)}.`);
  } else {
    const least = Math.min(...feasible.map((s) => s.depth));
    pair = mostPrivate(feasible.filter((s) => s.depth === least));
    reasoning.push(`None fits the ${opts.budgetMs} ms budget; the least depth that meets the goal is x${least}: ${describePair(pair!)}. The budget is exceeded.`);
  }
  const rejected = pairs.filter((s) => s.depth === pair!.depth && s.betaRel > pair!.betaRel && !s.meetsRecall)[0];
  if (rejected) reasoning.push(`A larger beta at the same depth (${rejected.betaRel}) would leak less but recall falls to ${f3(rejected.worstRatio)}.`);
  return { name, met: true, pair: pair!, leakageTarget: target, judgedOn, reasoning };
}

/**
 * The private preset when no pair meets both goals: leakage comes first, since that is what a
 * user picks "private" for. The smallest beta at which the best attack is within the target on
 * every judged dataset that reaches the target at some measured beta (the others are named), at
 * the deepest depth within the client budget (or the least depth, when none is); its recall is
 * reported, not required. Undefined when no judged dataset reaches the target at all.
 */
function leakageFirst(points: readonly DepthPoint[], pairs: readonly PairSummary[], judgedOn: readonly string[], target: number, opts: PresetRuleOptions): { pair: PairSummary; why: string } | undefined {
  const attack = (dataset: string, beta: number) => points.find((p) => p.dataset === dataset && p.betaRel === beta)?.attackMean;
  const betas = [...new Set(pairs.map((s) => s.betaRel))].sort((a, b) => a - b);
  const reaching = judgedOn.filter((d) => betas.some((b) => (attack(d, b) ?? Infinity) <= target));
  if (!reaching.length) return undefined;
  const never = judgedOn.filter((d) => !reaching.includes(d));
  const beta = betas.find((b) => reaching.every((d) => (attack(d, b) ?? Infinity) <= target));
  if (beta === undefined) return undefined;
  const atBeta = pairs.filter((s) => s.betaRel === beta).sort((a, b) => a.depth - b.depth);
  const affordable = atBeta.filter((s) => s.withinBudget !== false);
  const pair = affordable.length ? affordable[affordable.length - 1]! : atBeta[0]!;
  const neverText = never.length ? ` ${never.join(', ')} never reach${never.length === 1 ? 'es' : ''} ${target} on the measured grid (its best attack at that beta: ${never.map((d) => f3(attack(d, beta))).join(', ')}).` : '';
  const depthText = affordable.length ? `the deepest depth within the ${opts.budgetMs} ms budget` : `the least depth (none fits the ${opts.budgetMs} ms budget)`;
  return {
    pair,
    why: `Private puts leakage first: the smallest beta whose best attack is <= ${target} on ${reaching.join(', ')} is ${beta}, taken at ${depthText}: ${describePair(pair)}.${neverText} Its recall is reported, not required: worst recall ratio ${f3(pair.worstRatio)} over every dataset at its largest size; read the per-dataset tables before using it on a large collection of dense vectors.`,
  };
}

function chooseFast(points: readonly DepthPoint[], opts: PresetRuleOptions): DepthPresetChoice {
  const recallRatio = opts.recallRatio ?? RECALL_RATIO;
  const pairs = commonPairs(points);
  const datasets = [...new Set(points.map((p) => p.dataset))];
  if (!pairs.length) return { name: 'fast', met: false, judgedOn: datasets, reasoning: ['No (beta, depth) pair was measured on every dataset.'] };
  const depth = Math.min(...pairs.map((p) => p.depth));
  const all = () => true;
  const ok = pairs
    .filter((p) => p.depth === depth)
    .map((p) => summarizePair(points, p.betaRel, p.depth, all, Infinity, recallRatio, opts))
    .filter((s) => s.meetsRecall)
    .sort((a, b) => b.betaRel - a.betaRel);
  const reasoning = [`The least depth measured, x${depth}, at the largest beta whose recall@10 stays >= ${recallRatio} of plaintext on every dataset; its leakage is reported, not bounded.`];
  if (!ok.length) {
    reasoning.push(`No beta meets recall at x${depth}.`);
    return { name: 'fast', met: false, judgedOn: datasets, reasoning };
  }
  reasoning.push(`Chosen: ${describePair(ok[0]!)}.`);
  return { name: 'fast', met: true, pair: ok[0]!, judgedOn: datasets, reasoning };
}

export function chooseDepthPresets(points: readonly DepthPoint[], opts: PresetRuleOptions): DepthPresetChoice[] {
  return [chooseFast(points, opts), chooseGoal('balanced', points, opts.leakage ?? DEFAULT_LEAKAGE, false, opts), chooseGoal('private', points, opts.privateLeakage, true, opts)];
}

/** Per dataset: can any measured pair meet recall and leakage on it alone? If not, its nearest pair. */
export function goalPerDataset(points: readonly DepthPoint[], target: number, recallRatio = RECALL_RATIO): DatasetGoal[] {
  const datasets = [...new Set(points.map((p) => p.dataset))];
  return datasets.map((dataset) => {
    const mine = points.filter((p) => p.dataset === dataset);
    const gap = (p: DepthPoint) => Math.max(0, recallRatio - worstRatioOf(p)) + Math.max(0, p.attackMean - target);
    const sorted = [...mine].sort((a, b) => gap(a) - gap(b) || a.depth - b.depth || a.attackMean - b.attackMean);
    const best = sorted[0];
    return { dataset, met: best !== undefined && gap(best) === 0, ...(best ? { best } : {}) };
  });
}
