import { describe, expect, it } from 'vitest';
import { choosePresets, type DatasetFrontier, judgeGoal } from './presets.js';

const pt = (betaRel: number, r2: number, r10: number, attackMean: number) => ({
  betaRel,
  recall10: { 1: r2 - 0.1, 2: r2, 10: r10 },
  attackMean,
  attackName: 'kp-procrustes',
});

describe('choosePresets', () => {
  const easy: DatasetFrontier = { name: 'easy', textual: true, points: [pt(0.5, 0.99, 1, 0.99), pt(1, 0.97, 1, 0.95), pt(2, 0.9, 0.99, 0.85), pt(4, 0.5, 0.8, 0.7)] };
  const hard: DatasetFrontier = { name: 'hard', textual: true, points: [pt(0.5, 0.98, 1, 0.99), pt(1, 0.9, 0.97, 0.96), pt(2, 0.6, 0.8, 0.89), pt(4, 0.2, 0.3, 0.7)] };

  it('takes the worst dataset at each beta', () => {
    const [fast, balanced, priv] = choosePresets([easy, hard]);
    expect(fast?.betaRel).toBe(0.5);
    expect(balanced?.betaRel).toBe(1);
    expect(balanced?.worstRecall10).toBe(0.97);
    expect(balanced?.worstAttackMean).toBe(0.96);
    expect(priv?.betaRel).toBe(2);
    expect(priv?.worstRecall10).toBe(0.8);
  });

  it('judges the goal infeasible when recall and leakage never overlap, and says where each holds', () => {
    const v = judgeGoal([easy, hard]);
    expect(v.met).toBe(false);
    expect(v.perDataset.find((d) => d.name === 'easy')).toMatchObject({ feasible: true, maxBetaForRecall: 2, minBetaForLeakage: 2 });
    expect(v.perDataset.find((d) => d.name === 'hard')).toMatchObject({ feasible: false, maxBetaForRecall: 1, minBetaForLeakage: 2, recallAtThatBeta: 0.8 });
    expect(judgeGoal([easy]).feasibleBetas).toEqual([2]);
  });

  it('judges the private preset on text embeddings only, when there are any', () => {
    const image: DatasetFrontier = { name: 'image', textual: false, points: [pt(0.5, 0.99, 1, 0.99), pt(1, 0.97, 1, 0.97), pt(2, 0.9, 0.99, 0.95), pt(4, 0.5, 0.9, 0.93)] };
    const priv = choosePresets([easy, image])[2]!;
    expect(priv.betaRel).toBe(2);
    expect(priv.rule).toMatch(/text-embedding/);
    // The worst figures still cover every dataset.
    expect(priv.worstAttackMean).toBe(0.95);
    expect(choosePresets([image])[2]!.betaRel).toBeUndefined();
  });

  it('leaves a preset undefined when no beta qualifies, and ignores beta 0', () => {
    const bad: DatasetFrontier = { name: 'bad', textual: true, points: [pt(0, 1, 1, 1), pt(1, 0.5, 0.5, 0.99)] };
    const [fast, balanced, priv] = choosePresets([bad]);
    expect(fast?.betaRel).toBeUndefined();
    expect(balanced?.betaRel).toBeUndefined();
    expect(priv?.betaRel).toBeUndefined();
    expect(judgeGoal([]).met).toBe(false);
  });
});
