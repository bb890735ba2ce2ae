import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../main.js';
import { DEFAULT_SCALE, inPhase, parseConfig, quickVariant } from './config.js';

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

describe('the size-sweep config', () => {
  it('reads the committed scale section, with betas inside the attack grid', () => {
    const c = parseConfig(committed);
    expect(c.scale.depths).toEqual([4, 10, 40, 100]);
    for (const b of c.scale.betas) expect(c.attackBetas).toContain(b);
    expect(c.scale.budgetMs).toBe(40);
    expect(c.scale.budgetDimension).toBe(1536);
    const full = c.datasets.find((d) => d.kind === 'wink')!;
    expect(full.family).toBe('GloVe-100');
    expect(inPhase(full, 'scale')).toBe(true);
    expect(inPhase(full, 'recall')).toBe(false);
    expect(inPhase(c.datasets.find((d) => d.name === 'SIFT')!, 'attacks')).toBe(true);
  });

  it('defaults the section when absent, keeps quick mode inside the quick attack grid, and rejects bad values', () => {
    const { scale: _omit, ...rest } = committed;
    const c = parseConfig(rest);
    expect(c.scale.depths).toEqual(DEFAULT_SCALE.depths);
    for (const b of c.scale.betas) expect(c.attackBetas).toContain(b);
    const q = quickVariant(parseConfig(committed));
    for (const b of q.scale.betas) expect(q.attackBetas).toContain(b);
    expect(() => parseConfig({ ...committed, scale: { betas: [0.33] } })).toThrow(/scale.betas.*attackBetas/);
    expect(() => parseConfig({ ...committed, scale: { depths: [0] } })).toThrow(/scale.depths/);
    expect(() => parseConfig({ ...committed, scale: { hnsw: 'yes' } })).toThrow(/scale.hnsw/);
    expect(() => parseConfig({ ...committed, scale: { privateTarget: 2 } })).toThrow(/privateTarget/);
    expect(() => parseConfig({ ...committed, scale: [] })).toThrow(/"scale"/);
    expect(() => parseConfig({ ...committed, datasets: [{ name: 'a', path: 'x', phases: ['bogus'] }] })).toThrow(/phases/);
  });
});
