import { describe, expect, it } from 'vitest';
import { chooseDepthPresets, commonPairs, type DepthPoint, goalPerDataset, type PresetRuleOptions } from './depth-presets.js';

/**
 * A toy frontier with the cipher's shape: recall falls with beta and rises with depth; the
 * attack falls with beta and does not depend on depth.
 */
function frontier(datasets: { name: string; textual: boolean; hard: number }[], betas = [1, 2, 3], depths = [4, 10, 40]): DepthPoint[] {
  const out: DepthPoint[] = [];
  for (const d of datasets) {
    for (const b of betas) {
      for (const m of depths) {
        const recall = Math.min(1, 1 - (d.hard * b * b) / (m * 10));
        out.push({
          dataset: d.name,
          textual: d.textual,
          betaRel: b,
          depth: m,
          size: 1000,
          ratio: { exact: recall, hnsw: recall - 0.005 },
          attackMean: 1 - 0.05 * b,
          attackShare: b === 1 ? 0.9 : 0.1,
          attackName: 'kp-procrustes',
          keyHolderMean: 1 - 0.04 * b,
          keyHolderShare: 0.5,
        });
      }
    }
  }
  return out;
}

const cost = (perCandidate: number) => (depth: number) => 5 + perCandidate * 10 * depth;
const opts = (o: Partial<PresetRuleOptions> = {}): PresetRuleOptions => ({ privateLeakage: 0.85, budgetMs: 40, budgetDimension: 1536, cost: cost(0.05), ...o });

describe('presets as (beta, depth) pairs', () => {
  it('pick the most private pair meeting recall and leakage within the budget', () => {
    // 0.90 needs beta >= 2; recall at beta 2 needs depth 40 (1 - 0.4*4/400 = 0.996) or 10 (0.984).
    const pts = frontier([{ name: 'a', textual: true, hard: 0.4 }]);
    const [fast, balanced, priv] = chooseDepthPresets(pts, opts());
    expect(balanced!.met).toBe(true);
    // beta 3 (attack 0.85) is the most private; x10 already gives recall 1 - 0.4*9/100 = 0.964
    // (HNSW 0.959), so the tie between x10 and x40 goes to the cheaper depth (10 ms).
    expect(balanced!.pair).toMatchObject({ betaRel: 3, depth: 10, meetsRecall: true, meetsLeakage: true, withinBudget: true });
    expect(balanced!.pair!.costMs).toBeCloseTo(10, 10);
    expect(priv!.met).toBe(true);
    expect(priv!.pair!.worstAttack).toBeLessThanOrEqual(0.85);
    // fast: least depth (x4), largest beta with recall >= 0.95: beta 1 (0.99); beta 2 gives 0.96; beta 3 gives 0.91.
    expect(fast!.pair).toMatchObject({ betaRel: 2, depth: 4 });
    expect(balanced!.reasoning.join(' ')).toMatch(/fit the budget; the most private/);
  });

  it('fall back to the least depth that meets the goal when none fits the budget, and say so', () => {
    const pts = frontier([{ name: 'a', textual: true, hard: 0.4 }]);
    const [, balanced] = chooseDepthPresets(pts, opts({ cost: cost(1) }));
    expect(balanced!.met).toBe(true);
    expect(balanced!.pair!.withinBudget).toBe(false);
    // Least feasible depth is x4 (beta 2: recall 0.96, attack 0.90).
    expect(balanced!.pair).toMatchObject({ depth: 4, betaRel: 2 });
    expect(balanced!.reasoning.join(' ')).toMatch(/budget is exceeded/);
  });

  it('judge recall on every dataset and every candidate search, and report the nearest pair when nothing meets the goal', () => {
    const pts = frontier([
      { name: 'easy', textual: true, hard: 0.1 },
      { name: 'dense', textual: false, hard: 10 },
    ]);
    const [, balanced, priv] = chooseDepthPresets(pts, opts());
    expect(balanced!.met).toBe(false);
    expect(balanced!.pair).toBeUndefined();
    expect(balanced!.nearest).toBeDefined();
    expect(balanced!.reasoning.join(' ')).toMatch(/No measured pair meets both/);
    // private judges leakage on text sets only, recall still everywhere.
    expect(priv!.judgedOn).toEqual(['easy']);
    const per = goalPerDataset(pts, 0.9);
    expect(per.find((g) => g.dataset === 'easy')!.met).toBe(true);
    const dense = per.find((g) => g.dataset === 'dense')!;
    expect(dense.met).toBe(false);
    expect(dense.best).toBeDefined();
  });

  it('private puts leakage first when nothing meets both: smallest beta within the target where reachable, deepest affordable depth', () => {
    // attack = 1 - 0.05 beta: 0.85 needs beta 3 on every set; recall on 'dense' fails there at every depth.
    const pts = frontier([
      { name: 'words', textual: true, hard: 10 },
      { name: 'chunks', textual: true, hard: 0.1 },
      { name: 'pixels', textual: false, hard: 0.1 },
    ]);
    const [, , priv] = chooseDepthPresets(pts, opts({ cost: cost(0.05) }));
    expect(priv!.met).toBe(false);
    expect(priv!.leakageFirst).toBe(true);
    // x40 costs 5 + 0.05 * 400 = 25 ms: the deepest within 40 ms.
    expect(priv!.pair).toMatchObject({ betaRel: 3, depth: 40 });
    expect(priv!.pair!.worstAttack).toBeCloseTo(0.85, 9);
    expect(priv!.pair!.meetsRecall).toBe(false);
    expect(priv!.reasoning.join(' ')).toMatch(/Private puts leakage first: .* is 3, taken at the deepest depth within the 40 ms budget/);
    // With a tight budget: the least depth.
    const [, , tight] = chooseDepthPresets(pts, opts({ cost: cost(1) }));
    expect(tight!.pair).toMatchObject({ betaRel: 3, depth: 4 });
    // A set that never reaches the target is named and does not hold the others back.
    const never = [...pts.filter((p) => p.dataset !== 'chunks'), ...pts.filter((p) => p.dataset === 'chunks').map((p) => ({ ...p, attackMean: 0.95 }))];
    const [, , named] = chooseDepthPresets(never, opts());
    expect(named!.pair!.betaRel).toBe(3);
    expect(named!.reasoning.join(' ')).toMatch(/chunks never reaches 0.85/);
    // Balanced keeps the nearest pair rule.
    const [, balanced] = chooseDepthPresets(pts, opts());
    expect(balanced!.leakageFirst).toBeUndefined();
  });

  it('judge without the budget (and say so) when the client cost is unknown', () => {
    const pts = frontier([{ name: 'a', textual: true, hard: 0.4 }]);
    const [, balanced] = chooseDepthPresets(pts, opts({ cost: () => undefined }));
    expect(balanced!.pair!.costMs).toBeUndefined();
    expect(balanced!.reasoning.join(' ')).toMatch(/cost of some depths is unknown/);
  });

  it('only compare pairs measured on every dataset', () => {
    const pts = [...frontier([{ name: 'a', textual: true, hard: 1 }], [1, 2], [4, 10]), ...frontier([{ name: 'b', textual: true, hard: 1 }], [2], [10])];
    expect(commonPairs(pts)).toEqual([{ betaRel: 2, depth: 10 }]);
  });
});
