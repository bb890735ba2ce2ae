import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

describe('benchMain smoke test (one small fixture, quick grid)', () => {
  it('writes results.json, REPORT.md, ATTACKS.md and SVG plots', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sealvec-bench-'));
    const log: string[] = [];
    await benchMain(['recall', '--quick', '--only', 'sift128-500', '--out', out], (s) => log.push(s));
    await benchMain(['attacks', '--quick', '--only', 'sift128-500', '--out', out], (s) => log.push(s));
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(results.mode).toBe('quick');
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
  });

  it('lists a configured dataset that is absent as skipped instead of failing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sealvec-bench-'));
    const cfgPath = join(out, 'config.json');
    const { writeFileSync } = await import('node:fs');
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
