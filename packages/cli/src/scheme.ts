/**
 * The encryption scheme of a sealed file or collection: everything a reader must agree on with
 * the writer, and nothing secret. It has the shape of @sealvec/qdrant's collection metadata, so a
 * sealed file can be ingested into a collection with the same scheme and vice versa.
 */
import {
  betaForPreset,
  createVectorCipher,
  DEFAULT_PRESET,
  isMetric,
  isPresetName,
  METRICS,
  storedDimensionOf,
  type Metric,
  type PresetName,
  type VectorCipher,
  type VectorKey,
} from '@sealvec/core';
import type { SchemeMetadata } from '@sealvec/qdrant';
import { UsageError } from './errors.js';

export type Scheme = SchemeMetadata;

export const DEFAULT_COLLECTION = 'default';

/** What the user asked for on the command line, before the data is seen. */
export interface SchemeRequest {
  metric: Metric;
  preset: PresetName | undefined;
  beta: number | undefined;
  /** Euclid presets: the data's typical norm (measured from the first batch when absent). */
  scale: number | undefined;
  maxNorm: number | undefined;
  prefilter: boolean;
  blindIndexFields: string[];
  exactVector: boolean;
}

export function parseMetric(v: string): Metric {
  if (!isMetric(v)) throw new UsageError(`--metric expected one of ${METRICS.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

export function parsePreset(v: string): PresetName {
  if (!isPresetName(v)) throw new UsageError(`--preset expected fast, balanced or private, got ${JSON.stringify(v)}`);
  return v;
}

/** Median of the norms of some vectors (the scale of a euclid preset). */
export function medianNorm(vectors: readonly Float32Array[]): number {
  const norms = vectors.map((v) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    return Math.sqrt(s);
  });
  norms.sort((a, b) => a - b);
  const n = norms.length;
  if (n === 0) return 1;
  return n % 2 === 1 ? norms[(n - 1) / 2]! : (norms[n / 2 - 1]! + norms[n / 2]!) / 2;
}

/** Fixes the scheme once the dimension (and, for euclid presets, a sample of the data) is known. */
export function resolveScheme(req: SchemeRequest, dimension: number, authority: string, sample: readonly Float32Array[]): Scheme {
  const metric = req.metric;
  if (metric === 'dot' && req.maxNorm === undefined) {
    throw new UsageError('--max-norm is required with --metric dot (the largest norm any record will have)');
  }
  let preset: PresetName | null = null;
  let beta: number;
  if (req.beta !== undefined) beta = req.beta;
  else {
    preset = req.preset ?? DEFAULT_PRESET;
    const scale = metric === 'dot' ? req.maxNorm : metric === 'euclid' ? (req.scale ?? medianNorm(sample)) : undefined;
    beta = betaForPreset(preset, metric, scale);
  }
  return {
    sealvec: 1,
    dimension,
    storedDimension: storedDimensionOf(metric, dimension),
    metric,
    beta,
    preset,
    maxNorm: metric === 'dot' ? req.maxNorm! : null,
    authority,
    prefilter: req.prefilter,
    blindIndexFields: req.blindIndexFields.slice(),
    exactVector: req.exactVector,
  };
}

export function cipherFor(key: VectorKey, scheme: Scheme, tenant: string): VectorCipher {
  return createVectorCipher(key, {
    dimension: scheme.dimension,
    metric: scheme.metric,
    beta: scheme.beta,
    tenant,
    ...(scheme.maxNorm !== null ? { maxNorm: scheme.maxNorm } : {}),
  });
}
