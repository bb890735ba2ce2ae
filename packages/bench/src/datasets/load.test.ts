import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../main.js';
import { createRng } from '../rng.js';
import { encodeFvecs, encodeIvecs } from './fvecs.js';
import { computeGroundTruth } from './groundtruth.js';
import { loadDatasetDir, loadDatasetFile, readVectors } from './load.js';
import { encodeNpy } from './npy.js';
import type { VectorSet } from './vectors.js';

const glove = join(REPO_ROOT, 'fixtures', 'datasets', 'glove100');

function randomSet(rows: number, dim: number, seed: number): VectorSet {
  const rng = createRng(seed);
  return { rows, dim, data: Float32Array.from({ length: rows * dim }, () => rng.gaussian()) };
}

describe('loadDatasetDir', () => {
  it('reads the GloVe fixture with its metric and ground truth from the files', () => {
    const ds = loadDatasetDir(glove);
    expect(ds).toMatchObject({ name: 'glove100', metric: 'angular', groundTruthComputed: false });
    expect([ds.base.rows, ds.base.dim, ds.queries.rows, ds.groundTruth.dim]).toEqual([2000, 100, 50, 100]);
    expect(ds.license).toMatch(/PDDL/);
    // The committed ground truth is what the brute force computes.
    const gt = computeGroundTruth(ds.base, ds.queries, 'angular', 100).ids;
    expect(Array.from(gt.data)).toEqual(Array.from(ds.groundTruth.data));
  });

  it('recomputes ground truth for a base subset and cuts queries', () => {
    const ds = loadDatasetDir(glove, 'g', { maxBase: 300, maxQueries: 5 });
    expect(ds.groundTruthComputed).toBe(true);
    expect([ds.base.rows, ds.queries.rows, ds.groundTruth.rows]).toEqual([300, 5, 5]);
    for (const id of ds.groundTruth.data) expect(id).toBeLessThan(300);
  });

  it('rejects a missing directory, a missing metric and ground truth that points outside the base', () => {
    expect(() => loadDatasetDir('/nonexistent/sealvec')).toThrow(expect.objectContaining({ code: 'ERR_NOT_FOUND' }));
    const dir = mkdtempSync(join(tmpdir(), 'sealvec-load-'));
    const base = randomSet(20, 4, 1);
    const q = randomSet(3, 4, 2);
    writeFileSync(join(dir, 'base.fvecs'), encodeFvecs(base));
    writeFileSync(join(dir, 'query.fvecs'), encodeFvecs(q));
    expect(() => loadDatasetDir(dir)).toThrow(/metric/);
    expect(loadDatasetDir(dir, 'x', { metric: 'l2' }).groundTruthComputed).toBe(true);
    writeFileSync(join(dir, 'groundtruth.ivecs'), encodeIvecs({ rows: 3, dim: 1, data: Int32Array.of(0, 1, 99) }));
    expect(() => loadDatasetDir(dir, 'x', { metric: 'l2' })).toThrow(/base id 99/);
    writeFileSync(join(dir, 'query.fvecs'), encodeFvecs(randomSet(3, 5, 2)));
    expect(() => loadDatasetDir(dir, 'x', { metric: 'l2' })).toThrow(/dimension 5/);
    writeFileSync(join(dir, 'meta.json'), '[1,2]');
    expect(() => loadDatasetDir(dir)).toThrow(/JSON object/);
  });
});

describe('loadDatasetFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealvec-file-'));
  const all = randomSet(120, 6, 3);

  it('holds out trailing rows as queries and computes ground truth, for .fvecs and .npy alike', () => {
    writeFileSync(join(dir, 'v.fvecs'), encodeFvecs(all));
    writeFileSync(join(dir, 'v.npy'), encodeNpy(all));
    for (const f of ['v.fvecs', 'v.npy']) {
      const ds = loadDatasetFile(join(dir, f), { metric: 'angular' });
      expect([ds.base.rows, ds.queries.rows]).toEqual([108, 12]);
      expect(ds.groundTruthComputed).toBe(true);
      expect(ds.groundTruth.dim).toBe(100);
      expect(Array.from(ds.queries.data.subarray(0, 6))).toEqual(Array.from(all.data.subarray(108 * 6, 109 * 6)));
    }
  });

  it('uses a given query file and ground truth', () => {
    const q = randomSet(4, 6, 4);
    writeFileSync(join(dir, 'q.fvecs'), encodeFvecs(q));
    const gt = computeGroundTruth(all, q, 'l2', 10).ids;
    writeFileSync(join(dir, 'gt.ivecs'), encodeIvecs(gt));
    const ds = loadDatasetFile(join(dir, 'v.fvecs'), { queries: join(dir, 'q.fvecs'), groundTruth: join(dir, 'gt.ivecs') });
    expect(ds.groundTruthComputed).toBe(false);
    expect(Array.from(ds.groundTruth.data)).toEqual(Array.from(gt.data));
  });

  it('rejects unknown extensions, missing files, too few rows and mismatched query dimensions', () => {
    writeFileSync(join(dir, 'v.csv'), 'x');
    expect(() => readVectors(join(dir, 'v.csv'))).toThrow(/unsupported extension/);
    expect(() => readVectors(join(dir, 'nope.fvecs'))).toThrow(expect.objectContaining({ code: 'ERR_NOT_FOUND' }));
    writeFileSync(join(dir, 'tiny.fvecs'), encodeFvecs(randomSet(5, 6, 5)));
    expect(() => loadDatasetFile(join(dir, 'tiny.fvecs'))).toThrow(/too few/);
    writeFileSync(join(dir, 'q7.fvecs'), encodeFvecs(randomSet(2, 7, 6)));
    expect(() => loadDatasetFile(join(dir, 'v.fvecs'), { queries: join(dir, 'q7.fvecs') })).toThrow(/dimension 7/);
    expect(() => loadDatasetFile(join(dir, 'v.fvecs'), { metric: 'dot' as 'l2' })).toThrow(TypeError);
  });
});
