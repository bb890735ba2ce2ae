import { describe, expect, it } from 'vitest';
import type { CosineStats } from '../attacks/cosine.js';
import { bestAttack, frontierOf, goalDatasets, goalPairs } from './frontier.js';
import { type BenchResults, type DatasetResult, mergeResults } from './results.js';
import type { AttackResult, SchemeAttackRun } from './run-attacks.js';

const st = (mean: number): CosineStats => ({ n: 10, mean, p90: mean, shareAbove: 0 });
const res = (attack: string, family: AttackResult['family'], knownPairs: number, mean: number): AttackResult => ({ attack, family, knownPairs, stats: st(mean), centered: st(mean / 2) });

function run(betaRel: number, scheme: SchemeAttackRun['scheme'] = 'sealvec'): SchemeAttackRun {
  return {
    scheme,
    betaRel,
    betaAbs: betaRel,
    seconds: 0,
    results: [
      res('mean-guess', 'prior', 0, 0.5),
      res('kp-procrustes', 'known-plaintext', 100, 0.8 - betaRel / 10),
      res('kp-procrustes', 'known-plaintext', 1000, 0.95 - betaRel / 10),
      res('kp-procrustes', 'known-plaintext', 5000, 0.99),
      res('key-holder', 'key-holder', 0, 0.999),
    ],
  };
}

function dataset(name: string, family: string, kind: DatasetResult['kind'], baseRows: number, knownPairs = [10, 100, 1000, 5000]): DatasetResult {
  return {
    name,
    family,
    kind,
    modality: 'text',
    path: name,
    metric: 'angular',
    cipherMetric: 'cosine',
    dim: 4,
    baseRows,
    queryRows: 2,
    betaUnit: 1,
    groundTruthComputed: false,
    source: 's',
    license: 'l',
    recall: [1, 2].map((b) => ({ betaRel: b, betaAbs: b, encryptUsPerVector: 1, searchMsPerQuery: 1, points: [{ k: 10, oversample: 10, recall: 1 - b / 10 }] })),
    attacks: { setup: { pool: 10, targets: 2, knownMax: Math.max(...knownPairs), sampleRows: 8, knownPairs }, runs: [run(1), run(2), run(1, 'shuffle')], averaging: [] },
  };
}

describe('frontier', () => {
  it('takes the best attack with at most 1,000 pairs, never the key holder', () => {
    const d = dataset('a', 'A', 'shared', 100);
    expect(goalPairs(d)).toBe(1000);
    expect(bestAttack(run(1), 1000)?.stats.mean).toBeCloseTo(0.85, 12);
    const f = frontierOf(d);
    expect(f.points.map((p) => p.betaRel)).toEqual([1, 2]);
    expect(f.points[0]).toMatchObject({ recall10: { 10: 0.9 }, attackName: 'kp-procrustes', keyHolderMean: 0.999 });
  });

  it('uses every available pair on a dataset smaller than 1,000 pairs', () => {
    expect(goalPairs(dataset('s', 'S', 'shared', 88, [10, 66]))).toBe(66);
  });

  it('judges each family on its full set when present, else its fixture', () => {
    const picked = goalDatasets([dataset('fx', 'A', 'fixture', 50), dataset('full', 'A', 'shared', 500), dataset('only-fx', 'B', 'fixture', 50)]);
    expect(picked.map((d) => d.name).sort()).toEqual(['full', 'only-fx']);
  });
});

describe('mergeResults', () => {
  const base = (datasets: DatasetResult[]): BenchResults => ({
    version: 1,
    generatedAt: 't',
    mode: 'full',
    environment: { node: 'v', cpu: 'c', cores: 2 },
    seed: 1,
    datasets,
    skipped: [],
  });

  it('keeps the other phase when one phase reruns, and keeps datasets not rerun', () => {
    const old = dataset('a', 'A', 'shared', 100);
    const other = dataset('b', 'B', 'shared', 100);
    const fresh = { ...dataset('a', 'A', 'shared', 100) };
    delete fresh.attacks;
    const merged = mergeResults(base([old, other]), base([fresh]));
    const a = merged.datasets.find((d) => d.name === 'a')!;
    expect(a.attacks).toBe(old.attacks);
    expect(a.recall).toBe(fresh.recall);
    expect(merged.datasets.map((d) => d.name)).toEqual(['a', 'b']);
    expect(mergeResults(undefined, base([fresh])).datasets).toHaveLength(1);
  });
});
