import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { parseConfig } from './config.js';
import { prepareDataset } from './prepare.js';
import { attackCache, attackScheme, attackSetup, averagingAttack, poolIds, schemeFor } from './run-attacks.js';

const cfg = parseConfig({
  seed: 5,
  betaSweep: [0, 1],
  attackBetas: [1],
  ks: [1, 10],
  oversamples: [1, 2],
  knownPairs: [10, 100, 1000],
  attackPool: 200,
  attackTargets: 40,
  sampleSize: 100,
  pcaKs: [0, 2, 4],
  averagingRepeats: [1, 4],
  averagingVectors: 5,
  datasets: [],
});

function dataset(rows: number, dim: number) {
  const rng = createRng(1);
  const data = Float32Array.from({ length: rows * dim }, (_, k) => (k % dim < 3 ? 3 : 0.3) * rng.gaussian() + 1);
  const q = Float32Array.from({ length: 4 * dim }, () => rng.gaussian() + 1);
  return prepareDataset({
    name: 't',
    metric: 'l2',
    base: { rows, dim, data },
    queries: { rows: 4, dim, data: q },
    groundTruth: { rows: 4, dim: 1, data: new Int32Array(4) },
    groundTruthComputed: true,
    source: 'synthetic',
    license: 'n/a',
  });
}

describe('attack runs', () => {
  it('draw the pool as a seeded sample of distinct rows', () => {
    const a = poolIds(1000, 50, 3);
    expect(Array.from(a)).toEqual(Array.from(poolIds(1000, 50, 3)));
    expect(new Set(a).size).toBe(50);
    expect(Math.max(...a)).toBeLessThan(1000);
    expect(Array.from(a)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('size the pool, targets and pair counts from the config and the data', () => {
    const s = attackSetup(dataset(300, 8), cfg);
    expect(s).toMatchObject({ pool: 200, targets: 40, knownMax: 160, sampleRows: 100 });
    expect(s.knownPairs).toEqual([10, 100, 160]);
    expect(attackSetup(dataset(60, 8), cfg)).toMatchObject({ pool: 60, targets: 15, knownMax: 45, knownPairs: [10, 45] });
  });

  it('run every attack family and score it, the noiseless mix falling to known plaintext', () => {
    const ds = dataset(300, 8);
    const setup = attackSetup(ds, cfg);
    const cache = attackCache(ds, setup, cfg.seed);
    const run = attackScheme(schemeFor('mix-no-noise', ds, 0, cfg.seed), 0, 0, setup, cache, cfg, ds);
    const names = new Set(run.results.map((r) => r.attack));
    for (const n of ['mean-guess', 'ks-pca-align', 'ks-marginal', 'kp-procrustes', 'kp-procrustes+subspace', 'kp-least-squares', 'kp-coordinate', 'key-holder']) {
      expect(names.has(n)).toBe(true);
    }
    const kp = run.results.find((r) => r.attack === 'kp-procrustes' && r.knownPairs === 160)!;
    expect(kp.stats.mean).toBeGreaterThan(0.999);
    expect(kp.centered.mean).toBeGreaterThan(0.999);
    const prior = run.results.find((r) => r.attack === 'mean-guess')!;
    expect(Math.abs(prior.centered.mean)).toBeLessThan(1e-9); // the mean itself, centered, is the zero vector
    const noisy = attackScheme(schemeFor('sealvec', ds, 2 * ds.betaUnit, cfg.seed), 2, 2 * ds.betaUnit, setup, cache, cfg, ds);
    expect(noisy.results.find((r) => r.attack === 'kp-procrustes' && r.knownPairs === 160)!.stats.mean).toBeLessThan(kp.stats.mean);
  });

  it('run the structured attack per scheme: it recovers the v1 mix at power-of-two d, not the v2 mix nor a random rotation', () => {
    const ds = dataset(300, 8);
    const setup = attackSetup(ds, cfg);
    const cache = attackCache(ds, setup, cfg.seed);
    const onV2 = attackScheme(schemeFor('sealvec', ds, ds.betaUnit, cfg.seed), 1, ds.betaUnit, setup, cache, cfg, ds);
    expect(onV2.structured!.every((r) => !r.found)).toBe(true);
    const onMix = attackScheme(schemeFor('sealvec-v1', ds, ds.betaUnit, cfg.seed), 1, ds.betaUnit, setup, cache, cfg, ds);
    const best = onMix.structured!.find((r) => r.knownPairs === 160)!;
    expect(best).toMatchObject({ found: true, transform: 'hadamard', signAgreement: 1, columns: 8 });
    const kh = onMix.results.find((r) => r.attack === 'key-holder')!.stats.mean;
    expect(onMix.results.find((r) => r.attack === 'kp-structured' && r.knownPairs === 160)!.stats.mean).toBeCloseTo(kh, 6);
    const onRotation = attackScheme(schemeFor('rotation', ds, ds.betaUnit, cfg.seed), 1, ds.betaUnit, setup, cache, cfg, ds);
    expect(onRotation.structured!.every((r) => !r.found)).toBe(true);
    expect(onRotation.results.some((r) => r.attack.startsWith('kp-structured'))).toBe(false);
  });

  it('average repeated encryptions towards the plaintext, and find queries deterministic', () => {
    const ds = dataset(300, 8);
    const av = averagingAttack(ds, cfg, 2)!;
    expect(av.repeats.map((r) => r.T)).toEqual([1, 4]);
    expect(av.repeats[1]!.stats.mean).toBeGreaterThan(av.repeats[0]!.stats.mean);
    expect(av.distinctQueryCiphertexts).toBe(av.queriesTried);
  });
});
