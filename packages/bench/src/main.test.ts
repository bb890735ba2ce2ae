import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchMain, parseArgs, UsageError } from './main.js';
import type { BenchResults } from './run/results.js';

describe('parseArgs', () => {
  it('defaults to all and reads every option', () => {
    expect(parseArgs([])).toMatchObject({ command: 'all', quick: false, only: [], datasets: [] });
    expect(parseArgs(['recall', '--quick', '--only', 'a', '--only', 'b', '--out', 'o'])).toMatchObject({
      command: 'recall',
      quick: true,
      only: ['a', 'b'],
      out: 'o',
    });
    expect(parseArgs(['--dataset', 'x.npy', '--queries', 'q.npy', '--gt', 'g.ivecs', '--metric', 'angular'])).toMatchObject({
      datasets: ['x.npy'],
      queries: 'q.npy',
      gt: 'g.ivecs',
      metric: 'angular',
    });
  });

  it('rejects unknown commands and options, missing values and inconsistent combinations', () => {
    expect(() => parseArgs(['bogus'])).toThrow(UsageError);
    expect(() => parseArgs(['--nope'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--out'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--out', '--quick'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--metric', 'cosine'])).toThrow(/metric/);
    expect(() => parseArgs(['--queries', 'q.fvecs'])).toThrow(/exactly one --dataset/);
  });
});

/** A grid smaller than --quick, so the end-to-end test stays a few seconds. */
function smallConfig(dir: string): string {
  const path = join(dir, 'small-config.json');
  writeFileSync(
    path,
    JSON.stringify({
      seed: 20251122,
      betaSweep: [0, 1, 4],
      attackBetas: [1, 4],
      ks: [1, 10],
      oversamples: [1, 2, 10],
      knownPairs: [10, 100],
      attackPool: 200,
      attackTargets: 40,
      sampleSize: 150,
      pcaKs: [0, 4],
      averagingRepeats: [1, 4],
      averagingVectors: 5,
      scale: { betas: [1, 4], depths: [4, 10, 100], sizes: [125, 250], maxQueries: 20 },
      datasets: [{ name: 'sift128-500', family: 'SIFT', kind: 'fixture', modality: 'descriptor', path: 'fixtures/datasets/sift128' }],
    }),
  );
  return path;
}

describe('benchMain smoke test (one small fixture, a small grid)', () => {
  it('writes results.json, REPORT.md, ATTACKS.md and SVG plots', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sealvec-bench-'));
    const cfg = smallConfig(out);
    const log: string[] = [];
    await benchMain(['recall', '--config', cfg, '--out', out], (s) => log.push(s));
    await benchMain(['attacks', '--config', cfg, '--out', out], (s) => log.push(s));
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(results.mode).toBe('full');
    const ds = results.datasets[0]!;
    expect(ds.name).toBe('sift128-500');
    // Both phases survived the merge.
    expect(ds.recall?.length).toBeGreaterThan(0);
    expect(ds.attacks?.runs.some((r) => r.scheme === 'shuffle')).toBe(true);
    expect(ds.attacks?.runs.some((r) => r.scheme === 'mix-no-noise')).toBe(true);
    // beta 0 is the mix alone: search over ciphertexts equals plaintext search.
    expect(ds.recall?.find((r) => r.betaRel === 0)?.points.every((p) => p.recall === 1)).toBe(true);
    // The mix without noise falls to the known-plaintext attack completely.
    const clear = ds.attacks!.runs.find((r) => r.scheme === 'mix-no-noise')!;
    expect(Math.max(...clear.results.filter((r) => r.attack === 'kp-procrustes').map((r) => r.stats.mean))).toBeGreaterThan(0.999);
    // Query encryption is deterministic.
    for (const a of ds.attacks!.averaging) expect(a.distinctQueryCiphertexts).toBe(a.queriesTried);
    const report = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('## Headline');
    expect(report).toContain('### Recommended presets');
    expect(report).toContain('sift128-500');
    for (const f of ['recall-vs-beta.svg', 'attack-vs-beta.svg', 'frontier.svg', 'frontier-sift128-500.svg', 'ATTACKS.md']) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    expect(log.some((l) => l.includes('wrote'))).toBe(true);
    // The structured attack ran against the mix and the random rotation.
    expect(ds.attacks?.runs.some((r) => r.scheme === 'rotation')).toBe(true);
    expect(report).toContain('## The structured attack');

    // The size and depth sweep, and the presets it gives as (beta, depth) pairs.
    await benchMain(['scale', '--config', cfg, '--out', out], (s) => log.push(s));
    const after = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    const run = after.scale!.runs[0]!;
    expect(run.name).toBe('sift128-500');
    expect(run.sizes).toEqual([125, 250, 500]);
    expect(run.depths).toEqual([4, 10, 100]);
    expect(run.points.some((p) => p.depth === 100 && p.size === 500)).toBe(true);
    // Both phases' results survive the scale phase.
    expect(after.datasets[0]!.attacks?.runs.length).toBeGreaterThan(0);
    const report2 = readFileSync(join(out, 'REPORT.md'), 'utf8');
    expect(report2).toContain('## Headline: presets as (beta, candidate depth)');
    expect(report2).toMatch(/\*\*balanced\*\* \(leakage target 0.9/);
    for (const f of ['SCALE.md', 'PRESETS.md', 'depth-frontier-sift128-500.svg', 'size-sift128-500-x10.svg']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'PRESETS.md'), 'utf8')).toContain('| balanced');
  }, 180_000);

  it('lists a configured dataset that is absent as skipped instead of failing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sealvec-bench-'));
    const cfgPath = join(out, 'config.json');
    writeFileSync(
      cfgPath,
      JSON.stringify({
        seed: 1,
        betaSweep: [0, 1],
        attackBetas: [1],
        ks: [1, 10],
        oversamples: [1, 2],
        knownPairs: [10],
        attackPool: 100,
        attackTargets: 20,
        sampleSize: 50,
        pcaKs: [0, 2],
        averagingRepeats: [1, 2],
        averagingVectors: 3,
        datasets: [{ name: 'missing', path: '/nonexistent/dataset', kind: 'shared' }],
      }),
    );
    await benchMain(['recall', '--config', cfgPath, '--out', out], () => {});
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(results.datasets).toHaveLength(0);
    expect(results.skipped).toEqual([{ name: 'missing', path: '/nonexistent/dataset', reason: 'not present on this machine' }]);
    expect(readFileSync(join(out, 'REPORT.md'), 'utf8')).toContain('Skipped on this machine');
  });
});
