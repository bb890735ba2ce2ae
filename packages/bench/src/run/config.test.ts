import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../main.js';
import { parseConfig, quickVariant } from './config.js';

const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'benchmarks', 'config.json'), 'utf8')) as Record<string, unknown>;

describe('parseConfig', () => {
  it('accepts the committed benchmarks/config.json and sorts the sweeps', () => {
    const c = parseConfig(committed);
    expect(c.datasets.length).toBeGreaterThan(4);
    expect([...c.betaSweep]).toEqual([...c.betaSweep].sort((a, b) => a - b));
    expect(c.oversamples).toEqual([1, 2, 4, 10]);
    expect(c.ks).toEqual([1, 10, 100]);
  });

  it('never points at the unlicensed sets from fixtures/', () => {
    for (const d of parseConfig(committed).datasets) {
      if (/reddit|wikibio/.test(d.path)) expect(d.path.startsWith('../shared/datasets/')).toBe(true);
    }
  });

  it('has a quick variant on fixtures only', () => {
    const q = quickVariant(parseConfig(committed));
    expect(q.datasets.every((d) => d.kind === 'fixture')).toBe(true);
    expect(q.betaSweep.length).toBeLessThan(parseConfig(committed).betaSweep.length);
  });

  it('rejects malformed configs with the field named', () => {
    expect(() => parseConfig([])).toThrow(/JSON object/);
    expect(() => parseConfig({ ...committed, betaSweep: [] })).toThrow(/betaSweep/);
    expect(() => parseConfig({ ...committed, betaSweep: [-1] })).toThrow(/betaSweep\[0\]/);
    expect(() => parseConfig({ ...committed, attackBetas: [0.33] })).toThrow(/not in betaSweep/);
    expect(() => parseConfig({ ...committed, seed: 1.5 })).toThrow(/seed/);
    expect(() => parseConfig({ ...committed, datasets: [{ name: 'a' }] })).toThrow(/needs "name" and "path"/);
    expect(() => parseConfig({ ...committed, datasets: [{ name: 'a', path: 'x', kind: 'other' }] })).toThrow(/kind/);
    expect(() => parseConfig({ ...committed, datasets: [{ name: 'a', path: 'x', metric: 'cos' }] })).toThrow(/metric/);
    expect(() => parseConfig({ ...committed, datasets: [{ name: 'a', path: 'x' }, { name: 'a', path: 'y' }] })).toThrow(/twice/);
  });
});
